"""Nights after a session against nights without one: an observation, never a proof.

People massage on the evenings they choose: calmer ones, free ones, evenings with time to spare.
Those evenings can differ from the others in ways that change sleep by themselves, so a
difference here shows what happened, not what the massage did. The personal experiment
(:mod:`solemate.insights.experiment`) is the way to find that out; every text produced here says
so.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import fmean

from solemate.insights.records import METRICS, Night

__all__ = ["CAVEAT", "Comparison", "compare_nights"]

CAVEAT = (
    "Observation, not proof: evenings with a massage may differ from the others in other ways "
    "(time, mood, day of the week). A personal experiment, with massage and control nights in "
    "random order, can find out."
)


@dataclass(frozen=True)
class Comparison:
    """Mean of each diary figure on nights with and without a session, and how many nights."""

    with_session: int
    without_session: int
    means_with: dict[str, float | None]
    means_without: dict[str, float | None]
    caveat: str = CAVEAT

    def difference(self, metric: str) -> float | None:
        a, b = self.means_with[metric], self.means_without[metric]
        return None if a is None or b is None else a - b


def compare_nights(
    nights: Sequence[Night], session_evenings: Collection[date], unknown: Collection[date] = ()
) -> Comparison:
    """Split diary nights by whether the evening before had a session.

    ``unknown`` evenings (a rendered audio track that may or may not have been played) are
    left out of both groups.

    >>> from datetime import datetime, UTC
    >>> t = datetime(2024, 3, 1, 22, tzinfo=UTC)
    >>> nights = [Night(date(2024, 3, d), sol, 10, 420, 90.0, 4, 1, t)
    ...           for d, sol in [(2, 10), (3, 30), (4, 14), (5, 26)]]
    >>> result = compare_nights(nights, {date(2024, 3, 1), date(2024, 3, 3)})
    >>> result.with_session, result.means_with["sol"], result.means_without["sol"]
    (2, 12.0, 28.0)
    >>> result.difference("sol")
    -16.0
    """
    with_rows = [n for n in nights if n.evening in session_evenings]
    without_rows = [
        n for n in nights if n.evening not in session_evenings and n.evening not in unknown
    ]

    def means(rows: list[Night]) -> dict[str, float | None]:
        return {key: fmean(n.value(key) for n in rows) if rows else None for key in METRICS}

    return Comparison(len(with_rows), len(without_rows), means(with_rows), means(without_rows))
