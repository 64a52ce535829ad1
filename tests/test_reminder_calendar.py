"""The reminder's iCalendar file, read back by two parsers: ``icalendar`` (which wrote it) and
``ics`` (which has a parser of its own): the time zone, the repetition, the alarm, the UID."""

from __future__ import annotations

import doctest
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import ics
import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

import solemate.reminder_calendar
from solemate.reminder_calendar import Reminder, calendar_bytes, event_uid
from solemate.reminders import DAY_CODES

NOW = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)  # a Friday
BERLIN = ZoneInfo("Europe/Berlin")


def reminder(**changes: object) -> Reminder:
    base: dict[str, object] = {
        "person": "me",
        "person_uid": "8f9c2a5e-0000-4000-8000-000000000001",
        "zone": "Europe/Berlin",
        "at": time(22, 15),
        "days": ("MO", "WE"),
        "session_minutes": 12,
    }
    base.update(changes)
    return Reminder(**base)  # type: ignore[arg-type]


def only_event(data: bytes) -> tuple[Any, Any]:
    """The calendar and its one event, untyped: the checks index into icalendar's values."""
    cal: Any = Calendar.from_ical(data)
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return cal, events[0]


def test_doctests() -> None:
    result = doctest.testmod(solemate.reminder_calendar)
    assert result.failed == 0


def test_icalendar_reads_back_zone_rule_and_alarm() -> None:
    data = calendar_bytes(reminder(), NOW)
    cal, event = only_event(data)
    assert str(cal["version"]) == "2.0"
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    start = event.decoded("dtstart")
    assert start.tzinfo is not None
    assert start.replace(tzinfo=None) == datetime(2026, 12, 7, 22, 15)  # the next Monday
    assert event.decoded("duration") == timedelta(minutes=12)
    rule = event["rrule"]
    assert rule["FREQ"] == ["WEEKLY"]
    assert rule["BYDAY"] == ["MO", "WE"]
    alarms = event.walk("VALARM")
    assert len(alarms) == 1
    assert str(alarms[0]["action"]) == "DISPLAY"
    assert alarms[0].decoded("trigger") == timedelta(0)
    assert str(event["summary"]) == "Foot massage"


def test_the_repetition_keeps_the_wall_clock_through_daylight_saving() -> None:
    _, event = only_event(calendar_bytes(reminder(), NOW))
    start = event.decoded("dtstart").replace(tzinfo=BERLIN)
    rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=start)
    after_spring = list(
        rule.between(datetime(2027, 3, 20, tzinfo=BERLIN), datetime(2027, 4, 5, tzinfo=BERLIN))
    )
    assert after_spring
    for when in after_spring:
        local = when.astimezone(BERLIN)
        assert (local.hour, local.minute) == (22, 15)
        assert DAY_CODES[local.weekday()] in ("MO", "WE")
    offsets = {when.astimezone(BERLIN).utcoffset() for when in after_spring}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}


def test_a_second_parser_agrees() -> None:
    calendar = ics.Calendar(calendar_bytes(reminder(zone="America/New_York"), NOW).decode())
    (event,) = calendar.events
    assert event.uid == event_uid(reminder())
    assert event.begin.datetime.utcoffset() == timedelta(hours=-5)
    assert (event.begin.datetime.hour, event.begin.datetime.minute) == (22, 15)
    assert event.duration == timedelta(minutes=12)
    assert "RRULE:FREQ=WEEKLY;BYDAY=MO,WE" in str(event.extra)
    (alarm,) = event.alarms
    assert type(alarm).__name__ == "DisplayAlarm"
    assert alarm.trigger == timedelta(0)


def test_every_day_is_a_daily_rule_starting_today() -> None:
    _, event = only_event(calendar_bytes(reminder(days=DAY_CODES), NOW))
    assert event["rrule"]["FREQ"] == ["DAILY"]
    assert "BYDAY" not in event["rrule"]
    assert event.decoded("dtstart").date() == date(2026, 12, 4)


def test_the_uid_is_the_persons_so_a_new_file_updates_the_event() -> None:
    first = only_event(calendar_bytes(reminder(), NOW))[1]
    later = only_event(
        calendar_bytes(reminder(at=time(21, 30), days=DAY_CODES), NOW + timedelta(days=3))
    )[1]
    other = only_event(calendar_bytes(reminder(person_uid="someone-else"), NOW))[1]
    assert first["uid"] == later["uid"] != other["uid"]
    assert later["sequence"] > first["sequence"]


def test_an_experiment_night_never_says_which_kind() -> None:
    data = calendar_bytes(reminder(experiment=True, at=time(22, 0)), NOW)
    _, event = only_event(data)
    assert str(event["summary"]) == "Experiment night"
    assert str(event["description"]) == (
        "Experiment night: open solemate at 22:00 to see tonight's activity."
    )
    text = data.decode().lower()
    for revealing in ("massage", "control"):
        assert revealing not in text


def test_a_partner_is_named_in_the_title() -> None:
    _, event = only_event(calendar_bytes(reminder(receiver="Sam"), NOW))
    assert str(event["summary"]) == "Foot massage for Sam"


def test_no_day_is_refused() -> None:
    with pytest.raises(ValueError, match="no day"):
        calendar_bytes(reminder(days=()), NOW)
