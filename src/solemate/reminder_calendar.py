"""The nightly reminder as an iCalendar file (RFC 5545) that any calendar app imports.

One repeating event, built with the ``icalendar`` library: its time zone written out as a
``VTIMEZONE`` (from :mod:`zoneinfo`, so the reminder stays at 22:15 on the wall clock through the
daylight-saving changes), a daily ``RRULE`` or a weekly one with ``BYDAY``, and a display
``VALARM`` at the start. Its ``UID`` is the person's, so importing a new file, or a calendar app
refreshing the feed, updates the event instead of adding a second one; ``SEQUENCE`` and
``LAST-MODIFIED`` grow with the time the file is made, which is what tells an app the event
changed.

During a personal experiment the event never says which kind of night it is: the arm is decided
for the evening, and a calendar read in the afternoon must not reveal it. When the experiment's
last evening is known, that event (a UID of its own) ends there (``UNTIL``) and the person's usual
event, with the plain wording, starts on the next chosen day after it: a file written during an
experiment corrects itself once the experiment is over, and a file written later updates the
usual event through its UID.

Pure: the person, the zone, the time and "now" come in; nothing is read from the journal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Timezone, vRecur

from solemate.reminders import DAY_CODES, days_text

__all__ = ["PRODID", "Reminder", "calendar_bytes", "event_uid", "first_day", "summary"]

PRODID = "-//solemate//nightly reminder//EN"
#: SEQUENCE counts minutes since this instant: it grows each time a changed file is made.
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Reminder:
    """What the calendar event says: when, on which days, for whom, and whether an experiment runs.

    ``person_uid`` is the journal's lasting id of the person (None before anyone was written);
    ``receiver`` is the partner massaged, when it is not the person themselves.
    """

    person: str
    person_uid: str | None
    zone: str
    at: time
    days: tuple[str, ...]
    session_minutes: int
    experiment: bool = False
    receiver: str | None = None
    experiment_until: date | None = None
    """The running experiment's last evening (with ``experiment``): its event ends there."""


def event_uid(reminder: Reminder, part: str = "") -> str:
    """The same for one person in every file and feed, so a re-import updates the event;
    ``part`` ("experiment") names the experiment's own event."""
    who = reminder.person_uid or f"name-{reminder.person}"
    return f"nightly-reminder-{who}{'-' + part if part else ''}@solemate"


def summary(reminder: Reminder) -> str:
    """The event's title: short, and during an experiment silent on tonight's kind."""
    if reminder.experiment:
        return "Experiment night"
    if reminder.receiver:
        return f"Foot massage for {reminder.receiver}"
    return "Foot massage"


def _description(reminder: Reminder) -> str:
    clock = f"{reminder.at.hour:02d}:{reminder.at.minute:02d}"
    if reminder.experiment:
        return f"Experiment night: open solemate at {clock} to see tonight's activity."
    return (
        f"About {reminder.session_minutes} minutes, then lights out. "
        "Open solemate when you are ready; a missed evening is fine."
    )


def first_day(days: Sequence[str], today: date) -> date:
    """The first of ``days`` on or after ``today``: where the repetition starts.

    >>> first_day(("WE",), date(2026, 12, 7))  # a Monday
    datetime.date(2026, 12, 9)
    """
    for ahead in range(7):
        day = today + timedelta(days=ahead)
        if DAY_CODES[day.weekday()] in days:
            return day
    raise ValueError("no day chosen")


def calendar_bytes(reminder: Reminder, now: datetime) -> bytes:
    """The whole file. ``now`` (aware) dates it and chooses the first day: today's date in the
    reminder's zone, or the next chosen day."""
    if not reminder.days:
        raise ValueError("no day chosen")
    zone = ZoneInfo(reminder.zone)
    today = now.astimezone(zone).date()
    start = datetime.combine(first_day(reminder.days, today), reminder.at, tzinfo=zone)

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "solemate")
    cal.add_component(Timezone.from_tzinfo(zone, first_date=start.date()))

    until = reminder.experiment_until if reminder.experiment else None
    if until is None:
        cal.add_component(_event(reminder, now, start, event_uid(reminder)))
    else:
        end = datetime.combine(until, reminder.at, tzinfo=zone)
        if start <= end:
            during = _event(reminder, now, start, event_uid(reminder, "experiment"), until=end)
            cal.add_component(during)
        after = replace(reminder, experiment=False, experiment_until=None)
        later = datetime.combine(
            first_day(reminder.days, max(today, until + timedelta(days=1))), reminder.at, zone
        )
        cal.add_component(_event(after, now, later, event_uid(reminder)))
    data: bytes = cal.to_ical()
    return data


def _event(
    reminder: Reminder,
    now: datetime,
    start: datetime,
    uid: str,
    until: datetime | None = None,
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("last-modified", now.astimezone(UTC))
    event.add("sequence", max(0, int((now - _EPOCH).total_seconds() // 60)))
    event.add("summary", summary(reminder))
    event.add("description", _description(reminder))
    event.add("dtstart", start)
    event.add("duration", timedelta(minutes=max(1, reminder.session_minutes)))
    event.add("transp", "TRANSPARENT")  # a reminder, not a busy slot
    # RFC 5545: with a DTSTART in a zone, UNTIL is given in UTC.
    event.add("rrule", _rule(reminder.days, None if until is None else until.astimezone(UTC)))

    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary(reminder))
    alarm.add("trigger", timedelta(0))
    event.add_component(alarm)
    return event


def _rule(days: Sequence[str], until: datetime | None = None) -> vRecur:
    ends = {} if until is None else {"until": until}
    if tuple(days) == DAY_CODES:
        return vRecur({"freq": "DAILY", **ends})
    return vRecur({"freq": "WEEKLY", "byday": [code for code in DAY_CODES if code in days], **ends})


def describe(reminder: Reminder) -> str:
    """One line for the terminal and the Reminders card: "22:15, every day (Europe/Berlin)"."""
    clock = f"{reminder.at.hour:02d}:{reminder.at.minute:02d}"
    return f"{clock}, {days_text(reminder.days)} ({reminder.zone})"
