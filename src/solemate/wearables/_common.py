"""Types and helpers shared by the per-format readers.

Every reader turns its rows into pieces of time in bed with real (UTC-based) durations; this module
does the arithmetic that must be identical for all formats: rounding, sleep efficiency, converting
instants to the local offset of the place of sleep, joining pieces of one night and flagging naps.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from solemate.bounded import Bounded
from solemate.diary import is_zone_name

SOURCES = ("apple", "fitbit", "oura", "sleep_as_android")

FORMAT_LABELS = {
    "apple": "Apple Health export",
    "fitbit": "Fitbit sleep JSON",
    "oura": "Oura sleepmodel CSV",
    "sleep_as_android": "Sleep as Android CSV",
    "unknown": "unrecognised file",
}

# Pieces closer than this belong to one night: Fitbit splits a night at a long awakening (04-02 in
# the fixtures has a 50-minute gap), while a nap is hours away from the night before it.
MAX_GAP = dt.timedelta(minutes=120)

#: The most any export is read: a sleep CSV or JSON of decades is a few megabytes; an Apple Health
#: export.xml of years of heart rate and steps reaches several gigabytes (read as a stream).
MAX_EXPORT_BYTES = 200 * 1_000_000
MAX_APPLE_BYTES = 20_000 * 1_000_000

# A single piece longer than this cannot be a sleep record.
MAX_PIECE = dt.timedelta(hours=24)

_MINUTE = dt.timedelta(minutes=1)
_HALF_MINUTE = dt.timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class DeviceNight:
    """One night (or nap) as a device recorded it, keyed by the local wake date.

    ``bed_start``/``bed_end`` carry a fixed UTC offset, the one valid at that instant where the person
    slept, so ``bed_end - bed_start`` is the real elapsed time even across a DST change (a ``ZoneInfo``
    tzinfo would make that subtraction use wall-clock time). Minutes are real elapsed minutes.
    """

    source: str
    device: str
    wake_date: dt.date
    bed_start: dt.datetime
    bed_end: dt.datetime
    zone: str | None
    tib_min: int
    tst_min: int | None
    sol_min: int | None
    se_pct: float | None
    is_nap: bool


@dataclass(frozen=True, slots=True)
class DeviceImport:
    """Result of a lenient import: the nights that could be read and one message per bad row."""

    nights: tuple[DeviceNight, ...]
    problems: tuple[str, ...]


class ImportFormatError(Exception):
    """A file (or one row of it) cannot be read as the sleep export it claims to be.

    The message names the file, the format, where (line / record) and what is wrong; the same parts
    are available as attributes for callers that want to present them differently.
    """

    def __init__(self, path: Path | str, fmt: str, where: str, problem: str) -> None:
        self.path = str(path)
        self.fmt = fmt
        self.where = where
        self.problem = problem
        label = FORMAT_LABELS.get(fmt, fmt)
        location = f", {where}" if where else ""
        super().__init__(f"{self.path} ({label}{location}): {problem}")


class BadRow(Exception):
    """Raised inside a reader for one unusable row; turned into a problem or an ImportFormatError."""


def bounded_text(path: Path) -> io.TextIOWrapper:
    """``path`` as UTF-8 text (a BOM skipped) for ``csv``, stopping past :data:`MAX_EXPORT_BYTES`."""
    raw = Bounded(path.open("rb"), limit=MAX_EXPORT_BYTES, name=str(path))
    return io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8-sig", newline="")


class Issues:
    """Collects bad rows (lenient mode) or raises on the first one (strict mode).

    File-level damage (wrong format, truncation, invalid syntax) always raises: there is no row to
    skip, and a half-read file would silently lose nights.
    """

    def __init__(self, path: Path, fmt: str, *, collect: bool) -> None:
        self.path = path
        self.fmt = fmt
        self.collect = collect
        self.problems: list[str] = []

    def bad(self, where: str, problem: str) -> None:
        err = ImportFormatError(self.path, self.fmt, where, problem)
        if not self.collect:
            raise err
        self.problems.append(str(err))

    def fatal(self, where: str, problem: str) -> NoReturn:
        raise ImportFormatError(self.path, self.fmt, where, problem)


@dataclass(frozen=True, slots=True)
class Piece:
    """One stretch in bed from a single row/log. ``main`` is the device's own night/nap flag, if any."""

    start: dt.datetime
    end: dt.datetime
    tst_min: int | None
    sol_min: int | None
    main: bool | None
    zone: str | None


def minutes(delta: dt.timedelta) -> int:
    """Whole minutes, rounding half a minute up (exact: no float involved)."""
    whole, rest = divmod(delta, _MINUTE)
    return int(whole) + (1 if rest >= _HALF_MINUTE else 0)


def round_minutes(value: float) -> int:
    """Round a float number of minutes half-up (``round`` would round 0.5 to even)."""
    return math.floor(value + 0.5)


def efficiency(tst_min: int | None, tib_min: int) -> float | None:
    """TST / TIB × 100 to one decimal, rounded half-up in integer arithmetic."""
    if tst_min is None or tib_min <= 0:
        return None
    tenths = (2000 * tst_min + tib_min) // (2 * tib_min)
    return tenths / 10


def plausible(moment: dt.datetime, name: str) -> dt.datetime:
    """Reject dates no sleep record can have (and that would overflow datetime arithmetic)."""
    if not 1970 <= moment.year <= 2200:
        raise BadRow(f"{name} {moment.isoformat()} is not a possible date")
    return moment


@functools.lru_cache(maxsize=64)
def fixed_offset(offset: dt.timedelta) -> dt.timezone:
    return dt.timezone(offset)


@functools.lru_cache(maxsize=64)
def zone_info(name: str) -> ZoneInfo:
    """The IANA zone ``name``; raises BadRow for names the tz database does not know."""
    if not is_zone_name(name):
        raise BadRow(f"unknown time zone {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadRow(f"unknown time zone {name!r}") from exc


def local(instant: dt.datetime, zone: str | None) -> dt.datetime:
    """``instant`` with the fixed offset valid at that moment in ``zone`` (or unchanged if no zone)."""
    if zone is None:
        return instant
    moved = instant.astimezone(zone_info(zone))
    offset = moved.utcoffset()
    assert offset is not None
    return moved.replace(tzinfo=fixed_offset(offset))


def localize_wall(naive: dt.datetime, zone: str) -> dt.datetime:
    """Attach the offset ``zone`` had at the wall-clock time ``naive`` (first one if ambiguous)."""
    offset = naive.replace(tzinfo=zone_info(zone)).utcoffset()
    assert offset is not None
    return naive.replace(tzinfo=fixed_offset(offset))


def make_night(
    source: str,
    device: str,
    start: dt.datetime,
    end: dt.datetime,
    zone: str | None,
    tst_min: int | None,
    sol_min: int | None,
    is_nap: bool,
) -> DeviceNight:
    bed_start = local(start, zone)
    bed_end = local(end, zone)
    tib = minutes(bed_end - bed_start)
    return DeviceNight(
        source=source,
        device=device,
        wake_date=bed_end.date(),
        bed_start=bed_start,
        bed_end=bed_end,
        zone=zone,
        tib_min=tib,
        tst_min=tst_min,
        sol_min=sol_min,
        se_pct=efficiency(tst_min, tib),
        is_nap=is_nap,
    )


def looks_like_nap(bed_start: dt.datetime, bed_end: dt.datetime, tib_min: int) -> bool:
    """For sources without a nap flag: short, and entirely within the same local day-time."""
    return (
        tib_min < 240
        and bed_start.date() == bed_end.date()
        and bed_start.time() >= dt.time(9, 0)
        and bed_end.time() <= dt.time(21, 0)
    )


def group_pieces(pieces: Iterable[Piece]) -> list[list[Piece]]:
    """Split pieces (any order) into groups whose members are at most MAX_GAP apart."""
    groups: list[list[Piece]] = []
    group_end: dt.datetime | None = None
    for piece in sorted(pieces, key=lambda p: (p.start, p.end)):
        if group_end is None or piece.start - group_end > MAX_GAP:
            groups.append([])
            group_end = piece.end
        groups[-1].append(piece)
        group_end = max(group_end, piece.end)
    return groups


def nights_from_pieces(source: str, device: str, pieces: Iterable[Piece]) -> list[DeviceNight]:
    """Join pieces of one night: TIB is the span (not the sum), TST the sum, SOL from the first."""
    nights = []
    for group in group_pieces(pieces):
        start = group[0].start
        end = max(p.end for p in group)
        tsts = [p.tst_min for p in group]
        tst = None if any(t is None for t in tsts) else sum(t for t in tsts if t is not None)
        flags = {p.main for p in group}
        night = make_night(
            source, device, start, end, group[0].zone, tst, group[0].sol_min, is_nap=False
        )
        if True in flags:
            is_nap = False
        elif flags == {False}:
            is_nap = True
        else:
            is_nap = looks_like_nap(night.bed_start, night.bed_end, night.tib_min)
        nights.append(replace(night, is_nap=is_nap) if is_nap else night)
    return nights


def finish(nights: Iterable[DeviceNight]) -> list[DeviceNight]:
    """Sort by bed time and keep at most one night per wake date: the longest; others become naps."""
    ordered = sorted(nights, key=lambda n: (n.bed_start, n.bed_end))
    longest: dict[dt.date, DeviceNight] = {}
    for night in ordered:
        if night.is_nap:
            continue
        best = longest.get(night.wake_date)
        if best is None or night.tib_min > best.tib_min:
            longest[night.wake_date] = night
    keep = {id(n) for n in longest.values()}
    return [n if n.is_nap or id(n) in keep else replace(n, is_nap=True) for n in ordered]
