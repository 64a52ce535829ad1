"""Insights that agree with themselves: today's session in the habit, counts in the right number,
sentences that start with a capital, and weeks before anything was written left out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from solemate.insights import Evening, Night, build_insights
from solemate.render.insights_view import insights_text

# A few identical nights make a zero spread: the figures are still computed without a warning.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

TODAY = date(2024, 3, 6)


def evening(day: date) -> Evening:
    start = datetime(day.year, day.month, day.day, 21, tzinfo=UTC)
    return Evening(start, start + timedelta(minutes=12), "completed", 6, 3)


def night(wake: date, sol: int = 12) -> Night:
    tried = datetime(wake.year, wake.month, wake.day, tzinfo=UTC) - timedelta(hours=1)
    return Night(wake, sol, 5, 430, 92.0, 4, 1, tried)


def test_a_session_completed_today_counts_in_the_habit_at_once() -> None:
    sessions = [evening(TODAY) for _ in range(4)]
    state = build_insights([], sessions, [], today=TODAY, weeks=1, zone=UTC)
    assert state.sessions == 4
    assert state.habit is not None
    assert state.habit.today == TODAY
    assert state.habit.kept == 1
    text = insights_text(state)
    assert "No session yet" not in text
    assert "Habit strength 5 % (1 of the last evening kept)." in text
    assert "4 sessions" in text


def test_tonight_not_yet_kept_is_not_counted_as_missed() -> None:
    yesterday = TODAY - timedelta(days=1)
    state = build_insights([], [evening(yesterday)], [], today=TODAY, weeks=1, zone=UTC)
    assert state.habit is not None
    assert state.habit.today == yesterday
    assert state.habit.days == 1


def test_counts_of_one_are_singular_and_sentences_start_with_a_capital() -> None:
    state = build_insights(
        [night(TODAY)], [evening(TODAY - timedelta(days=1))], [], today=TODAY, weeks=1, zone=UTC
    )
    text = insights_text(state)
    assert "1 morning written in the diary, 1 session)" in text
    assert "Sleep diary, 1 week to" in text
    for wrong in ("1 mornings", "1 nights", "1 sessions", "1 evenings", "1 weeks"):
        assert wrong not in text
    assert "1 of 1 session ended calmer" in text
    assert "min, 1 evening)." in text
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lower = [line for line in lines if line[0].islower() and not line.startswith("week of")]
    assert lower == []


@pytest.mark.parametrize("weeks", [6, 150])
def test_weeks_before_anything_was_written_are_left_out_and_said_so(weeks: int) -> None:
    nights = [night(TODAY - timedelta(days=k)) for k in range(10)]
    state = build_insights(nights, [], [], today=TODAY, weeks=weeks, zone=UTC)
    assert len(state.weeks) == 2  # 26 Feb – 6 Mar: the weeks of Mon 26 Feb and Mon 4 Mar
    assert state.weeks[0].nights > 0
    assert state.requested_weeks == weeks
    words = state.left_out_words()
    assert (
        words
        == f"Nothing was written before the week of 26 Feb 2024, so 2 weeks are shown, not {weeks}."
    )
    assert words in insights_text(state)


def test_an_empty_journal_shows_one_week_and_says_why() -> None:
    state = build_insights([], [], [], today=TODAY, weeks=150, zone=UTC)
    assert len(state.weeks) == 1
    assert state.left_out_words() == (
        "Nothing is written in these 150 weeks, so only this week is shown."
    )


def test_weeks_that_hold_data_are_all_shown_without_a_note() -> None:
    nights = [night(TODAY - timedelta(days=k)) for k in range(0, 40, 3)]
    state = build_insights(nights, [], [], today=TODAY, weeks=4, zone=UTC)
    assert len(state.weeks) == 4
    assert state.left_out_words() is None
