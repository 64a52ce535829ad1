"""Fitbit / Google Takeout ``sleep-YYYY-MM-DD.json`` → nights.

Fitbit writes local wall-clock times without an offset, so the zone the tracker was set to must come
from the caller (``zone=``) or from ``Your Profile/Profile.csv`` next to the export. Durations never
come from wall-clock differences: ``timeInBed``/``duration`` are the wall-clock span and are 60 min too
long on a spring-forward night, so TIB is ``minutesToFallAsleep + minutesAsleep + minutesAwake +
minutesAfterWakeup``, which is the real time in bed for both ``stages`` and ``classic`` logs.

A night that Fitbit split into several logs (a long awakening) is joined: TIB is the span from the
first log's start to the last log's end, not the sum of the logs. A group of logs none of which is
``mainSleep`` is a nap. SOL is ``minutesToFallAsleep`` (classic logs) or, for ``stages`` logs where
that field is always 0, the leading ``wake`` level.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

from solemate.bounded import read_bytes

from ._common import (
    MAX_EXPORT_BYTES,
    MAX_PIECE,
    BadRow,
    DeviceNight,
    Issues,
    Piece,
    finish,
    localize_wall,
    minutes,
    nights_from_pieces,
    plausible,
    zone_info,
)

_WAKE_LEVELS = {"wake", "awake"}


def read(path: Path, issues: Issues, zone: str | None = None) -> list[DeviceNight]:
    """Nights and naps of one Fitbit sleep JSON file; ``zone`` is the tracker's IANA time zone."""
    zone = zone or profile_zone(path)
    if zone is None:
        issues.fatal(
            "",
            "Fitbit times carry no UTC offset and no time zone is known: pass zone='Area/City' "
            "or keep 'Your Profile/Profile.csv' from the same Takeout next to the export",
        )
    try:
        zone_info(zone)
    except BadRow as exc:
        issues.fatal("", str(exc))
    try:
        data: Any = json.loads(read_bytes(path, MAX_EXPORT_BYTES))
    except json.JSONDecodeError as exc:
        issues.fatal(
            f"line {exc.lineno}, column {exc.colno}", f"not valid JSON ({exc.msg}; truncated?)"
        )
    except (UnicodeDecodeError, OSError, RecursionError) as exc:
        issues.fatal("", f"cannot read the file as JSON text: {exc!r}")
    if isinstance(data, dict) and isinstance(data.get("sleep"), list):
        data = data["sleep"]  # the Web API wraps the logs as {"sleep": [...]}
    if not isinstance(data, list):
        issues.fatal("", f"expected a JSON array of sleep logs, found a JSON {_json_kind(data)}")

    pieces = []
    seen: set[object] = set()
    for number, log in enumerate(data, start=1):
        where = f"log #{number}"
        if isinstance(log, dict) and "logId" in log:
            where += f" (logId {log['logId']})"
        try:
            piece = _piece(log, zone)
        except BadRow as exc:
            issues.bad(where, str(exc))
            continue
        log_id = log.get("logId")
        if log_id is not None and not isinstance(log_id, (dict, list)):
            if log_id in seen:
                continue  # Takeout files of neighbouring months can repeat a log
            seen.add(log_id)
        pieces.append(piece)
    return finish(nights_from_pieces("fitbit", "Fitbit", pieces))


def profile_zone(path: Path) -> str | None:
    """The ``timezone`` column of ``Your Profile/Profile.csv`` in the Takeout the file came from."""
    for folder in list(path.resolve().parents)[:3]:
        profile = folder / "Your Profile" / "Profile.csv"
        try:
            with profile.open(encoding="utf-8-sig", newline="") as handle:
                for row in csv.DictReader(handle):
                    for key, value in row.items():
                        if key and key.strip().lower() == "timezone" and value and value.strip():
                            return value.strip()
        except (OSError, UnicodeDecodeError, csv.Error):
            continue
    return None


def _piece(log: object, zone: str) -> Piece:
    if not isinstance(log, dict):
        raise BadRow(f"expected a JSON object, found a JSON {_json_kind(log)}")
    to_sleep = _whole(log, "minutesToFallAsleep", default=0)
    asleep = _whole(log, "minutesAsleep")
    awake = _whole(log, "minutesAwake")
    after = _whole(log, "minutesAfterWakeup", default=0)
    tib = to_sleep + asleep + awake + after
    if tib <= 0:
        raise BadRow("the log has no time in bed (all minutes fields are 0)")
    if dt.timedelta(minutes=tib) > MAX_PIECE:
        raise BadRow(f"{tib} minutes in bed in one log is impossible")
    start_wall = _wall_time(log, "startTime")
    if "endTime" in log and _wall_time(log, "endTime") < start_wall:
        raise BadRow(f"endTime {log['endTime']} is before startTime {log['startTime']}")
    main = log.get("mainSleep", log.get("isMainSleep"))
    if not isinstance(main, bool):
        raise BadRow(f"mainSleep must be true or false, found {main!r}")
    sol = to_sleep if to_sleep > 0 else _leading_wake(log)
    start = localize_wall(start_wall, zone)
    return Piece(start, start + dt.timedelta(minutes=tib), asleep, sol, main, zone)


def _leading_wake(log: dict[str, Any]) -> int | None:
    """Minutes of the ``wake``/``awake`` levels before the first sleep level."""
    levels = log.get("levels")
    data = levels.get("data") if isinstance(levels, dict) else None
    if data is None:
        return None if log.get("type") == "stages" else 0
    if not isinstance(data, list):
        raise BadRow("levels.data is not a list")
    seconds = 0
    for index, entry in enumerate(data):
        level = entry.get("level") if isinstance(entry, dict) else None
        length = entry.get("seconds") if isinstance(entry, dict) else None
        if not isinstance(level, str) or isinstance(length, bool) or not isinstance(length, int):
            raise BadRow(f"levels.data[{index}] is not {{level, seconds}}: {entry!r}")
        if length < 0:
            raise BadRow(f"levels.data[{index}] has negative seconds {length}")
        if level not in _WAKE_LEVELS:
            break
        seconds += length
    return minutes(dt.timedelta(seconds=seconds))


def _whole(log: dict[str, Any], key: str, default: int | None = None) -> int:
    value = log.get(key, default)
    if value is None:
        raise BadRow(f"missing {key!r}")
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRow(f"{key} {value!r} is not a whole number of minutes")
    if value < 0:
        raise BadRow(f"{key} {value} is negative")
    return value


def _wall_time(log: dict[str, Any], key: str) -> dt.datetime:
    value = log.get(key)
    if not isinstance(value, str):
        raise BadRow(f"missing {key!r}" if value is None else f"{key} {value!r} is not text")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise BadRow(f"{key} {value!r} is not a date-time like 2024-03-22T23:20:00.000") from None
    return plausible(parsed.replace(tzinfo=None), key)


def _json_kind(value: object) -> str:
    kinds = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return kinds.get(type(value), "number")
