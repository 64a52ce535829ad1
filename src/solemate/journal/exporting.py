"""Writing the export: every row of the journal as its section's model, people by ``uid``.

:data:`SECTION_SPECS` ties each section to its table, its model and the function that maps a row
to the model; ``transfer.py`` uses the same mapping to recognise a re-imported row as unchanged.
Diary times are written as local times with their UTC offset, the way the person wrote them;
every other instant is UTC.

One person's export (:func:`export_journal` with ``person_id``) is what is about them: their
diary, naps, device nights, control evenings, safety screens, notes and ratings, and the sessions
they received. A session they gave someone else is about the receiver and stays out, with the
ratings and notes about it. The giver of a session they received is carried as a person record
(name only, nothing of theirs), so the file stays valid and imports into an empty journal
exactly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from solemate.journal.export_format import (
    EXPORT_FORMAT,
    EXPORT_VERSION,
    SECTIONS,
    ControlActivityOut,
    DeviceNightOut,
    DiaryOut,
    ExportRow,
    NapOut,
    NoteOut,
    PersonOut,
    RatingOut,
    SafetyScreenOut,
    SessionOut,
)
from solemate.journal.mapping import export_from_row
from solemate.journal.records import as_recorded
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
)

__all__ = [
    "BATCH",
    "SECTION_SPECS",
    "Section",
    "Uids",
    "export_journal",
    "write_journal_json",
]

BATCH = 500
"""Rows read from the database at a time while exporting."""


@dataclass
class Uids:
    """Database id → uid for the rows other rows refer to (filled as people and sessions load)."""

    person: dict[int, str] = field(default_factory=dict)
    session: dict[int, str] = field(default_factory=dict)


def _person_out(row: PersonRow, _: Uids) -> PersonOut:
    return export_from_row(row, PersonOut)


def _screen_out(row: SafetyScreenRow, uids: Uids) -> SafetyScreenOut:
    return export_from_row(
        row, SafetyScreenOut, person=uids.person[row.person_id], reasons=list(row.reasons)
    )


def _session_out(row: SessionRow, uids: Uids) -> SessionOut:
    return export_from_row(
        row,
        SessionOut,
        giver=uids.person[row.giver_id],
        receiver=uids.person[row.receiver_id],
    )


def _rating_out(row: RatingRow, uids: Uids) -> RatingOut:
    return export_from_row(
        row,
        RatingOut,
        session=None if row.session_id is None else uids.session[row.session_id],
        person=uids.person[row.person_id],
    )


def _diary_out(row: DiaryRow, uids: Uids) -> DiaryOut:
    zone = ZoneInfo(row.zone)
    return export_from_row(
        row,
        DiaryOut,
        person=uids.person[row.person_id],
        into_bed=row.into_bed.astimezone(zone),
        tried_to_sleep=row.tried_to_sleep.astimezone(zone),
        final_awakening=row.final_awakening.astimezone(zone),
        out_of_bed=row.out_of_bed.astimezone(zone),
    )


def _device_night_out(row: DeviceNightRow, uids: Uids) -> DeviceNightOut:
    return export_from_row(
        row,
        DeviceNightOut,
        person=uids.person[row.person_id],
        bed_start=as_recorded(row.bed_start, row.bed_start_offset_min, row.zone),
        bed_end=as_recorded(row.bed_end, row.bed_end_offset_min, row.zone),
    )


def _control_out(row: ControlActivityRow, uids: Uids) -> ControlActivityOut:
    return export_from_row(row, ControlActivityOut, person=uids.person[row.person_id])


def _nap_out(row: NapRow, uids: Uids) -> NapOut:
    return export_from_row(
        row,
        NapOut,
        person=uids.person[row.person_id],
        start=as_recorded(row.started_at, None, row.zone),
        end=as_recorded(row.ended_at, None, row.zone),
    )


def _note_out(row: NoteRow, uids: Uids) -> NoteOut:
    return export_from_row(
        row,
        NoteOut,
        person=uids.person[row.person_id],
        session=None if row.session_id is None else uids.session[row.session_id],
    )


@dataclass(frozen=True)
class Section:
    """One section of the export: its table, its model and how a row becomes the model."""

    table: type[Keyed]
    model: type[ExportRow]
    out: Callable[[Any, Uids], ExportRow]


SECTION_SPECS: dict[str, Section] = {
    "people": Section(PersonRow, PersonOut, _person_out),
    "safety_screens": Section(SafetyScreenRow, SafetyScreenOut, _screen_out),
    "sessions": Section(SessionRow, SessionOut, _session_out),
    "ratings": Section(RatingRow, RatingOut, _rating_out),
    "diary": Section(DiaryRow, DiaryOut, _diary_out),
    "device_nights": Section(DeviceNightRow, DeviceNightOut, _device_night_out),
    "control_activities": Section(ControlActivityRow, ControlActivityOut, _control_out),
    "notes": Section(NoteRow, NoteOut, _note_out),
    "naps": Section(NapRow, NapOut, _nap_out),
}


def _about(table: type[Keyed], pid: int) -> ColumnElement[bool]:
    """The rows of ``table`` one person's export holds (see the module docstring)."""
    received = select(SessionRow.id).where(SessionRow.receiver_id == pid)
    if table is PersonRow:
        givers = select(SessionRow.giver_id).where(SessionRow.receiver_id == pid)
        return or_(PersonRow.id == pid, PersonRow.id.in_(givers))
    if table is SessionRow:
        return SessionRow.receiver_id == pid
    if table is RatingRow or table is NoteRow:
        about = table.session_id
        return (table.person_id == pid) & (about.is_(None) | about.in_(received))
    return table.person_id == pid  # type: ignore[attr-defined, no-any-return]


def export_journal(
    session: Session, exported_at: datetime, person_id: int | None = None
) -> dict[str, Any]:
    """Every row of the journal as a JSON-able dict (read inside one consistent transaction), or
    only what is about the person ``person_id`` (see the module docstring)."""
    result = _head(exported_at)
    for name, rows in _sections(session, person_id):
        result[name] = list(rows)
    return result


def write_journal_json(
    out: IO[bytes], session: Session, exported_at: datetime, person_id: int | None = None
) -> None:
    """Write :func:`export_journal`'s document to ``out`` as compact JSON (UTF-8, keys in the
    same order: the bytes ``json.dumps(..., ensure_ascii=False, separators=(",", ":"))`` gives
    for it), as the rows are read.

    The rows are read :data:`BATCH` at a time, so what is held at once does not grow with the
    journal: the export of ten years is 5.4 MB written, 14 MB as Python dicts."""
    out.write(_dumps(_head(exported_at))[:-1].encode())
    for name, rows in _sections(session, person_id):
        out.write(f",{_dumps(name)}:[".encode())
        for n, row in enumerate(rows):
            out.write(f"{',' if n else ''}{_dumps(row)}".encode())
        out.write(b"]")
    out.write(b"}")


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _head(exported_at: datetime) -> dict[str, Any]:
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": exported_at.astimezone(UTC).isoformat(),
    }


def _sections(
    session: Session, person_id: int | None
) -> Iterator[tuple[str, Iterator[dict[str, Any]]]]:
    """Each section's name and its rows as JSON-able dicts, in the export's order; a section's
    rows are read when its turn comes (people and sessions first, whose uids the rest name)."""
    uids = Uids()
    for name in SECTIONS:
        spec = SECTION_SPECS[name]
        table = spec.table
        query = select(table).order_by(table.id)
        if person_id is not None:
            query = query.where(_about(table, person_id))
        if table is PersonRow or table is SessionRow:
            # The uids other sections name, read whole before this section's rows stream.
            known = session.execute(query.with_only_columns(table.id, table.uid))
            if table is PersonRow:
                uids.person = dict(known.all())
            else:
                uids.session = dict(known.all())
        # Plain rows of the table's columns, not ORM objects (the session would keep every object
        # until the export ends), read a batch at a time so the memory an export needs does not
        # grow with the journal; a row has each column as an attribute, as the object has.
        rows = session.execute(
            query.with_only_columns(*table.__table__.columns).execution_options(yield_per=BATCH)
        )
        yield name, (spec.out(row, uids).model_dump(mode="json") for row in rows)
