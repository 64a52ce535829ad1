"""Plain summaries of a handful of numbers: the quartiles the insights print beside a median."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["quartiles"]


def quartiles(values: Sequence[float]) -> tuple[float, float]:
    """The lower and upper quartile, interpolating linearly between the nearest values (the
    usual definition, and numpy's default).

    >>> quartiles([1, 2, 3, 4])
    (1.75, 3.25)
    >>> quartiles([7])
    (7.0, 7.0)
    """
    if not values:
        raise ValueError("quartiles of no values")
    ordered = sorted(float(v) for v in values)

    def at(share: float) -> float:
        position = (len(ordered) - 1) * share
        low = math.floor(position)
        fraction = position - low
        if fraction == 0:
            return ordered[low]
        return ordered[low] + fraction * (ordered[low + 1] - ordered[low])

    return at(0.25), at(0.75)
