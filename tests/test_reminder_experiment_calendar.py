"""During a personal experiment: the experiment's event ends (UNTIL) on its last evening and the
usual event carries on after it, read back by ``icalendar`` and by ``ics``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import ics
from dateutil.rrule import rrulestr
from icalendar import Calendar

from solemate.journal import Journal
from solemate.journal.experiments import start_experiment
from solemate.reminder_calendar import calendar_bytes, event_uid
from solemate.reminder_service import plan_reminder
from solemate.reminders import DAY_CODES
from tests.test_reminder_calendar import BERLIN, NOW, reminder

LAST = date(2026, 12, 10)


def _events(data: bytes) -> dict[str, Any]:
    cal: Any = Calendar.from_ical(data)
    return {str(event["uid"]): event for event in cal.walk("VEVENT")}


def _nights(event: Any, count: int = 400) -> list[date]:
    start = event.decoded("dtstart")
    rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=start)
    return [when.astimezone(BERLIN).date() for when in list(rule)[:count]]


def test_the_experiment_ends_on_its_last_evening_and_the_usual_event_follows() -> None:
    plan = reminder(days=DAY_CODES, experiment=True, experiment_until=LAST)
    events = _events(calendar_bytes(plan, NOW))
    during, after = events[event_uid(plan, "experiment")], events[event_uid(plan)]
    assert str(during["summary"]) == "Experiment night"
    assert during["rrule"]["UNTIL"] == [datetime(2026, 12, 10, 21, 15, tzinfo=UTC)]
    assert _nights(during) == [date(2026, 12, 4) + timedelta(days=n) for n in range(7)]
    assert str(after["summary"]) == "Foot massage"
    assert "UNTIL" not in after["rrule"]
    assert after.decoded("dtstart").replace(tzinfo=None) == datetime(2026, 12, 11, 22, 15)
    assert _nights(after, 3) == [date(2026, 12, 11), date(2026, 12, 12), date(2026, 12, 13)]
    for part in ("summary", "description"):
        for revealing in ("massage", "control"):
            assert revealing not in str(during[part]).lower()


def test_a_second_parser_reads_both_events() -> None:
    plan = reminder(days=("MO", "WE"), experiment=True, experiment_until=LAST)
    calendar = ics.Calendar(calendar_bytes(plan, NOW).decode())
    by_uid = {event.uid: event for event in calendar.events}
    during, after = by_uid[event_uid(plan, "experiment")], by_uid[event_uid(plan)]
    assert "RRULE:FREQ=WEEKLY;UNTIL=20261210T211500Z;BYDAY=MO,WE" in str(during.extra)
    assert during.begin.datetime.date() == date(2026, 12, 7)
    assert after.begin.datetime.date() == date(2026, 12, 14)  # the first Monday after
    assert after.name == "Foot massage"
    assert len(after.alarms) == len(during.alarms) == 1


def test_an_experiment_with_no_evening_left_on_the_chosen_days_leaves_the_usual_event() -> None:
    plan = reminder(days=("MO",), experiment=True, experiment_until=date(2026, 12, 5))
    events = _events(calendar_bytes(plan, NOW))
    assert list(events) == [event_uid(plan)]
    assert events[event_uid(plan)].decoded("dtstart").date() == date(2026, 12, 7)


def test_the_service_passes_the_experiments_last_evening(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    with Journal(f"sqlite:///{tmp_path / 'journal.sqlite3'}") as journal:
        stored = start_experiment(
            journal,
            outcome="sol",
            design="pairs",
            first_evening=now.date() - timedelta(days=1),
            seed=7,
            control="15 minutes of reading",
            minimum=5.0,
            arms=["M", "C", "C", "M"],
        )
        planned = plan_reminder(
            journal, person=None, at=time(22, 0), session_minutes=12, now=now, fallback_zone="UTC"
        )
    assert planned.reminder.experiment
    assert planned.suggestion is None  # a time was given
    assert planned.reminder.experiment_until == stored.last_evening
