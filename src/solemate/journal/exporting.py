"""Writing the export: every row of the journal as its section's model, people by ``uid``.

:data:`SECTION_SPECS` ties each section to its table, its model and the function that maps a row
to the model; ``transfer.py`` uses the same mapping to recognise a re-imported row as unchanged.
Diary times are written as local times with their UTC offset, the way the person wrote them;
every other instant is UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import select
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
from solemate.journal.records import Moment, SessionStatus, as_recorded
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

__all__ = ["SECTION_SPECS", "Section", "Uids", "export_journal"]


@dataclass
class Uids:
    """Database id → uid for the rows other rows refer to (filled as people and sessions load)."""

    person: dict[int, str] = field(default_factory=dict)
    session: dict[int, str] = field(default_factory=dict)


def _person_out(row: PersonRow, _: Uids) -> PersonOut:
    return PersonOut(id=row.uid, name=row.name, created_at=row.created_at)


def _screen_out(row: SafetyScreenRow, uids: Uids) -> SafetyScreenOut:
    return SafetyScreenOut(
        id=row.uid,
        person=uids.person[row.person_id],
        screened_on=row.screened_on,
        answers=row.answers,
        level=row.level,
        reasons=list(row.reasons),
        created_at=row.created_at,
    )


def _session_out(row: SessionRow, uids: Uids) -> SessionOut:
    return SessionOut(
        id=row.uid,
        routine_id=row.routine_id,
        routine_version=row.routine_version,
        plan_options=row.plan_options,
        planned_seconds=row.planned_seconds,
        status=cast(SessionStatus, row.status),  # the CHECK constraint keeps it one of five
        created_at=row.created_at,
        started_at=row.started_at,
        ended_at=row.ended_at,
        foot=row.foot,
        step_index=row.step_index,
        step_id=row.step_id,
        progress_at=row.progress_at,
        giver=uids.person[row.giver_id],
        receiver=uids.person[row.receiver_id],
        played_seconds=row.played_seconds,
    )


def _rating_out(row: RatingRow, uids: Uids) -> RatingOut:
    return RatingOut(
        id=row.uid,
        session=None if row.session_id is None else uids.session[row.session_id],
        person=uids.person[row.person_id],
        moment=cast(Moment, row.moment),
        stress=row.stress,
        relaxation=row.relaxation,
        rated_at=row.rated_at,
    )


def _diary_out(row: DiaryRow, uids: Uids) -> DiaryOut:
    zone = ZoneInfo(row.zone)
    return DiaryOut(
        id=row.uid,
        person=uids.person[row.person_id],
        wake_date=row.wake_date,
        zone=row.zone,
        into_bed=row.into_bed.astimezone(zone),
        tried_to_sleep=row.tried_to_sleep.astimezone(zone),
        sol_min=row.sol_min,
        awakenings=row.awakenings,
        waso_min=row.waso_min,
        final_awakening=row.final_awakening.astimezone(zone),
        out_of_bed=row.out_of_bed.astimezone(zone),
        quality=row.quality,
        comments=row.comments,
        tib_min=row.tib_min,
        tst_min=row.tst_min,
        se_pct=row.se_pct,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _device_night_out(row: DeviceNightRow, uids: Uids) -> DeviceNightOut:
    return DeviceNightOut(
        id=row.uid,
        person=uids.person[row.person_id],
        source=row.source,
        device=row.device,
        wake_date=row.wake_date,
        bed_start=as_recorded(row.bed_start, row.bed_start_offset_min, row.zone),
        bed_end=as_recorded(row.bed_end, row.bed_end_offset_min, row.zone),
        zone=row.zone,
        tib_min=row.tib_min,
        tst_min=row.tst_min,
        sol_min=row.sol_min,
        se_pct=row.se_pct,
        is_nap=row.is_nap,
        imported_at=row.imported_at,
    )


def _control_out(row: ControlActivityRow, uids: Uids) -> ControlActivityOut:
    return ControlActivityOut(
        id=row.uid,
        person=uids.person[row.person_id],
        on_date=row.on_date,
        activity=row.activity,
        minutes=row.minutes,
        created_at=row.created_at,
    )


def _nap_out(row: NapRow, uids: Uids) -> NapOut:
    return NapOut(
        id=row.uid,
        person=uids.person[row.person_id],
        on_date=row.on_date,
        zone=row.zone,
        start=as_recorded(row.started_at, None, row.zone),
        end=as_recorded(row.ended_at, None, row.zone),
        minutes=row.minutes,
        created_at=row.created_at,
    )


def _note_out(row: NoteRow, uids: Uids) -> NoteOut:
    return NoteOut(
        id=row.uid,
        person=uids.person[row.person_id],
        session=None if row.session_id is None else uids.session[row.session_id],
        written_at=row.written_at,
        text=row.text,
    )


@dataclass(frozen=True)
class Section:
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


def export_journal(session: Session, exported_at: datetime) -> dict[str, Any]:
    """Every row of the journal as a JSON-able dict (read inside one consistent transaction)."""
    uids = Uids()
    result: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": exported_at.astimezone(UTC).isoformat(),
    }
    for name in SECTIONS:
        spec = SECTION_SPECS[name]
        rows = session.scalars(select(spec.table).order_by(spec.table.id)).all()
        if spec.table is PersonRow:
            uids.person = {row.id: row.uid for row in rows}
        elif spec.table is SessionRow:
            uids.session = {row.id: row.uid for row in rows}
        result[name] = [spec.out(row, uids).model_dump(mode="json") for row in rows]
    return result
