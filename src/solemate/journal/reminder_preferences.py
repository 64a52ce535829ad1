"""Each person's nightly reminder as they set it: a time (or the suggestion) and the days.

``solemate remind --at … --days …`` and the Reminders card save it, ``remind --clear`` and the
card's "use the suggestion" remove it, and :mod:`solemate.reminder_service` reads it for the file
and the calendar feed. No row is the suggestion, every day; a row whose time is None keeps its days
with the suggested time. Like the feed link, it is not part of an export.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from enum import Enum
from typing import TYPE_CHECKING, Final, Literal

from sqlalchemy import delete

from solemate.journal.people import existing_person_id, person_id
from solemate.journal.schema import ReminderPreferenceRow
from solemate.reminders import DAY_CODES

if TYPE_CHECKING:
    from solemate.journal.core import JournalCore as Journal

__all__ = ["KEEP", "ReminderPreference", "clear_reminder", "save_reminder", "saved_reminder"]


class _Keep(Enum):
    KEEP = "keep"


#: For :func:`save_reminder`: leave this part as it was saved (else as suggested).
KEEP: Final = _Keep.KEEP


@dataclass(frozen=True)
class ReminderPreference:
    """A saved reminder: ``at`` None is the time suggested from the diary."""

    at: time | None
    days: tuple[str, ...]


def saved_reminder(journal: Journal, person: str | None = None) -> ReminderPreference | None:
    """``person``'s saved reminder (None: the first person's), or None when nothing is saved."""
    with journal.reading() as s:
        pid = existing_person_id(s, person)
        row = None if pid is None else s.get(ReminderPreferenceRow, pid)
        return None if row is None else _preference(row)


def save_reminder(
    journal: Journal,
    person: str | None = None,
    *,
    at: time | Literal[_Keep.KEEP] | None = KEEP,
    days: tuple[str, ...] | Literal[_Keep.KEEP] = KEEP,
) -> ReminderPreference:
    """Save ``person``'s time and days; a part given as :data:`KEEP` stays as it was.

    ``days`` are iCalendar codes (:data:`~solemate.reminders.DAY_CODES`), at least one. An unknown
    person is a ``JournalError``.
    """
    if days is not KEEP and (not days or not set(days) <= set(DAY_CODES)):
        raise ValueError(f"days must be some of {DAY_CODES}, got {days!r}")
    with journal.writing() as s:
        pid = person_id(s, person, journal.now)
        row = s.get(ReminderPreferenceRow, pid)
        if row is None:
            row = ReminderPreferenceRow(person_id=pid, at=None, days=",".join(DAY_CODES))
            s.add(row)
        if at is not KEEP:
            row.at = None if at is None else f"{at.hour:02d}:{at.minute:02d}"
        if days is not KEEP:
            row.days = ",".join(code for code in DAY_CODES if code in days)
        row.updated_at = journal.now()
        s.flush()
        return _preference(row)


def clear_reminder(journal: Journal, person: str | None = None) -> bool:
    """Back to the suggestion, every day; whether anything was saved. Unknown person: JournalError."""
    with journal.writing() as s:
        pid = existing_person_id(s, person)
        if pid is None:
            return False
        done = s.execute(
            delete(ReminderPreferenceRow).where(ReminderPreferenceRow.person_id == pid)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]


def _preference(row: ReminderPreferenceRow) -> ReminderPreference:
    at = None if row.at is None else time.fromisoformat(row.at)
    return ReminderPreference(at=at, days=tuple(row.days.split(",")))
