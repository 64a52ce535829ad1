"""Control evenings, experiments, notes and deleting one entry: one family of :class:`Journal`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Literal

from sqlalchemy import select

from solemate.journal.checks import check_int, check_note
from solemate.journal.core import JournalCore
from solemate.journal.experiment_records import ControlActivity, StoredExperiment
from solemate.journal.experiments import experiments
from solemate.journal.mapping import record_from_row
from solemate.journal.people import remove, same_name
from solemate.journal.records import JournalError, Note, NotTheirs
from solemate.journal.schema import (
    ControlActivityRow,
    DeviceNightRow,
    DiaryRow,
    Keyed,
    NapRow,
    NoteRow,
    PersonRow,
    RatingRow,
    SafetyScreenRow,
    SessionRow,
    new_uid,
)

__all__ = ["EntriesMixin", "EntryKind"]

EntryKind = Literal[
    "person",
    "safety_screen",
    "session",
    "rating",
    "diary",
    "device_night",
    "control_activity",
    "note",
    "nap",
]

_TABLES: dict[str, type[Keyed]] = {
    "person": PersonRow,
    "safety_screen": SafetyScreenRow,
    "session": SessionRow,
    "rating": RatingRow,
    "diary": DiaryRow,
    "device_night": DeviceNightRow,
    "control_activity": ControlActivityRow,
    "note": NoteRow,
    "nap": NapRow,
}


class EntriesMixin(JournalCore):
    """Control activities, the personal experiments, notes, and deleting an entry by kind."""

    def log_control_activity(
        self, on: date, activity: str, minutes: int, *, person: str | None = None
    ) -> ControlActivity:
        """Record an evening's control activity (the experiment's non-massage nights)."""
        if not isinstance(activity, str) or not 1 <= len(activity.strip()) <= 100:
            raise JournalError("must be 1 to 100 characters", field="activity")
        check_int(minutes, "minutes", 1, 600)
        with self._writer.begin() as s:
            row = self._add(
                s,
                ControlActivityRow(
                    uid=new_uid(),
                    person_id=self._person_id(s, person),
                    on_date=on,
                    activity=activity.strip(),
                    minutes=minutes,
                    created_at=self._now(),
                ),
            )
            return self._control(self._names(s), row)

    def control_activities(
        self, *, last: int | None = None, person: str | None = None
    ) -> list[ControlActivity]:
        """Control evenings by date, oldest first."""
        with self._reader() as s:
            pid = self._existing_person_id(s, person)
            query = select(ControlActivityRow).where(ControlActivityRow.person_id == pid)
            rows = self._last(s, query, ControlActivityRow.on_date, last, ControlActivityRow.id)
            names = self._names(s)
            return [self._control(names, row) for row in rows]

    def experiments(self, *, person: str | None = None) -> list[StoredExperiment]:
        """A person's personal experiments, oldest first."""
        return experiments(self, person=person)

    def add_note(
        self, text: str, *, person: str | None = None, session_id: int | None = None
    ) -> Note:
        """Keep a free-text note, about a session if ``session_id`` is given."""
        check_note(text)
        with self._writer.begin() as s:
            if session_id is not None:
                self._get(s, SessionRow, session_id, "session")
            row = self._add(
                s,
                NoteRow(
                    uid=new_uid(),
                    person_id=self._person_id(s, person),
                    session_id=session_id,
                    written_at=self._now(),
                    text=text,
                ),
            )
            return self._note(self._names(s), row)

    def edit_note(self, note_id: int, text: str) -> Note:
        """Replace a note's text; when and about which session it was written stay."""
        check_note(text)
        with self._writer.begin() as s:
            row = self._get(s, NoteRow, note_id, "note")
            row.text = text
            return self._note(self._names(s), row)

    def notes(self, *, last: int | None = None) -> list[Note]:
        """Notes in the order they were written (the chosen person's, when one is chosen)."""
        with self._reader() as s:
            names = self._names(s)
            query = select(NoteRow)
            pid = self._chosen_id(s)
            if pid is not None:
                query = query.where(NoteRow.person_id == pid)
            return [self._note(names, r) for r in self._last(s, query, NoteRow.id, last)]

    def delete_entry(self, kind: EntryKind, entry_id: int) -> None:
        """Delete one row by kind and id; a person or session takes what belongs to it along."""
        table = _TABLES.get(kind)
        if table is None:
            raise JournalError(f"unknown kind {kind!r}", field="kind")
        with self._writer.begin() as s:
            row = self._get(s, table, entry_id, kind.replace("_", " "))
            if isinstance(row, PersonRow):
                remove(s, row)  # with the care of remove_person (what they gave stays)
            else:
                s.delete(row)

    def owners(self, kind: EntryKind, entry_id: int) -> tuple[str, ...]:
        """Whose entry this is: its person's name, or a session's receiver and giver (one name
        for self-massage). An unknown entry is a :class:`JournalError` with ``field="id"``."""
        table = _TABLES.get(kind)
        if table is None or table is PersonRow:
            raise JournalError(f"unknown kind {kind!r}", field="kind")
        with self._reader() as s:
            row = self._get(s, table, entry_id, kind.replace("_", " "))
            names = self._names(s)
            if isinstance(row, SessionRow):
                ids = dict.fromkeys((row.receiver_id, row.giver_id))
            else:
                ids = dict.fromkeys((row.person_id,))  # type: ignore[attr-defined]
            return tuple(names[pid] for pid in ids)

    def check_owner(self, kind: EntryKind, entry_id: int, person: str | None = None) -> None:
        """Refuse an entry that is not ``person``'s (None: the chosen person; nobody chosen:
        anyone may). A session is its receiver's and its giver's.

        Raises :class:`NotTheirs` naming whose it is, or :class:`JournalError` (``field="id"``)
        for an unknown entry.
        """
        who = self.whose(person)
        owners = self.owners(kind, entry_id)
        if who is not None and not any(same_name(who, owner) for owner in owners):
            raise NotTheirs(kind.replace("_", " "), entry_id, owners, who)

    @staticmethod
    def _control(names: Mapping[int, str], row: ControlActivityRow) -> ControlActivity:
        return record_from_row(row, ControlActivity, person=names[row.person_id])

    @staticmethod
    def _note(names: Mapping[int, str], row: NoteRow) -> Note:
        return record_from_row(row, Note, person=names[row.person_id])
