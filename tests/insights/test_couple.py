"""Who gave how many sessions to whom: four weeks by evening, started sessions only, no score."""

from __future__ import annotations

import doctest
from datetime import UTC, date, datetime
from types import SimpleNamespace

import solemate.insights.couple
from solemate.insights.couple import Given, couple_line, who_gave


def test_the_worked_example() -> None:
    assert doctest.testmod(solemate.insights.couple).failed == 0


def _given(giver: str, receiver: str, started: datetime | None) -> SimpleNamespace:
    return SimpleNamespace(giver=giver, receiver=receiver, started_at=started)


def test_four_weeks_by_evening() -> None:
    today = date(2024, 3, 28)
    sessions = [
        _given("A", "B", datetime(2024, 3, 1, 20, tzinfo=UTC)),  # evening 1 March: 28th day
        _given("A", "B", datetime(2024, 3, 1, 11, tzinfo=UTC)),  # before noon: evening of 29 Feb
        _given("B", "A", datetime(2024, 3, 29, 1, tzinfo=UTC)),  # after midnight: evening of 28th
        _given("B", "A", datetime(2024, 3, 29, 20, tzinfo=UTC)),  # tomorrow
    ]
    assert who_gave(sessions, today, UTC) == [Given("A", "B", 1), Given("B", "A", 1)]


def test_lines_count_without_scoring() -> None:
    assert couple_line(Given("A", "B", 1)) == "A gave B 1 session"
    assert couple_line(Given("A", "A", 3)) == "A massaged their own feet 3 times"
    assert couple_line(Given("me", "me", 2)) == "I massaged my own feet 2 times"
    assert couple_line(Given("me", "A", 2)) == "I gave A 2 sessions"
    assert couple_line(Given("A", "me", 1)) == "A gave me 1 session"
