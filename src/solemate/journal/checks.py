"""The checks the journal's families share: whole numbers in a range, played time, plain JSON,
names and note texts, a session's state and a device's night. Each refuses a bad value with a :class:`JournalError` naming its field."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime
from typing import cast

from pydantic import JsonValue

from solemate.diary import DiaryError, load_zone
from solemate.journal.records import DeviceNightLike, JournalError
from solemate.text import text_problem

__all__ = [
    "PERSON_NAME_MAX",
    "check_int",
    "check_note",
    "check_played",
    "device_night_problem",
    "json_object",
    "person_name",
    "session_state_problem",
]


#: The longest name a person may have: short enough for a column of the journal's table.
PERSON_NAME_MAX = 40


def person_name(name: str) -> str:
    """A person's name, trimmed: 1 to 40 characters, no control characters."""
    if not isinstance(name, str) or not name.strip():
        raise JournalError("cannot be empty", field="name")
    if len(name.strip()) > PERSON_NAME_MAX:
        raise JournalError(f"must be at most {PERSON_NAME_MAX} characters", field="name")
    problem = text_problem(name)
    if problem is not None:
        raise JournalError(problem, field="name")
    return name.strip()


def check_note(text: str) -> None:
    if not isinstance(text, str) or not 1 <= len(text.strip()) <= 10_000:
        raise JournalError("must be 1 to 10000 characters", field="text")
    problem = text_problem(text, multiline=True)
    if problem is not None:
        raise JournalError(problem, field="text")


def check_played(value: object) -> None:
    if value is None:
        return
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise JournalError("must be a number of seconds", field="played_seconds")
    if not 0 <= value <= 24 * 3600:  # also refuses NaN
        raise JournalError(f"{value} is outside 0–86400", field="played_seconds")


def check_int(value: object, field: str, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise JournalError("must be a whole number", field=field)
    if not low <= value <= high:
        raise JournalError(f"{value} is outside {low}–{high}", field=field)


def json_object(value: Mapping[str, JsonValue], field: str) -> dict[str, JsonValue]:
    """A JSON-able copy of ``value``: stored as JSON and exported, so it must survive both."""
    try:
        copy = json.loads(json.dumps(dict(value), allow_nan=False))
    except (TypeError, ValueError) as error:
        raise JournalError(f"must be plain JSON data: {error}", field=field) from None
    return cast(dict[str, JsonValue], copy)


def session_state_problem(
    status: str, started_at: datetime | None, ended_at: datetime | None
) -> str | None:
    """Why these times cannot go with this status, or None when they can."""
    if status == "planned" and (started_at or ended_at):
        return "a planned session has neither started_at nor ended_at"
    if status != "planned" and started_at is None:
        return f"a session that is {status} needs started_at"
    if status == "in_progress" and ended_at is not None:
        return "a session in progress has no ended_at"
    if status in ("completed", "skipped", "interrupted"):
        if ended_at is None:
            return f"a session that is {status} needs ended_at"
        if started_at is not None and ended_at < started_at:
            return "ended_at is before started_at"
    return None


def device_night_problem(night: DeviceNightLike) -> str | None:
    """Why a wearable's night cannot be stored, or None. The parsers should never produce one."""
    if night.zone is not None:
        try:
            load_zone(night.zone)
        except DiaryError as error:
            return str(error)
    for name in ("bed_start", "bed_end"):
        value = getattr(night, name)
        if not isinstance(value, datetime) or value.utcoffset() is None:
            return f"{name}: must be an aware datetime"
    if night.bed_end <= night.bed_start:
        return "bed_end: is not after bed_start"
    numbers = {n: getattr(night, n) for n in ("tib_min", "tst_min", "sol_min", "se_pct")}
    for name, value in numbers.items():
        if value is None and name != "tib_min":
            continue
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not math.isfinite(value)
        ):
            return f"{name}: must be a number"
        if value < 0:
            return f"{name}: {value} is negative"
    if night.tst_min is not None and night.tst_min > night.tib_min:
        return f"tst_min: {night.tst_min} minutes asleep exceed {night.tib_min} in bed"
    if night.se_pct is not None and night.se_pct > 100:
        return f"se_pct: {night.se_pct} is over 100"
    if not isinstance(night.is_nap, bool):
        return "is_nap: must be true or false"
    return None
