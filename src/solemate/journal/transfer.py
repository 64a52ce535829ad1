"""Export the journal to a plain, versioned dict and import it back exactly.

The export is the person's copy of their data: JSON-able, readable, and complete, so that
export → forget → import gives the same journal. Rows are identified by their ``uid`` and refer to
each other by it (a rating names its session's uid), never by database ids, which differ between
databases. Diary times are written as local times with their UTC offset, the way the person
wrote them; every other instant is UTC.

Import checks every row before anything is kept: a row must parse, pass the same checks as a new
entry (the diary through :func:`solemate.diary.validate_diary`), refer to rows that exist, and not
contradict the journal. A row whose uid is already present with the same content is skipped as
unchanged, so importing a file twice changes nothing. Any bad row refuses the whole import, naming
every bad row; ``skip_bad`` keeps the good rows and returns the rest. It all happens in the one
transaction of the caller, so a refused or failed import leaves the journal as it was.

The format's models are in ``export_format.py``, the export itself in ``exporting.py``; this
module imports, and keeps the names callers use (:func:`export_journal`, :data:`SECTIONS`…).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import (
    ValidationError,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from solemate.diary import (
    DiaryAnswers,
    DiaryEntry,
    DiaryError,
    is_zone_name,
    load_zone,
    validate_diary,
)
from solemate.journal.checks import device_night_problem, session_state_problem
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
from solemate.journal.exporting import SECTION_SPECS, Uids, export_journal
from solemate.journal.import_reports import ImportProblem, ImportRefused, ImportReport
from solemate.journal.mapping import row_from_export
from solemate.journal.records import JournalError, offset_minutes
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
from solemate.text import text_problem

__all__ = [
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "SECTIONS",
    "device_night_problem",
    "diary_row_values",
    "export_journal",
    "import_journal",
    "new_uid",
    "session_state_problem",
]


def diary_row_values(entry: DiaryEntry) -> dict[str, Any]:
    """The diary_entries columns for an accepted entry (items, zone, and derived figures)."""
    return {
        "wake_date": entry.wake_date,
        "zone": entry.zone,
        "into_bed": entry.into_bed,
        "tried_to_sleep": entry.tried_to_sleep,
        "sol_min": entry.sol_min,
        "awakenings": entry.awakenings,
        "waso_min": entry.waso_min,
        "final_awakening": entry.final_awakening,
        "out_of_bed": entry.out_of_bed,
        "quality": entry.quality,
        "comments": entry.comments,
        "tib_min": entry.tib_min,
        "tst_min": entry.tst_min,
        "se_pct": entry.se_pct,
    }


# --- import -------------------------------------------------------------------------------------


class _Refused(Exception):
    """One row cannot be imported; the message says why."""


@dataclass
class _Import:
    """One import's memory: uids of rows that exist (or are refused) and the keys already taken.

    Keys are checked here rather than left to the database's constraints, so a clash becomes a
    message about that row instead of an error that aborts the whole transaction.
    """

    today_in: Callable[[str], date]
    uids: Uids = field(default_factory=Uids)
    person_id: dict[str, int] = field(default_factory=dict)
    session_id: dict[str, int] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # uid → "sessions row 3"
    seen: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    rated: set[tuple[int, int, str]] = field(default_factory=set)
    nights: set[tuple[int, date]] = field(default_factory=set)
    device_nights: set[tuple[int, str, str, datetime]] = field(default_factory=set)

    @classmethod
    def load(cls, session: Session, today_in: Callable[[str], date]) -> _Import:
        state = cls(today_in=today_in)
        for person in session.scalars(select(PersonRow)):
            state.remember(person)
            state.names.add(person.name)
        for massage in session.scalars(select(SessionRow)):
            state.remember(massage)
        for sid, pid, moment in session.execute(
            select(RatingRow.session_id, RatingRow.person_id, RatingRow.moment)
        ):
            if sid is not None:
                state.rated.add((sid, pid, moment))
        for pid, wake_date in session.execute(select(DiaryRow.person_id, DiaryRow.wake_date)):
            state.nights.add((pid, wake_date))
        for pid, source, device, start in session.execute(
            select(
                DeviceNightRow.person_id,
                DeviceNightRow.source,
                DeviceNightRow.device,
                DeviceNightRow.bed_start,
            )
        ):
            state.device_nights.add((pid, source, device, start))
        return state

    def remember(self, row: Keyed) -> None:
        if isinstance(row, PersonRow):
            self.person_id[row.uid] = row.id
            self.uids.person[row.id] = row.uid
        elif isinstance(row, SessionRow):
            self.session_id[row.uid] = row.id
            self.uids.session[row.id] = row.uid

    def person(self, uid: str, what: str = "person") -> int:
        return self._ref(self.person_id, uid, what)

    def session(self, uid: str) -> int:
        return self._ref(self.session_id, uid, "session")

    def _ref(self, ids: Mapping[str, int], uid: str, what: str) -> int:
        if uid in self.refused:
            raise _Refused(f"its {what} ({self.refused[uid]}) is refused")
        if uid not in ids:
            raise _Refused(f"refers to an unknown {what} {uid}")
        return ids[uid]


def import_journal(
    session: Session,
    data: object,
    *,
    skip_bad: bool,
    today_in: Callable[[str], date],
) -> ImportReport:
    """Import an export through ``session``, inside its transaction; see the module docstring.

    ``today_in(zone)`` gives today's date in a zone (later wake dates are refused). Raises
    :class:`ImportRefused` for bad rows (unless ``skip_bad``) or :class:`JournalError` when
    ``data`` is not an export at all; the caller rolls back, so nothing is kept either way.
    """
    sections = _envelope(data)
    state = _Import.load(session, today_in)
    problems: list[ImportProblem] = []
    added: dict[str, int] = {}
    unchanged: dict[str, int] = {}
    for name in SECTIONS:
        spec = SECTION_SPECS[name]
        existing = {row.uid: row for row in session.scalars(select(spec.table))}
        pending: list[Keyed] = []
        for number, raw in enumerate(sections[name], start=1):
            try:
                _check_text(raw, "")
                parsed = _parse(spec.model, raw)
                if parsed.id in state.seen:
                    raise _Refused(f"id {parsed.id} appears twice in the file")
                state.seen.add(parsed.id)
                if parsed.id in existing:
                    if _canonical(spec.out(existing[parsed.id], state.uids)) != _canonical(parsed):
                        raise _Refused(
                            f"id {parsed.id} is already in the journal with different content"
                        )
                    unchanged[name] = unchanged.get(name, 0) + 1
                    continue
                pending.append(_BUILDERS[name](state, parsed))
            except _Refused as refusal:
                problems.append(ImportProblem(name, number, str(refusal)))
                uid = raw.get("id") if isinstance(raw, dict) else None
                if isinstance(uid, str):
                    state.refused.setdefault(uid, f"{name} row {number}")
        if pending:
            session.add_all(pending)
            session.flush()  # people and sessions get their ids before later sections refer
            for row in pending:
                state.remember(row)
            added[name] = len(pending)
    if problems and not skip_bad:
        raise ImportRefused(tuple(problems))
    return ImportReport(added=added, unchanged=unchanged, skipped=tuple(problems))


def _envelope(data: object) -> dict[str, list[Any]]:
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise JournalError(f'not a solemate journal export (no "format": "{EXPORT_FORMAT}")')
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise JournalError(f"the export has no valid version number: {version!r}")
    if version > EXPORT_VERSION:
        raise JournalError(
            f"the export is version {version}, newer than this solemate reads "
            f"({EXPORT_VERSION}); update solemate to import it"
        )
    unknown = set(data) - {"format", "version", "exported_at", *SECTIONS}
    if unknown:
        raise JournalError(f"unknown sections in the export: {', '.join(sorted(unknown))}")
    sections: dict[str, list[Any]] = {}
    for name in SECTIONS:
        rows = data.get(name, [])
        if not isinstance(rows, list):
            raise JournalError(f"section {name!r} is not a list of rows")
        sections[name] = rows
    return sections


_M = TypeVar("_M", bound=ExportRow)


def _check_text(value: object, where: str) -> None:
    """Refuse a row holding text the journal does not store (a NUL, a control character)."""
    if isinstance(value, str):
        problem = text_problem(value, multiline=True)
        if problem is not None:
            raise _Refused(f"{where or 'value'}: {problem}")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, where or "field name")
            _check_text(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_text(item, f"{where}[{i}]")


def _parse(model: type[_M], raw: object) -> _M:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise _Refused("; ".join(_describe(e) for e in error.errors())) from None


def _describe(error: Mapping[str, Any]) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()))
    return f"{where}: {error['msg']}" if where else str(error["msg"])


def _build_person(state: _Import, row: PersonOut) -> PersonRow:
    if row.name in state.names:
        raise _Refused(f"name: there is already a person called {row.name!r}")
    state.names.add(row.name)
    return row_from_export(row, PersonRow)


def _build_screen(state: _Import, row: SafetyScreenOut) -> SafetyScreenRow:
    return row_from_export(row, SafetyScreenRow, person_id=state.person(row.person))


def _build_session(state: _Import, row: SessionOut) -> SessionRow:
    return row_from_export(
        row,
        SessionRow,
        owner=None,  # no process here runs it: reopening marks one still in progress interrupted
        giver_id=state.person(row.giver, "giver"),
        receiver_id=state.person(row.receiver, "receiver"),
    )


def _build_rating(state: _Import, row: RatingOut) -> RatingRow:
    session_id = None if row.session is None else state.session(row.session)
    person_id = state.person(row.person)
    if session_id is not None:
        key = (session_id, person_id, row.moment)
        if key in state.rated:
            raise _Refused(f"moment: the session already has this person's rating {row.moment}")
        state.rated.add(key)
    return row_from_export(row, RatingRow, session_id=session_id, person_id=person_id)


def _build_diary(state: _Import, row: DiaryOut) -> DiaryRow:
    person_id = state.person(row.person)
    try:
        zone = load_zone(row.zone)
        answers = DiaryAnswers(
            wake_date=row.wake_date,
            zone=row.zone,
            into_bed=_wall(row.into_bed, zone),
            tried_to_sleep=_wall(row.tried_to_sleep, zone),
            sol_min=row.sol_min,
            awakenings=row.awakenings,
            waso_min=row.waso_min,
            final_awakening=_wall(row.final_awakening, zone),
            out_of_bed=_wall(row.out_of_bed, zone),
            quality=row.quality,
            comments=row.comments,
        )
        entry = validate_diary(answers, today=state.today_in(row.zone))
    except DiaryError as error:
        raise _Refused(str(error)) from None
    for name in ("tib_min", "tst_min", "se_pct"):
        given, derived = getattr(row, name), getattr(entry, name)
        if given is not None and given != derived:
            raise _Refused(f"{name}: {given} does not match the times, which give {derived}")
    key = (person_id, row.wake_date)
    if key in state.nights:
        raise _Refused(f"wake_date: there is already a diary entry for {row.wake_date}")
    state.nights.add(key)
    return DiaryRow(
        uid=row.id,
        person_id=person_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        **diary_row_values(entry),
    )


def _build_device_night(state: _Import, row: DeviceNightOut) -> DeviceNightRow:
    person_id = state.person(row.person)
    problem = device_night_problem(row)
    if problem:
        raise _Refused(problem)
    key = (person_id, row.source, row.device, row.bed_start.astimezone(UTC))
    if key in state.device_nights:
        raise _Refused(f"{row.source} {row.device!r} already has a night starting {row.bed_start}")
    state.device_nights.add(key)
    return row_from_export(
        row,
        DeviceNightRow,
        person_id=person_id,
        bed_start_offset_min=offset_minutes(row.bed_start),
        bed_end_offset_min=offset_minutes(row.bed_end),
    )


def _build_control(state: _Import, row: ControlActivityOut) -> ControlActivityRow:
    return row_from_export(row, ControlActivityRow, person_id=state.person(row.person))


def _build_note(state: _Import, row: NoteOut) -> NoteRow:
    return row_from_export(
        row,
        NoteRow,
        person_id=state.person(row.person),
        session_id=None if row.session is None else state.session(row.session),
    )


def _build_nap(state: _Import, row: NapOut) -> NapRow:
    if not is_zone_name(row.zone):
        raise _Refused(f"zone: unknown time zone {row.zone!r}")
    if row.end <= row.start:
        raise _Refused("end: is not after start")
    return row_from_export(
        row,
        NapRow,
        person_id=state.person(row.person),
        started_at=row.start,
        ended_at=row.end,
    )


_BUILDERS: dict[str, Callable[[_Import, Any], Keyed]] = {
    "people": _build_person,
    "safety_screens": _build_screen,
    "sessions": _build_session,
    "ratings": _build_rating,
    "diary": _build_diary,
    "device_nights": _build_device_night,
    "control_activities": _build_control,
    "notes": _build_note,
    "naps": _build_nap,
}


def _canonical(row: ExportRow) -> dict[str, Any]:
    """A row's content for comparison, every instant in UTC.

    Aware datetimes cannot simply be compared: by PEP 495 a time in the repeated autumn hour is
    never equal to a datetime in another zone, so the same instant read back from the database
    (UTC) and from the file (local offset) would count as a change.
    """
    return {
        key: value.astimezone(UTC) if isinstance(value, datetime) else value
        for key, value in row.model_dump().items()
    }


def _wall(value: datetime, zone: ZoneInfo) -> datetime:
    """The naive local wall time of an instant in ``zone``, its fold kept for a repeated hour."""
    return value.astimezone(zone).replace(tzinfo=None)
