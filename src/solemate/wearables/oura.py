"""Oura account export ``App Data/sleepmodel.csv`` → nights.

Columns are chosen by header name because real exports carry many more (``heart_rate``, ``hrv``,
``movement_30_sec``...) and their order is not promised. Durations are seconds; ``bedtime_start`` and
``bedtime_end`` carry the offset of the place of sleep, so elapsed time comes from them.
``type == long_sleep`` is the night; ``sleep``/``late_nap``/``rest`` rows are naps unless they sit
within two hours of a night (Oura splits a night at a long awakening); ``deleted`` rows are skipped.
``sleep_phase_5_min`` is a 5-minute approximation and is deliberately not used.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

from ._common import (
    MAX_PIECE,
    BadRow,
    DeviceNight,
    Issues,
    Piece,
    bounded_text,
    finish,
    minutes,
    nights_from_pieces,
    plausible,
)

REQUIRED = ("bedtime_start", "bedtime_end", "type", "total_sleep_duration")
_NIGHT_TYPES = {"long_sleep"}
_NAP_TYPES = {"sleep", "late_nap", "rest"}
_SKIPPED_TYPES = {"deleted"}


def read(path: Path, issues: Issues, zone: str | None = None) -> list[DeviceNight]:
    """Nights and naps of one ``sleepmodel.csv`` (``zone`` is unused: rows carry offsets)."""
    del zone
    pieces = []
    line = 1
    try:
        with bounded_text(path) as handle:
            first = handle.readline()
            if not first.strip():
                issues.fatal("line 1", "the file is empty: no header line")
            delimiter = ";" if ";" in first else ","
            header = [name.strip() for name in next(csv.reader([first], delimiter=delimiter))]
            missing = [name for name in REQUIRED if name not in header]
            if missing:
                issues.fatal(
                    "line 1",
                    f"no column {', '.join(missing)} in the header: not an Oura sleepmodel export",
                )
            index = {name: header.index(name) for name in header}
            reader = csv.reader(handle, delimiter=delimiter)
            for number, row in enumerate(reader, start=1):
                line = reader.line_num + 1
                if not row:
                    continue
                where = f"line {line} (row {number})"
                try:
                    if len(row) != len(header):
                        raise BadRow(f"{len(row)} fields where the header has {len(header)}")
                    piece = _piece({name: row[i].strip() for name, i in index.items()})
                except BadRow as exc:
                    issues.bad(where, str(exc))
                    continue
                if piece is not None:
                    pieces.append(piece)
    except UnicodeDecodeError:
        issues.fatal(f"line {line}", "not UTF-8 text")
    except csv.Error as exc:
        issues.fatal(f"line {line}", f"unreadable CSV: {exc}")
    except OSError as exc:
        issues.fatal("", f"cannot read the file: {exc}")
    return finish(nights_from_pieces("oura", "Oura", pieces))


def _piece(row: dict[str, str]) -> Piece | None:
    kind = row["type"]
    if kind in _SKIPPED_TYPES:
        return None
    if kind not in _NIGHT_TYPES | _NAP_TYPES:
        raise BadRow(f"unknown type {kind!r}")
    start = _instant(row, "bedtime_start")
    end = _instant(row, "bedtime_end")
    span = end - start
    if span <= dt.timedelta(0):
        raise BadRow(f"bedtime_end {row['bedtime_end']} is not after {row['bedtime_start']}")
    if span > MAX_PIECE:
        raise BadRow(f"{span} in bed in one row is impossible")
    asleep = _seconds(row, "total_sleep_duration")
    assert asleep is not None
    if asleep > span:
        raise BadRow(f"total_sleep_duration {row['total_sleep_duration']} s is longer than {span}")
    in_bed = _seconds(row, "time_in_bed")
    if in_bed is not None and abs(in_bed - span) > dt.timedelta(minutes=1):
        raise BadRow(
            f"time_in_bed {row['time_in_bed']} s disagrees with bedtime_start → bedtime_end ({span})"
        )
    latency = _seconds(row, "latency")
    if latency is not None and latency > span:
        raise BadRow(f"latency {row['latency']} s is longer than the time in bed ({span})")
    sol = None if latency is None else minutes(latency)
    return Piece(start, end, minutes(asleep), sol, kind in _NIGHT_TYPES, None)


def _instant(row: dict[str, str], name: str) -> dt.datetime:
    text = row[name]
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BadRow(f"{name} {text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise BadRow(f"{name} {text!r} has no UTC offset")
    return plausible(value, name)


def _seconds(row: dict[str, str], name: str) -> dt.timedelta | None:
    """A duration column in seconds; None when the column is absent or empty (but not if required)."""
    text = row.get(name, "")
    if not text:
        if name in REQUIRED:
            raise BadRow(f"{name} is empty")
        return None
    try:
        value = float(text)
    except ValueError:
        raise BadRow(f"{name} {text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise BadRow(f"{name} {text!r} is not a possible number of seconds")
    return dt.timedelta(seconds=value)
