"""Fitting parts to a length: one scale factor for every part, solved so the parts add up to the
target, each part held between its floor and its maximum (see :mod:`solemate.plan`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# --- the parts to fit ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    """One thing with a length: ``fixed + unit × x`` seconds, ``x`` between ``lo`` and ``hi``.

    ``full`` is the length of the same part in the ``full`` preset, the reference its share of a
    shorter session is measured against.
    """

    lo: int
    hi: int
    full: float
    unit: int = 1
    fixed: int = 0

    def at(self, s: float) -> float:
        """Seconds per unit when every part is scaled by ``s`` (then kept within its bounds)."""
        x = (s * self.full - self.fixed) / self.unit
        x = self.lo if self.lo > x else x  # max(x, lo) and min(x, hi), written out: a hot path
        return self.hi if self.hi < x else x

    def length(self, x: float) -> float:
        return self.fixed + self.unit * x

    @property
    def shortest(self) -> int:
        return self.fixed + self.unit * self.lo

    @property
    def longest(self) -> int:
        return self.fixed + self.unit * self.hi


def _total(parts: Sequence[_Part], s: float) -> float:
    return sum(p.length(p.at(s)) for p in parts)


def _solve_s(parts: Sequence[_Part], target: float) -> float:
    """The scale at which the parts add up to ``target`` (within their bounds).

    The total is piecewise linear in the scale, bending only where a part reaches its floor or its
    maximum, so the answer is found among those points and solved exactly between two of them.
    """
    points = sorted(
        {0.0}
        | {(p.fixed + p.unit * knot) / p.full for p in parts if p.full > 0 for knot in (p.lo, p.hi)}
    )
    low, high = 0, len(points) - 1
    if _total(parts, points[high]) < target:
        return points[high]
    while high - low > 1:  # the first point whose total reaches the target
        middle = (low + high) // 2
        if _total(parts, points[middle]) >= target:
            high = middle
        else:
            low = middle
    a, b = points[low], points[high]
    total_a, total_b = _total(parts, a), _total(parts, b)
    if total_a >= target or total_b == total_a:
        return a if total_a >= target else b
    return a + (target - total_a) * (b - a) / (total_b - total_a)


def _fit(parts: Sequence[_Part], target: int) -> list[int]:
    """Whole seconds per unit for every part, adding up exactly to ``target``."""
    s = _solve_s(parts, target)
    counted = [i for i, p in enumerate(parts) if p.unit > 1]
    timed = [i for i, p in enumerate(parts) if p.unit == 1]
    chosen = {
        i: min(max(math.floor(parts[i].at(s) + 0.5), parts[i].lo), parts[i].hi) for i in counted
    }

    def timed_room() -> int:
        """Seconds left for the timed parts once the counted parts have their lengths."""
        return target - sum(int(parts[i].length(chosen[i])) for i in counted)

    lo_sum = sum(parts[i].shortest for i in timed)
    hi_sum = sum(parts[i].longest for i in timed)
    room = timed_room()
    while not lo_sum <= room <= hi_sum:
        step = 1 if room > hi_sum else -1
        movable = [i for i in counted if parts[i].lo <= chosen[i] + step <= parts[i].hi]
        if not movable:  # pragma: no cover - the target lies within the parts' bounds
            raise AssertionError("could not fit the counted parts")
        # move the one whose rounding strayed furthest the other way
        best = max(movable, key=lambda i: (step * (parts[i].at(s) - chosen[i]), -i))
        chosen[best] += step
        room = timed_room()

    timed_parts = [parts[i] for i in timed]
    s_timed = _solve_s(timed_parts, room)
    exact = [p.at(s_timed) for p in timed_parts]
    whole = [
        min(max(math.floor(x + 1e-9), p.lo), p.hi) for x, p in zip(exact, timed_parts, strict=True)
    ]
    remainder = room - sum(p.length(w) for p, w in zip(timed_parts, whole, strict=True))
    order = sorted(range(len(whole)), key=lambda j: (-(exact[j] - whole[j]), j))
    while remainder:
        step = 1 if remainder > 0 else -1
        progressed = False
        for j in order if step > 0 else reversed(order):
            if remainder and timed_parts[j].lo <= whole[j] + step <= timed_parts[j].hi:
                whole[j] += step
                remainder -= step
                progressed = True
        if not progressed:  # pragma: no cover - cannot happen within bounds
            raise AssertionError("could not place the remaining seconds")
    for j, i in enumerate(timed):
        chosen[i] = whole[j]
    return [chosen[i] for i in range(len(parts))]
