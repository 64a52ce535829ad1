"""The journal-backed side of the nightly reminder: whose, when, where, and whether tonight is an
experiment night.

``solemate remind`` and the web app's calendar feed both call :func:`plan_reminder`, so the rule
of which diary nights count, which zone the reminder keeps, how a saved time and days
(``journal/reminder_preferences.py``) take the suggestion's place and how an experiment hides
tonight's kind lives here once; the arithmetic is :mod:`solemate.reminders`' and the file
:mod:`solemate.reminder_calendar`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from solemate.journal.reading import running_experiment
from solemate.journal.reminder_preferences import saved_reminder
from solemate.plan import PlanOptions
from solemate.reminder_calendar import Reminder
from solemate.reminders import DAY_CODES, NIGHTS, Suggestion, suggest

if TYPE_CHECKING:
    from solemate.journal import Journal
    from solemate.tonight import Planner

__all__ = ["PlannedReminder", "nightly_minutes", "plan_reminder"]


@dataclass(frozen=True)
class PlannedReminder:
    """The reminder to write, and the suggestion it came from when no time was given."""

    reminder: Reminder
    suggestion: Suggestion | None


def nightly_minutes(planner: Planner) -> int:
    """Tonight's usual session: the nightly length, in whole minutes (rounded up)."""
    total = planner.timeline(PlanOptions(preset="nightly")).total
    return -(-total // 60)


def _usual_minutes(journal: Journal, receiver: str) -> int | None:
    """The length of the last session ``receiver`` was given, in whole minutes (rounded up):
    tonight's is likely the same. None before the first."""
    given = [
        s for s in journal.sessions(last=RECENT_SESSIONS, everyone=True) if s.receiver == receiver
    ]
    return -(-given[-1].planned_seconds // 60) if given else None


#: How far back to look for a person's last session (sessions of others come between).
RECENT_SESSIONS = 50


def plan_reminder(
    journal: Journal,
    *,
    person: str | None,
    at: time | None,
    days: tuple[str, ...] | None = None,
    session_minutes: int,
    now: datetime,
    fallback_zone: str,
) -> PlannedReminder:
    """The reminder for ``person`` (None: the journal's first person).

    Without ``at`` the time is the person's saved one, else suggested from the last
    :data:`~solemate.reminders.NIGHTS` diary nights and the length of the last session the person
    was given (``session_minutes``, the nightly length, before the first); without ``days``, the saved days, else every
    day. The zone is the latest diary night's, else ``fallback_zone`` (the machine's). An
    unknown person is a :class:`~solemate.journal.JournalError` with ``field="person"``.
    """
    found = _person(journal, person)
    name, uid = found if found is not None else (person or _default_name(), None)
    nights = journal.diary(last=NIGHTS, person=person)
    zone = nights[-1].entry.zone if nights else fallback_zone
    suggestion = None
    saved = saved_reminder(journal, person) if at is None or days is None else None
    if saved is not None:
        at = saved.at if at is None else at
        days = saved.days if days is None else days
    days = DAY_CODES if days is None else days
    if at is None:
        lights_out = [record.entry.tried_to_sleep.time() for record in nights]
        session_minutes = _usual_minutes(journal, name) or session_minutes
        suggestion = suggest(lights_out, session_minutes=session_minutes)
        at = suggestion.at
    evening = now.astimezone(ZoneInfo(zone)).date()
    running = running_experiment(journal, evening, person=person)
    reminder = Reminder(
        person=name,
        person_uid=uid,
        zone=zone,
        at=at,
        days=days,
        session_minutes=session_minutes,
        experiment=running is not None,
        experiment_until=None if running is None else running.last_evening,
    )
    return PlannedReminder(reminder=reminder, suggestion=suggestion)


def _person(journal: Journal, name: str | None) -> tuple[str, str] | None:
    """``(name, uid)`` of the named person or the first one; None when the journal has nobody."""
    people = journal.people()
    if name is None:
        return (people[0].name, people[0].uid) if people else None
    from solemate.journal.records import same_name

    for known in people:
        if same_name(known.name, name):
            return known.name, known.uid
    from solemate.journal import JournalError

    raise JournalError(f"no person called {name!r}; add them first", field="person")


def _default_name() -> str:
    from solemate.journal import DEFAULT_PERSON

    return DEFAULT_PERSON
