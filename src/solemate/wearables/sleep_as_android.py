"""Sleep as Android backup ``sleep-export.csv`` → nights.

Each record is a header line and a values line (sometimes followed by an actigraphy "noise" line
whose ``Id`` cell is empty; it is skipped). The header differs from record to record because of
the actigraphy time columns and the ``Event`` columns, so every values line is read with the header
just above it, by column name.

``From``/``To`` are wall-clock times; their difference is wrong across a DST change. The record's
``Id`` (epoch ms of the start) plus ``Hours`` is the real interval, shown in the record's ``Tz``.
TST is the app's own formula ``Hours × 60 + LenAdjust``; SOL is the first sleep-phase event minus
``Id``. Manual records (``Cycles`` and ``DeepSleep`` -1, no events) have no SOL. The app has no nap
flag, so short daytime sessions are classed as naps by time of day.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

from ._common import (
    BadRow,
    DeviceNight,
    Issues,
    Piece,
    bounded_text,
    finish,
    minutes,
    nights_from_pieces,
    plausible,
    round_minutes,
    zone_info,
)

HEADER_START = ("Id", "Tz", "From", "To")
_SLEEP_STARTS = {"LIGHT_START", "DEEP_START", "REM_START"}
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def read(path: Path, issues: Issues, zone: str | None = None) -> list[DeviceNight]:
    """Nights and naps of one export (``zone`` is unused: every record has its own ``Tz``)."""
    del zone
    pieces: list[Piece] = []
    line = 0
    # The last header and the last record, to tell a file cut short from a complete one.
    header_line = header_cells = 0
    last: tuple[int, int, int, int] | None = None  # line, record, cells, pieces before it
    try:
        with bounded_text(path) as handle:
            reader = csv.reader(handle)
            columns: dict[str, int] | None = None
            events_from = 0
            record = 0
            for row in reader:
                line = reader.line_num
                if not row or not any(cell.strip() for cell in row):
                    continue
                if tuple(row[:4]) == HEADER_START:
                    columns = {}
                    for i, name in enumerate(row):
                        columns.setdefault(name, i)
                    events_from = columns.get("Event", len(row))
                    header_line, header_cells, last = line, len(row), None
                    continue
                if columns is None:
                    issues.fatal(
                        f"line {line}",
                        "data before any 'Id,Tz,From,To,...' header: not a Sleep as Android export",
                    )
                if not row[0].strip():
                    continue  # the optional noise line after a record
                record += 1
                last = (line, record, len(row), len(pieces))
                try:
                    pieces.append(_piece(row, columns, events_from))
                except BadRow as exc:
                    issues.bad(f"line {line} (record #{record})", str(exc))
            if columns is None:
                issues.fatal(
                    "line 1", "no 'Id,Tz,From,To,...' header: not a Sleep as Android export"
                )
        if last is None:
            issues.bad(
                f"line {header_line}",
                "a header with no record after it: the file ends early (cut short?)",
            )
        elif last[2] != header_cells or not _ends_with_a_line_break(path):
            line, record, cells, kept = last
            del pieces[kept:]
            issues.bad(
                f"line {line} (record #{record})",
                f"the file ends inside this record ({cells} of the header's {header_cells} "
                "columns, no line break at the end): it was cut short",
            )
    except UnicodeDecodeError:
        issues.fatal(f"line {line + 1}", "not UTF-8 text")
    except csv.Error as exc:
        issues.fatal(f"line {line + 1}", f"unreadable CSV: {exc}")
    except OSError as exc:
        issues.fatal("", f"cannot read the file: {exc}")
    return finish(nights_from_pieces("sleep_as_android", "Sleep as Android", pieces))


def _ends_with_a_line_break(path: Path) -> bool:
    """A complete export ends with a line break; a download or copy cut short does not."""
    with path.open("rb") as raw:
        raw.seek(0, 2)
        if raw.tell() == 0:
            return False
        raw.seek(-1, 2)
        return raw.read(1) in (b"\n", b"\r")


def _piece(row: list[str], columns: dict[str, int], events_from: int) -> Piece:
    def field(name: str) -> str:
        index = columns.get(name)
        if index is None:
            raise BadRow(f"the header has no {name!r} column")
        if index >= len(row):
            raise BadRow(f"the line ends before the {name!r} column")
        return row[index].strip()

    def number(name: str) -> float:
        text = field(name)
        try:
            value = float(text)
        except ValueError:
            raise BadRow(f"{name} {text!r} is not a number") from None
        if not math.isfinite(value):
            raise BadRow(f"{name} {text!r} is not a finite number")
        return value

    id_text = field("Id")
    if not (id_text.isascii() and id_text.isdigit()):
        raise BadRow(f"Id {id_text!r} is not a start time in epoch milliseconds")
    start_ms = int(id_text)
    try:
        start = plausible(_EPOCH + dt.timedelta(milliseconds=start_ms), "Id")
    except OverflowError:
        raise BadRow(f"Id {id_text} is not a possible start time") from None
    zone = field("Tz")
    zone_info(zone)
    hours = number("Hours")
    if not 0 < hours <= 24:
        raise BadRow(f"Hours {field('Hours')} is not a possible length of a night")
    tib = round_minutes(hours * 60)
    len_adjust = number("LenAdjust")
    tst = round_minutes(hours * 60 + len_adjust)
    if not 0 <= tst <= tib:
        raise BadRow(f"LenAdjust {field('LenAdjust')} gives {tst} min asleep of {tib} min in bed")

    sleep_starts = []
    for cell in row[events_from:]:
        name, _, rest = cell.strip().partition("-")
        if name in _SLEEP_STARTS:
            stamp = rest.partition("-")[0]
            if not (stamp.isascii() and stamp.isdigit()):
                raise BadRow(f"event {cell!r} has no time in epoch milliseconds")
            sleep_starts.append(int(stamp))
    sol = None
    if sleep_starts:
        first = min(sleep_starts)
        if not start_ms <= first <= start_ms + tib * 60_000:
            raise BadRow(f"the first sleep event {first} is outside the night")
        sol = minutes(dt.timedelta(milliseconds=first - start_ms))
    return Piece(start, start + dt.timedelta(minutes=tib), tst, sol, None, zone)
