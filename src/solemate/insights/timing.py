"""Minutes from the end of the evening's session to lights-out (the diary's "tried to sleep").

The guide places the massage just before bed; how long the gap really is tells whether the
session and sleep are connected at all in a person's evenings. Durations are real elapsed time
between two instants, so a session before a daylight-saving change is measured correctly.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, tzinfo

from solemate.insights.records import Evening, Night, evening_of
from solemate.insights.summary import quartiles
from solemate.insights.wording import count

__all__ = ["LightsOut", "minutes_to_lights_out"]

#: Gaps outside this range (minutes) pair a session with the wrong night and are set aside.
PLAUSIBLE = (-60, 12 * 60)


@dataclass(frozen=True)
class LightsOut:
    """Gaps in minutes (negative: trying to sleep began before the session ended)."""

    minutes: tuple[int, ...]
    median: float | None
    lower_quartile: float | None
    upper_quartile: float | None
    set_aside: int

    def words(self) -> str:
        if self.median is None:
            return "No evening has both a finished session and a diary yet."
        return (
            f"Lights out typically {self.median:.0f} min after the session ends "
            f"(middle half {self.lower_quartile:.0f}–{self.upper_quartile:.0f} min, "
            f"{count(len(self.minutes), 'evening')})."
        )


def minutes_to_lights_out(
    evenings: Sequence[Evening], nights: Sequence[Night], zone: tzinfo
) -> LightsOut:
    """Pair each evening's last finished session with that night's diary, and measure the gap.

    Worked example: a session ending 22:40 and lights out at 23:05 (Berlin, UTC+1):

    >>> from datetime import date, datetime
    >>> from zoneinfo import ZoneInfo
    >>> berlin = ZoneInfo("Europe/Berlin")
    >>> session = Evening(datetime(2024, 3, 1, 21, 28, tzinfo=UTC),
    ...                   datetime(2024, 3, 1, 21, 40, tzinfo=UTC), "completed")
    >>> night = Night(date(2024, 3, 2), 15, 10, 420, 90.0, 4, 1,
    ...               datetime(2024, 3, 1, 23, 5, tzinfo=berlin))
    >>> minutes_to_lights_out([session], [night], berlin).minutes
    (25,)
    """
    last_end: dict[object, Evening] = {}
    for evening in evenings:
        if evening.happened and evening.ended_at is not None:
            key = evening_of(evening.started_at, zone)
            current = last_end.get(key)
            if current is None or (current.ended_at or evening.ended_at) < evening.ended_at:
                last_end[key] = evening
    gaps: list[int] = []
    set_aside = 0
    for night in nights:
        session = last_end.get(night.evening)
        if session is None or session.ended_at is None:
            continue
        seconds = (
            night.tried_to_sleep.astimezone(UTC) - session.ended_at.astimezone(UTC)
        ).total_seconds()
        gap = round(seconds / 60)
        if PLAUSIBLE[0] <= gap <= PLAUSIBLE[1]:
            gaps.append(gap)
        else:
            set_aside += 1
    if not gaps:
        return LightsOut((), None, None, None, set_aside)
    return LightsOut(
        tuple(gaps),
        float(statistics.median(gaps)),
        *quartiles(gaps),
        set_aside,
    )
