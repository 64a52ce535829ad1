"""Weekly means of the diary figures and their trend, with an honest interval.

Weeks run Monday to Sunday by wake date, the way calendars show them; a week's mean is over the
nights that have a diary, and the count is shown beside it, because a mean of two nights is not a
mean of seven. The trend is the slope of a straight line through the nights, in units per week,
from the AR(1) model (:mod:`solemate.insights.ar1`) so that runs of similar nights do not pass for
a strong trend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean

from solemate.insights.ar1 import ModelError, fit_ar1
from solemate.insights.records import METRICS, Night

__all__ = ["MIN_TREND_NIGHTS", "Trend", "Week", "trend", "week_start", "weekly_means"]

#: Fewer nights than this give no trend: a line through a week or so is mostly noise.
MIN_TREND_NIGHTS = 10


@dataclass(frozen=True)
class Week:
    """One calendar week: its Monday, how many nights had a diary, and the mean of each figure."""

    start: date
    nights: int
    means: dict[str, float | None]


@dataclass(frozen=True)
class Trend:
    """Change per week of one figure, with its 95 % interval, over ``nights`` nights."""

    metric: str
    per_week: float
    low: float
    high: float
    nights: int

    def words(self) -> str:
        """The trend in words that do not claim more than the interval allows."""
        metric = METRICS[self.metric]
        if self.low <= 0 <= self.high:
            return "no clear trend"
        rising = self.per_week > 0
        better = rising != metric.lower_is_better
        direction = "rising" if rising else "falling"
        return f"{direction} ({'better' if better else 'worse'})"


def week_start(day: date) -> date:
    """The Monday of ``day``'s week.

    >>> week_start(date(2024, 3, 24))  # a Sunday
    datetime.date(2024, 3, 18)
    """
    return day - timedelta(days=day.weekday())


def weekly_means(nights: Sequence[Night], today: date, weeks: int) -> tuple[Week, ...]:
    """The last ``weeks`` calendar weeks up to the one holding ``today``, oldest first.

    Worked example: three nights in the week of Monday 18 March, none in the week before.

    >>> from datetime import datetime, UTC
    >>> def night(day, sol):
    ...     t = datetime(2024, 3, day, 22, tzinfo=UTC)
    ...     return Night(date(2024, 3, day), sol, 10, 420, 90.0, 4, 1, t)
    >>> first, second = weekly_means([night(18, 10), night(19, 20), night(21, 45)],
    ...                              today=date(2024, 3, 22), weeks=2)
    >>> first.start, first.nights, first.means["sol"]
    (datetime.date(2024, 3, 11), 0, None)
    >>> second.start, second.nights, second.means["sol"]
    (datetime.date(2024, 3, 18), 3, 25.0)
    """
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    last = week_start(today)
    starts = [last - timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]
    by_week: dict[date, list[Night]] = {start: [] for start in starts}
    for night in nights:
        key = week_start(night.wake_date)
        if key in by_week and night.wake_date <= today:
            by_week[key].append(night)
    out = []
    for start in starts:
        members = by_week[start]
        means: dict[str, float | None] = {
            key: fmean(n.value(key) for n in members) if members else None for key in METRICS
        }
        out.append(Week(start=start, nights=len(members), means=means))
    return tuple(out)


def trend(nights: Sequence[Night], metric: str) -> Trend | None:
    """The slope of ``metric`` per week over ``nights`` with AR(1) errors; None when too few.

    Worked example: sleep onset falling by 1 minute a night for two weeks, with a wobble:

    >>> from datetime import datetime, UTC
    >>> days = [date(2024, 3, 1) + timedelta(days=k) for k in range(14)]
    >>> wobble = [2, -1, 0, 1, -2, 1, 0, -1, 2, 0, -1, 1, -2, 0]
    >>> series = [
    ...     Night(d, 30 - k + w, 10, 420, 90.0, 4, 1, datetime(2024, 3, 1, tzinfo=UTC))
    ...     for k, (d, w) in enumerate(zip(days, wobble))
    ... ]
    >>> found = trend(series, "sol")
    >>> round(found.per_week, 1), found.words()
    (-7.4, 'falling (better)')
    """
    if len(nights) < MIN_TREND_NIGHTS:
        return None
    ordered = sorted(nights, key=lambda n: n.wake_date)
    origin = ordered[0].wake_date
    days = [(n.wake_date - origin).days for n in ordered]
    weeks = [[1.0, d / 7] for d in days]
    try:
        fit = fit_ar1([n.value(metric) for n in ordered], weeks, days, ["level", "per_week"])
    except ModelError:
        return None
    low, high = fit.interval("per_week")
    return Trend(metric, fit.estimate("per_week"), low, high, len(ordered))
