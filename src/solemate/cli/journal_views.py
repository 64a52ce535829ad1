"""Journal records as rows to show or save: the table, JSON and CSV views of `solemate journal`,
and the per-section CSV files of `solemate export --format csv`.

Pure: records and export dicts in, plain values out. Times are shown in the zone the person slept
in (diary, device nights whose zone is known) or in the machine's local zone (everything else).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the journal (SQLAlchemy) is imported only by the commands that open one
    from solemate.journal import DeviceNightRecord, DiaryRecord, MassageSession, Note, Rating

__all__ = [
    "JournalView",
    "csv_text",
    "device_row",
    "diary_row",
    "export_csv_zip",
    "hours",
    "note_row",
    "rating_row",
    "session_row",
]

Row = dict[str, Any]


@dataclass(frozen=True)
class JournalView:
    """What `solemate journal` shows, kind by kind; device estimates kept apart from the diary."""

    sessions: list[Row]
    ratings: list[Row]
    diary: list[Row]
    device_nights: list[Row]
    notes: list[Row]
    person: str | None = None
    """Whose entries these are (None: the journal has no person yet)."""

    def sections(self) -> dict[str, list[Row]]:
        return {
            "sessions": self.sessions,
            "ratings": self.ratings,
            "diary": self.diary,
            "device_nights": self.device_nights,
            "notes": self.notes,
        }


def hours(minutes: float) -> str:
    """Minutes as "7 h 15 min".

    >>> hours(435), hours(45), hours(120)
    ('7 h 15 min', '45 min', '2 h 0 min')
    """
    whole = round(minutes)
    return f"{whole // 60} h {whole % 60} min" if whole >= 60 else f"{whole} min"


def _local(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone().isoformat(timespec="minutes")


def session_row(session: MassageSession, ratings: Sequence[Rating]) -> Row:
    stress = session.stress(ratings)
    reached = None
    if session.foot is not None:
        reached = f"{session.foot} {session.step_index}"
    return {
        "id": session.id,
        "started": _local(session.started_at or session.created_at),
        "routine": session.routine_id,
        "status": session.status.replace("_", " "),
        "planned_min": round(session.planned_seconds / 60, 1),
        # Time actually played (not paused, not skipped); None: unknown (kept since revision 0006).
        "played_min": None
        if session.played_seconds is None
        else round(session.played_seconds / 60, 1),
        "reached": reached,
        "stress_before": stress.get("before"),
        "stress_after": stress.get("after"),
        "giver": session.giver,
        "receiver": session.receiver,
    }


def rating_row(rating: Rating) -> Row:
    return {
        "id": rating.id,
        "rated_at": _local(rating.rated_at),
        "moment": rating.moment,
        "stress": rating.stress,
        "relaxation": rating.relaxation,
        "session": rating.session_id,
        "person": rating.person,
    }


def diary_row(record: DiaryRecord) -> Row:
    e = record.entry
    return {
        "wake_date": e.wake_date.isoformat(),
        "zone": e.zone,
        "into_bed": f"{e.into_bed:%H:%M}",
        "tried_to_sleep": f"{e.tried_to_sleep:%H:%M}",
        "sol_min": e.sol_min,
        "awakenings": e.awakenings,
        "waso_min": e.waso_min,
        "final_awakening": f"{e.final_awakening:%H:%M}",
        "out_of_bed": f"{e.out_of_bed:%H:%M}",
        "quality": e.quality,
        "quality_label": e.quality_label,
        "tib_min": e.tib_min,
        "tst_min": e.tst_min,
        "se_pct": round(e.se_pct, 1),
        "comments": e.comments,
        "person": record.person,
    }


def _number(value: float | None) -> float | int | None:
    """Whole minutes as int (the journal stores device minutes as floats)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def device_row(night: DeviceNightRecord) -> Row:
    # Shown on the clock the night was recorded by (the record carries it), never this machine's.
    return {
        "id": night.id,
        "wake_date": night.wake_date.isoformat(),
        "source": night.source,
        "device": night.device,
        "bed_start": night.bed_start.isoformat(timespec="minutes"),
        "bed_end": night.bed_end.isoformat(timespec="minutes"),
        "zone": night.zone,
        "tib_min": _number(night.tib_min),
        "tst_min": _number(night.tst_min),
        "sol_min": _number(night.sol_min),
        "se_pct": night.se_pct,
        "nap": night.is_nap,
    }


def note_row(note: Note) -> Row:
    return {
        "id": note.id,
        "written_at": _local(note.written_at),
        "session": note.session_id,
        "text": note.text,
        "person": note.person,
    }


def _cell(value: object) -> object:
    """A CSV cell: lists and objects as JSON, None as empty."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    import csv  # only for CSV: `solemate journal` shows tables without it

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()


def union_csv(view: JournalView) -> str:
    """All kinds in one CSV: a ``kind`` column, then every column any kind has."""
    columns: list[str] = ["kind"]
    tagged: list[Row] = []
    for kind, rows in view.sections().items():
        for row in rows:
            for key in row:
                if key not in columns:
                    columns.append(key)
            tagged.append({"kind": kind, **row})
    return csv_text(tagged, columns)


def export_csv_zip(export: Mapping[str, Any], sections: Sequence[str]) -> bytes:
    """A zip of one CSV per export section, columns named as in the JSON export.

    Nested values (plan options, screen answers) are JSON inside their cell. A section with no rows
    still gets its file, with a header when its columns are known from another export of it.
    """
    import zipfile  # only the export needs it

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sections:
            rows: list[Mapping[str, Any]] = export.get(name, [])
            columns: list[str] = []
            for row in rows:
                columns.extend(k for k in row if k not in columns)
            archive.writestr(f"{name}.csv", csv_text(rows, columns or ["id"]))
        meta = {k: export[k] for k in ("format", "version", "exported_at") if k in export}
        archive.writestr("README.txt", _readme(meta))
    return buffer.getvalue()


def _readme(meta: Mapping[str, Any]) -> str:
    return (
        "A solemate journal, one CSV file per kind of entry, for reading and spreadsheets.\n"
        f"Exported {meta.get('exported_at', '')} ({meta.get('format', '')} "
        f"version {meta.get('version', '')}).\n"
        "Rows refer to each other by their id (uid) columns. Times are ISO 8601 with their UTC\n"
        "offset; diary times are local to the zone in the zone column.\n"
        "To move a journal to another database, use 'solemate export --format json' instead:\n"
        "only the JSON export is imported back exactly.\n"
    )
