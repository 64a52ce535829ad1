"""The Insights page's state: every summary at once, as one immutable value renderers draw.

Like Loop Habit Tracker's ``buildState``: the shell gathers the journal's records, this module
computes, and the text, JSON, SVG and HTML renderers only read the result. Diary figures and
device estimates are kept in separate fields and are never averaged together: one is what a
person wrote, the other what a sensor guessed.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from statistics import fmean

from solemate.insights.habit import HabitStrength, habit_strength
from solemate.insights.observational import Comparison, compare_nights
from solemate.insights.records import METRICS, DeviceEstimate, Evening, Night, evening_of
from solemate.insights.stress import StressChange, stress_change
from solemate.insights.timing import LightsOut, minutes_to_lights_out
from solemate.insights.weekly import Trend, Week, trend, week_start, weekly_means
from solemate.insights.wording import count

__all__ = ["DeviceWeek", "Insights", "build_insights"]

DEVICE_FIGURES = ("tst", "sol", "se")


@dataclass(frozen=True)
class DeviceWeek:
    """One week of one wearable's estimates: means over the nights that have each figure."""

    source: str
    start: date
    nights: int
    means: dict[str, float | None]


@dataclass(frozen=True)
class Insights:
    """Everything the insights views show for the weeks up to ``today``."""

    today: date
    weeks: tuple[Week, ...]
    trends: dict[str, Trend | None]
    nights: tuple[Night, ...]
    stress: StressChange
    habit: HabitStrength | None
    lights_out: LightsOut
    comparison: Comparison
    device_weeks: tuple[DeviceWeek, ...]
    sessions: int
    #: How many weeks were asked for; ``weeks`` holds fewer when nothing was written in the
    #: earliest of them (empty weeks before the first record are not shown).
    requested_weeks: int = 0
    #: Evenings with a session that happened: the nights after them are marked on the charts.
    massage_evenings: frozenset[date] = frozenset()

    @property
    def weeks_left_out(self) -> int:
        """Weeks asked for that lie before anything was written."""
        return max(0, self.requested_weeks - len(self.weeks))

    def summary(self) -> str:
        """The header's counts: "12 mornings written in the diary, 1 session"."""
        return (
            f"{count(len(self.nights), 'morning')} written in the diary, "
            f"{count(self.sessions, 'session')}"
        )

    def left_out_words(self) -> str | None:
        """Why fewer weeks are shown than were asked for, or None when all are shown."""
        if not self.weeks_left_out:
            return None
        if not self.nights and not self.sessions and not self.device_weeks:
            return f"Nothing is written in these {self.requested_weeks} weeks, so only this week is shown."
        return (
            f"Nothing was written before the week of {self.weeks[0].start:%d %b %Y}, so "
            f"{count(len(self.weeks), 'week is', 'weeks are')} shown, not "
            f"{self.requested_weeks}."
        )


def build_insights(
    nights: Sequence[Night],
    evenings: Sequence[Evening],
    devices: Sequence[DeviceEstimate],
    *,
    today: date,
    weeks: int,
    zone: tzinfo,
    control_kept: Collection[date] = (),
) -> Insights:
    """Everything the Insights page shows, over the last ``weeks`` calendar weeks to ``today``.

    ``control_kept`` are evenings an experiment assigned to the control activity and on which
    it was done; they count towards the habit (see :mod:`solemate.insights.habit`).

    >>> from datetime import datetime, UTC
    >>> t = datetime(2024, 3, 1, 22, tzinfo=UTC)
    >>> state = build_insights([Night(date(2024, 3, 2), 12, 5, 430, 95.0, 4, 1, t)],
    ...                        [Evening(t, t, "completed", 6, 3)], [],
    ...                        today=date(2024, 3, 3), weeks=1, zone=UTC)
    >>> state.weeks[0].means["sol"], state.stress.mean, state.comparison.with_session
    (12.0, -3.0, 1)
    """
    first = week_start(today) - timedelta(weeks=weeks - 1)
    window = tuple(sorted((n for n in nights if first <= n.wake_date <= today), key=_wake))
    dated = [(evening_of(e.started_at, zone), e) for e in evenings]
    in_window = [e for d, e in dated if first <= d <= today]
    happened = {d for d, e in dated if e.happened}
    planned_only = {d for d, e in dated if not e.happened} - happened
    kept = {d for d in happened | set(control_kept) if d <= today}
    habit = None
    if kept:
        # Tonight counts once it is kept; until then the strength runs to yesterday's evening,
        # because an evening that has not happened yet must not count as missed.
        until = today if today in kept else today - timedelta(days=1)
        habit = habit_strength(kept, start=min(kept), today=until)
    shown = weekly_means(window, today, weeks)
    written = [
        *(n.wake_date for n in window),
        *(d for d, _ in dated if first <= d <= today),
        *(d.wake_date for d in devices if first <= d.wake_date <= today),
    ]
    if written:
        earliest = week_start(min(written))
        shown = tuple(w for w in shown if w.start >= earliest)
    else:
        shown = shown[-1:]
    return Insights(
        today=today,
        weeks=shown,
        trends={key: trend(window, key) for key in METRICS if key != "awakenings"},
        nights=window,
        stress=stress_change(in_window),
        habit=habit,
        lights_out=minutes_to_lights_out(in_window, window, zone),
        comparison=compare_nights(window, happened, planned_only),
        device_weeks=_device_weeks(devices, first, today),
        sessions=sum(e.happened for e in in_window),
        requested_weeks=weeks,
        massage_evenings=frozenset(d for d in happened if first - timedelta(days=1) <= d <= today),
    )


def _wake(night: Night) -> date:
    return night.wake_date


def _device_weeks(
    devices: Sequence[DeviceEstimate], first: date, today: date
) -> tuple[DeviceWeek, ...]:
    groups: dict[tuple[str, date], list[DeviceEstimate]] = {}
    for night in devices:
        if first <= night.wake_date <= today:
            groups.setdefault((night.source, week_start(night.wake_date)), []).append(night)
    out = []
    for (source, start), members in sorted(groups.items()):
        means: dict[str, float | None] = {}
        for key in DEVICE_FIGURES:
            values = [v for v in (getattr(m, key) for m in members) if v is not None]
            means[key] = fmean(values) if values else None
        out.append(DeviceWeek(source, start, len(members), means))
    return tuple(out)
