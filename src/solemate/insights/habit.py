"""Habit strength: how firmly the nightly massage is part of the evening, from 0 to 100 %.

It is the exponentially smoothed adherence Loop Habit Tracker calls a habit's score: each day the
strength moves a fixed share of the way towards 1 (done) or 0 (not done),

    strength = strength × m + done × (1 − m),   m = 0.5^(1/13) ≈ 0.9481,

so a day counts for half as much after 13 days. A missed evening lowers the strength a little and
the next evenings win it back; nothing resets to zero, and there is no streak to lose. An evening
the personal experiment gave to the control activity counts as kept when the control was done,
because following the plan is what the habit is then.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["HALF_LIFE_DAYS", "HabitStrength", "habit_strength"]

#: Days after which an evening counts half as much (Loop's value for a daily habit).
HALF_LIFE_DAYS = 13
MULTIPLIER = 0.5 ** (1 / HALF_LIFE_DAYS)


@dataclass(frozen=True)
class HabitStrength:
    """The strength on ``today`` and one value per day since ``start``, oldest first."""

    start: date
    today: date
    strength: float
    daily: tuple[float, ...]
    kept: int
    days: int

    def words(self) -> str:
        last = "the last evening" if self.days == 1 else f"the last {self.days} evenings"
        return f"Habit strength {self.strength * 100:.0f} % ({self.kept} of {last} kept)."


def habit_strength(kept: Collection[date], start: date, today: date) -> HabitStrength:
    """The habit strength on ``today`` from the evenings ``kept`` since ``start``.

    Worked example: three evenings kept, then one missed. Each kept evening adds
    1 − m ≈ 5.2 % of what is left to gain; the missed one takes 5.2 % of what was there:

    >>> monday = date(2024, 3, 18)
    >>> kept = {monday, monday + timedelta(days=1), monday + timedelta(days=2)}
    >>> result = habit_strength(kept, start=monday, today=monday + timedelta(days=3))
    >>> [round(value * 100, 1) for value in result.daily]
    [5.2, 10.1, 14.8, 14.0]
    >>> result.words()
    'Habit strength 14 % (3 of the last 4 evenings kept).'

    Two months of every evening bring it to 96 %; one missed evening then costs 5 points, not
    the whole record:

    >>> every = {monday + timedelta(days=k) for k in range(60)}
    >>> round(habit_strength(every, monday, monday + timedelta(days=59)).strength * 100)
    96
    >>> round(habit_strength(every - {monday + timedelta(days=59)}, monday,
    ...                      monday + timedelta(days=59)).strength * 100)
    91
    """
    if today < start:
        raise ValueError(f"today ({today}) is before the start ({start})")
    strength = 0.0
    daily = []
    day, one_day = start, timedelta(days=1)
    while day <= today:
        strength = strength * MULTIPLIER + (1.0 if day in kept else 0.0) * (1 - MULTIPLIER)
        daily.append(strength)
        day += one_day
    count = sum(1 for d in kept if start <= d <= today)
    return HabitStrength(start, today, strength, tuple(daily), count, len(daily))
