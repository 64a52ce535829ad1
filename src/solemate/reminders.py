"""The nightly reminder's rules: when to be reminded, on which days, and why.

Pure: no journal, no clock, no files. The shells (``solemate remind``, the web app's calendar
feed and its Reminders card) read the diary and tonight's plan, call :func:`suggest` and hand the
result to :mod:`solemate.reminders_calendar`, which writes the iCalendar file.

The suggested time is the typical lights-out (the median of the last :data:`NIGHTS` diary nights'
"tried to sleep" times, on the wall clock of each night's zone) minus tonight's session length
minus :data:`WIND_DOWN` minutes, rounded to the nearest 5 minutes. Clock times are compared as
minutes after noon, so 23:50 and 00:10 are twenty minutes apart, not a day.

Worked example: lights-out at 23:10, 23:40 and 00:20 (median 23:40), a 12-minute session:
23:40 − 12 − 15 = 23:13, rounded to 23:15.

>>> from datetime import time
>>> found = suggest([time(23, 10), time(0, 20), time(23, 40)], session_minutes=12)
>>> found.at
datetime.time(23, 15)
>>> found.reason
'Typical lights-out 23:40 (median of 3 diary nights) minus a 12-minute session and 15 minutes to settle: 23:15.'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time

__all__ = [
    "DAY_CODES",
    "DEFAULT_AT",
    "NIGHTS",
    "WIND_DOWN",
    "ReminderError",
    "Suggestion",
    "days_text",
    "parse_at",
    "parse_days",
    "suggest",
    "when_text",
]

#: How many of the most recent diary nights the typical lights-out is taken from.
NIGHTS = 14
#: Minutes between the end of the session and lights-out.
WIND_DOWN = 15
#: The time used when the diary has no nights yet.
DEFAULT_AT = time(22, 0)

#: iCalendar's day codes (RFC 5545 BYDAY), Monday first.
DAY_CODES: tuple[str, ...] = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_GROUPS: dict[str, tuple[str, ...]] = {
    "daily": DAY_CODES,
    "weekdays": DAY_CODES[:5],
    "weekends": DAY_CODES[5:],
}
_MINUTES_A_DAY = 24 * 60
_NOON = 12 * 60


class ReminderError(ValueError):
    """A reminder option that cannot be used; ``option`` names it (``--at``, ``--days``)."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"{option}: {message}")
        self.option = option


@dataclass(frozen=True)
class Suggestion:
    """A reminder time with the sentence saying where it comes from.

    ``lights_out`` is the typical lights-out it was taken from (None: no diary nights).
    """

    at: time
    reason: str
    lights_out: time | None = None


def parse_at(text: str) -> time:
    """``HH:MM`` on a 24-hour clock.

    >>> parse_at("22:15")
    datetime.time(22, 15)
    >>> parse_at("25:00")
    Traceback (most recent call last):
    ...
    solemate.reminders.ReminderError: --at: '25:00' is not a time of day; give HH:MM, 00:00 to 23:59
    """
    found = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text)
    if found is not None:
        hour, minute = int(found.group(1)), int(found.group(2))
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise ReminderError("--at", f"{text!r} is not a time of day; give HH:MM, 00:00 to 23:59")


def parse_days(text: str) -> tuple[str, ...]:
    """Days as iCalendar codes, Monday first: ``mon,wed,fri``, ``daily``, ``weekdays``, ``weekends``.

    >>> parse_days("fri, mon,mon")
    ('MO', 'FR')
    >>> parse_days("mnn")
    Traceback (most recent call last):
    ...
    solemate.reminders.ReminderError: --days: unknown day 'mnn' (use mon, tue, wed, thu, fri, sat, sun, daily, weekdays or weekends)
    """
    chosen: set[str] = set()
    parts = [part.strip().lower() for part in text.split(",")]
    if not any(parts):
        raise ReminderError("--days", "no day given (e.g. mon,wed,fri or daily)")
    for part in parts:
        if part in _GROUPS:
            chosen.update(_GROUPS[part])
        elif part[:3] in _DAY_NAMES and _is_day_name(part):
            chosen.add(DAY_CODES[_DAY_NAMES.index(part[:3])])
        else:
            raise ReminderError(
                "--days",
                f"unknown day {part!r} (use {', '.join(_DAY_NAMES)}, daily, weekdays or weekends)",
            )
    return tuple(code for code in DAY_CODES if code in chosen)


def _is_day_name(part: str) -> bool:
    """``mon``, ``monday``, ``tues``: a day's first three letters, then letters of its name."""
    full = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    return any(name.startswith(part) and len(part) >= 3 for name in full)


def days_text(days: Sequence[str]) -> str:
    """How a set of days reads: "every day", "weekdays", "Mon, Wed, Fri".

    >>> days_text(DAY_CODES), days_text(("SA", "SU")), days_text(("MO", "FR"))
    ('every day', 'weekends', 'Mon, Fri')
    """
    chosen = tuple(code for code in DAY_CODES if code in days)
    for name, group in (("every day", DAY_CODES), ("weekdays", DAY_CODES[:5])):
        if chosen == group:
            return name
    if chosen == DAY_CODES[5:]:
        return "weekends"
    return ", ".join(_DAY_NAMES[DAY_CODES.index(code)].title() for code in chosen)


def when_text(at: time, days: Sequence[str], *, suggested: bool) -> str:
    """The reminder said plainly, for the Reminders card.

    >>> when_text(time(22, 15), DAY_CODES, suggested=False)
    '22:15 daily'
    >>> when_text(time(22, 40), ("MO", "FR"), suggested=True)
    '22:40 on Mon, Fri, suggested from your diary'
    """
    chosen = days_text(days)
    said = f"{_clock(at)} {'daily' if chosen == 'every day' else 'on ' + chosen}"
    return f"{said}, suggested from your diary" if suggested else said


def suggest(lights_out: Sequence[time], *, session_minutes: int) -> Suggestion:
    """The reminder time from recent lights-out times (any order; the caller passes at most the
    last :data:`NIGHTS`) and tonight's session length in minutes; :data:`DEFAULT_AT` without any.

    >>> suggest([], session_minutes=12).reason
    'No diary nights yet, so 22:00; after a few mornings in the diary, the time follows them.'
    """
    if session_minutes < 0:
        raise ValueError("session_minutes must not be negative")
    if not lights_out:
        return Suggestion(
            at=DEFAULT_AT,
            reason=(
                f"No diary nights yet, so {_clock(DEFAULT_AT)}; after a few mornings in the "
                "diary, the time follows them."
            ),
        )
    typical = _median_minutes([_after_noon(t) for t in lights_out])
    at = _round_to_five(typical - session_minutes - WIND_DOWN)
    typical_time = _from_after_noon(round(typical))
    nights = len(lights_out)
    reason = (
        f"Typical lights-out {_clock(typical_time)} (median of {nights} diary "
        f"night{'s' if nights != 1 else ''}) minus a {session_minutes}-minute session and "
        f"{WIND_DOWN} minutes to settle: {_clock(at)}."
    )
    return Suggestion(at=at, reason=reason, lights_out=typical_time)


def _after_noon(t: time) -> int:
    """Minutes after noon: an evening's 23:50 is 710, the night's 00:10 is 730."""
    return (t.hour * 60 + t.minute - _NOON) % _MINUTES_A_DAY


def _from_after_noon(minutes: int) -> time:
    total = (minutes + _NOON) % _MINUTES_A_DAY
    return time(total // 60, total % 60)


def _median_minutes(values: Sequence[int]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def _round_to_five(minutes_after_noon: float) -> time:
    """Nearest 5 minutes (halves up, so 23:12.5 is 23:15), on the clock."""
    return _from_after_noon(int((minutes_after_noon + 2.5) // 5 * 5))


def _clock(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"
