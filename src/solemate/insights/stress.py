"""How much a session changed the stress rating: per session, and across sessions.

The rating is the app's own "How stressed do you feel right now?", 0 (not at all) to 10
(extremely), asked before and after. A change is after − before, so a negative number is less
stress. Sessions rated only once are counted but have no change: nothing is filled in.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from solemate.insights.records import Evening
from solemate.insights.summary import quartiles
from solemate.insights.wording import count

__all__ = ["StressChange", "stress_change"]


@dataclass(frozen=True)
class StressChange:
    """The distribution of after − before over the sessions rated both times.

    ``counts`` maps each change (−10 … 10) that occurred to how many sessions had it.
    """

    rated: int
    unrated: int
    mean: float | None
    median: float | None
    lower_quartile: float | None
    upper_quartile: float | None
    calmer: int
    same: int
    tenser: int
    counts: dict[int, int]

    def words(self) -> str:
        if not self.rated:
            return "No session has both a before and an after rating yet."
        assert self.median is not None
        return (
            f"{self.calmer} of {count(self.rated, 'session')} ended calmer, {self.same} the "
            f"same, {self.tenser} tenser; the typical change was {self.median:+.1f} "
            f"{'point' if abs(self.median) == 1 else 'points'} (median)."
        )


def stress_change(evenings: Sequence[Evening]) -> StressChange:
    """Summarise after − before over the sessions that happened.

    Worked example: three rated sessions (7→3, 5→5, 6→4) and one rated only before:

    >>> from datetime import datetime, UTC
    >>> at = datetime(2024, 3, 1, 21, tzinfo=UTC)
    >>> sessions = [
    ...     Evening(at, at, "completed", 7, 3), Evening(at, at, "completed", 5, 5),
    ...     Evening(at, at, "completed", 6, 4), Evening(at, at, "interrupted", 8, None),
    ... ]
    >>> summary = stress_change(sessions)
    >>> summary.rated, summary.unrated, summary.mean, summary.median, summary.counts
    (3, 1, -2.0, -2.0, {-4: 1, -2: 1, 0: 1})
    >>> summary.words()
    '2 of 3 sessions ended calmer, 1 the same, 0 tenser; the typical change was -2.0 points (median).'
    """
    happened = [e for e in evenings if e.happened]
    changes = [
        e.stress_after - e.stress_before
        for e in happened
        if e.stress_before is not None and e.stress_after is not None
    ]
    counts: dict[int, int] = {}
    for change in sorted(changes):
        counts[change] = counts.get(change, 0) + 1
    if not changes:
        return StressChange(0, len(happened), None, None, None, None, 0, 0, 0, {})
    lower, upper = quartiles(changes)
    return StressChange(
        rated=len(changes),
        unrated=len(happened) - len(changes),
        mean=statistics.fmean(changes),
        median=float(statistics.median(changes)),
        lower_quartile=lower,
        upper_quartile=upper,
        calmer=sum(c < 0 for c in changes),
        same=sum(c == 0 for c in changes),
        tenser=sum(c > 0 for c in changes),
        counts=counts,
    )
