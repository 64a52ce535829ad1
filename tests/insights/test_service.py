"""Insights and the experiment on a real journal (SQLite and PostgreSQL), golden report included."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from solemate.insights import ExperimentError
from solemate.insights_service import (
    control_minutes,
    experiment_overview,
    experiment_report,
    experiment_status,
    insights,
    log_control_tonight,
    start,
    stop,
    stop_note,
    tonight,
)
from solemate.journal import Journal, JournalError
from solemate.journal.experiments import experiments
from solemate.render.experiment_view import report_html, report_text
from solemate.render.insights_view import insights_json, insights_text
from tests.golden_files import assert_golden
from tests.insights.builders import (
    FIRST_EVENING,
    NIGHTS,
    NO_DIARY,
    OFF_PLAN,
    build_experiment_journal,
)
from tests.journal.conftest import FakeClock


def test_the_report_on_the_fixed_journal_matches_the_golden_files(
    journal: Journal, clock: FakeClock
) -> None:
    built = build_experiment_journal(journal, clock)
    report = experiment_report(journal, built.today)
    # The same text on SQLite and PostgreSQL: one golden file for both.
    assert_golden("experiment-report.txt", report_text(report))
    assert_golden("experiment-report.html", report_html(report))
    assert report.complete
    assert report.counts("M")["followed"] == report.counts("M")["elapsed"] - len(OFF_PLAN)
    assert report.missing_diaries == tuple(sorted(d + timedelta(days=1) for d in NO_DIARY))
    assert report.test.exact
    assert report.test.allocations == 2**14
    assert report.model is not None
    assert report.model.high < 0


def test_insights_keep_diary_and_device_apart(journal: Journal, clock: FakeClock) -> None:
    built = build_experiment_journal(journal, clock)
    state = insights(journal, built.today, weeks=6)
    assert [w.start.weekday() for w in state.weeks] == [0] * 6
    assert sum(w.nights for w in state.weeks) == len(state.nights)
    assert state.device_weeks
    assert all(w.source == "oura" for w in state.device_weeks)
    assert state.stress.rated == state.sessions
    assert state.lights_out.median == 8  # sessions end 22:17, lights out at 22:25
    assert state.habit is not None
    assert 0 < state.habit.strength < 1
    text = insights_text(state)
    assert text.index("Device estimates") > text.index("Nights after a session")
    assert "Observation, not proof" in text
    assert '"device_weeks"' in insights_json(state)


def test_tonight_and_the_control_evening(journal: Journal, clock: FakeClock) -> None:
    clock.now = clock.now.replace(year=2024, month=3, day=1)
    stored, warnings = start(journal, today=date(2024, 3, 1), seed=11, nights=8)
    assert warnings
    assert "recommended" in warnings[0]
    assert tonight(journal, date(2024, 2, 29)) is None
    lines = [tonight(journal, date(2024, 3, 1) + timedelta(days=k)) for k in range(8)]
    assert lines[0] is not None
    assert lines[0].startswith("Experiment night 1 of 8: tonight is")
    assert all(
        ("massage night" in (line or "")) == (arm == "M")
        for line, arm in zip(lines, stored.arms, strict=True)
    )
    assert tonight(journal, date(2024, 3, 9)) is None
    control_night = date(2024, 3, 1) + timedelta(days=stored.arms.index("C"))
    massage_night = date(2024, 3, 1) + timedelta(days=stored.arms.index("M"))
    assert "reading" in log_control_tonight(journal, control_night)
    (logged,) = journal.control_activities()
    assert (logged.on_date, logged.minutes) == (control_night, 15)
    with pytest.raises(ExperimentError, match="massage night"):
        log_control_tonight(journal, massage_night)
    status = experiment_status(journal, date(2024, 3, 9))
    assert (status.nights_done, status.diaries, len(status.missing)) == (8, 0, 8)


def test_bad_requests_change_nothing(journal: Journal, clock: FakeClock) -> None:
    clock.now = clock.now.replace(year=2024, month=3, day=1)
    start(journal, today=date(2024, 3, 1), seed=1)
    with pytest.raises(JournalError, match="still running"):
        start(journal, today=date(2024, 3, 2), seed=2)
    with pytest.raises(ExperimentError, match="not recorded by the sleep diary"):
        start(journal, today=date(2024, 4, 1), outcome="heart_rate")
    with pytest.raises(ExperimentError, match="in the past"):
        start(journal, today=date(2024, 4, 1), first_evening=date(2024, 3, 30))
    with pytest.raises(ExperimentError, match="at least 2 nights with a diary in each arm"):
        experiment_report(journal, date(2024, 3, 5))
    assert len(experiments(journal)) == 1
    stop(journal, date(2024, 3, 3), "ill")
    with pytest.raises(ExperimentError, match="no experiment is running"):
        stop(journal, date(2024, 3, 3))


def test_a_stopped_experiment_reports_its_nights_up_to_the_stop(
    journal: Journal, clock: FakeClock
) -> None:
    built = build_experiment_journal(journal, clock)
    clock.now = clock.now.replace(year=2024, month=2, day=20, hour=8)
    # Stopping is only possible while it runs; do it on day 15 through the journal clock.
    stopped = stop(journal, date(2024, 2, 20), "travelling")
    assert stopped.stop_reason == "travelling"
    report = experiment_report(journal, built.today)
    assert len(report.past) == (date(2024, 2, 20) - FIRST_EVENING).days < NIGHTS
    assert "interim look" in report.reading[0]
    status, same = experiment_overview(journal, built.today)
    assert same == report
    assert stop_note(status.stored) == "travelling"


@pytest.mark.parametrize(("reason", "note"), [("", "no reason given"), ("ill", "ill")])
def test_the_report_of_a_stopped_experiment_says_why(
    journal: Journal, clock: FakeClock, reason: str, note: str
) -> None:
    built = build_experiment_journal(journal, clock)
    assert stop_note(experiment_status(journal, built.today).stored) is None  # it ran its course
    clock.now = clock.now.replace(year=2024, month=2, day=20, hour=8)
    stop(journal, date(2024, 2, 20), reason)
    status, report = experiment_overview(journal, built.today)
    assert not isinstance(report, ExperimentError)
    assert stop_note(status.stored) == note
    assert f"stopped early ({note})" in report_text(report, stop_note(status.stored))


def test_control_minutes_are_read_from_the_activity() -> None:
    assert control_minutes("15 minutes of reading") == 15
    assert control_minutes("stretching, 20 min") == 20
    assert control_minutes("reading") == 15


@pytest.mark.parametrize("weeks", [2, 3, 6, 52])
def test_insights_read_the_stress_ratings_of_the_window_only(
    journal: Journal, clock: FakeClock, weeks: int
) -> None:
    """The same stress figures as from every rating, without the ratings of earlier sessions."""
    from solemate.insights import build_insights
    from solemate.insights.weekly import week_start
    from solemate.insights_service import _evenings, _nights, journal_zone

    built = build_experiment_journal(journal, clock)
    first = week_start(built.today) - timedelta(weeks=weeks - 1)
    zone = journal_zone(journal)
    nights = _nights(journal, since=first)
    everything = build_insights(
        nights, _evenings(journal), [], today=built.today, weeks=weeks, zone=zone
    )
    state = insights(journal, built.today, weeks)
    assert (state.stress, state.lights_out) == (everything.stress, everything.lights_out)
    rated = [e for e in _evenings(journal, stress_from=first, zone=zone) if e.stress_before]
    all_rated = [e for e in _evenings(journal) if e.stress_before]
    assert 0 < len(rated) < len(all_rated) if weeks <= 6 else len(rated) == len(all_rated)


class _Reads:
    """A journal that notes every read it is asked for."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.calls: list[tuple[str, dict[str, object]]] = []

    def __getattr__(self, name: str) -> object:
        found = getattr(self.journal, name)
        if not callable(found):
            return found

        def read(*args: object, **kwargs: object) -> object:
            self.calls.append((name, kwargs))
            return found(*args, **kwargs)

        return read


def test_the_experiment_reads_only_its_own_mornings_and_no_stress_ratings(
    journal: Journal, clock: FakeClock
) -> None:
    """Status and report need the plan's mornings and whether each evening's session happened:
    not the diary of the years before, nor anyone's stress."""
    built = build_experiment_journal(journal, clock)
    reads = _Reads(journal)
    report = experiment_report(reads, built.today)  # type: ignore[arg-type]
    status = experiment_status(reads, built.today)  # type: ignore[arg-type]
    assert report == experiment_report(journal, built.today)
    assert status == experiment_status(journal, built.today)
    asked = [name for name, _ in reads.calls]
    assert "ratings" not in asked
    mornings = [kw.get("since") for name, kw in reads.calls if name == "diary" and "last" not in kw]
    assert mornings == [FIRST_EVENING + timedelta(days=1)] * 2
    assert len(journal.diary(since=FIRST_EVENING + timedelta(days=1))) < len(journal.diary())


def test_the_phase_of_an_experiment_on_an_evening(journal: Journal, clock: FakeClock) -> None:
    built = build_experiment_journal(journal, clock)
    stored = experiment_status(journal, built.today).stored
    last = FIRST_EVENING + timedelta(days=NIGHTS - 1)
    assert stored.phase(FIRST_EVENING - timedelta(days=1)) == "upcoming"
    assert stored.phase(FIRST_EVENING) == stored.phase(last) == "running"
    assert stored.phase(last + timedelta(days=1)) == "finished"
    clock.now = clock.now.replace(year=2024, month=2, day=20, hour=8)
    stopped = stop(journal, date(2024, 2, 20))
    assert {stopped.phase(d) for d in (FIRST_EVENING - timedelta(days=1), last)} == {"stopped"}
