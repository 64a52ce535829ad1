"""The experiment's allocation and the randomization test that follows it exactly.

Each night is a period: massage (``"M"``) or the control activity (``"C"``). Nights are randomized
in balanced blocks, as SCIENCE.md asks, so a run of bad weeks cannot land on one arm:

* ``pairs``: each pair of nights holds one massage night and one control night, in random order.
  With *k* pairs there are 2^k equally likely allocations.
* ``weeks``: each 7-night block holds 4 of one arm and 3 of the other, the majority alternating
  from block to block (4/3, 3/4, …) so weekdays and weekends balance over two weeks. Which arm
  has the majority in the first block is a coin toss, and each block's pattern is one of the
  C(7, 4) = 35 arrangements: 2 · 35^b allocations for *b* blocks.

The randomization test asks how unusual the observed difference between the arms is among all
the allocations the scheme could have produced, had the massage made no difference to any night
(the sharp null). Because it uses the scheme itself, it needs no assumption about how sleep
varies from night to night. Nights without a diary are left out of every re-allocation's means,
exactly as they are left out of the observed one.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # imported where the test runs: showing insights needs no numpy
    import numpy as np
    from numpy.typing import NDArray

__all__ = [
    "EXACT_LIMIT",
    "Arm",
    "RandomizationResult",
    "Scheme",
    "SchemeError",
    "SchemeName",
    "allocate",
    "allocation_count",
    "mean_difference",
    "randomization_test",
]

Arm = Literal["M", "C"]
SchemeName = Literal["pairs", "weeks"]

#: Enumerate every allocation up to this many (2^20: twenty pairs); sample them beyond it.
EXACT_LIMIT = 2**20

#: Monte Carlo draws when the allocations are too many to list; the p-value's standard error
#: is then at most 0.5 / sqrt(20,000) ≈ 0.0035.
MONTE_CARLO_DRAWS = 20_000


class SchemeError(ValueError):
    """A length that the chosen blocks cannot fill, or an unknown scheme."""


@dataclass(frozen=True)
class Scheme:
    """A randomization scheme: the block design and the number of nights.

    >>> Scheme("pairs", 28).blocks
    14
    >>> try:
    ...     Scheme("weeks", 21)
    ... except SchemeError as error:
    ...     print(error)
    7-night blocks alternate 4/3 and 3/4, so the length must be a multiple of 14 nights; got 21
    """

    name: SchemeName
    nights: int

    def __post_init__(self) -> None:
        if self.name not in ("pairs", "weeks"):
            raise SchemeError(f"unknown block design {self.name!r}: use 'pairs' or 'weeks'")
        if self.nights < 2:
            raise SchemeError(f"an experiment needs at least 2 nights; got {self.nights}")
        if self.name == "pairs" and self.nights % 2:
            raise SchemeError(f"pairs need an even number of nights; got {self.nights}")
        if self.name == "weeks" and self.nights % 14:
            raise SchemeError(
                "7-night blocks alternate 4/3 and 3/4, so the length must be a multiple of "
                f"14 nights; got {self.nights}"
            )

    @property
    def block_length(self) -> int:
        return 2 if self.name == "pairs" else 7

    @property
    def blocks(self) -> int:
        return self.nights // self.block_length

    def patterns(self) -> tuple[tuple[NDArray[np.int8], ...], ...]:
        """Per orientation, per block: every admissible pattern as rows of 1 (M) and 0 (C)."""
        import numpy as np

        if self.name == "pairs":
            pair = np.array([[1, 0], [0, 1]], dtype=np.int8)
            return (tuple(pair for _ in range(self.blocks)),)
        four, three = _choose(7, 4), _choose(7, 3)
        return tuple(
            tuple(four if (block + orientation) % 2 == 0 else three for block in range(self.blocks))
            for orientation in (0, 1)
        )


@dataclass(frozen=True)
class RandomizationResult:
    """The observed difference (massage − control), its two-sided p-value and how it was got.

    ``standard_error`` is 0 for an exact test and the Monte Carlo error otherwise;
    ``smallest_p`` is the smallest p-value this scheme could ever give (2 / allocations when
    exact), which tells how much evidence the design can hold at all.
    """

    observed: float
    p_value: float
    exact: bool
    allocations: int
    draws: int
    standard_error: float
    smallest_p: float


def _choose(n: int, k: int) -> NDArray[np.int8]:
    import numpy as np

    rows = []
    for ones in itertools.combinations(range(n), k):
        row = np.zeros(n, dtype=np.int8)
        row[list(ones)] = 1
        rows.append(row)
    return np.array(rows, dtype=np.int8)


def allocation_count(scheme: Scheme) -> int:
    """How many allocations the scheme can produce, each as likely as any other.

    >>> allocation_count(Scheme("pairs", 28))  # 2^14
    16384
    >>> allocation_count(Scheme("weeks", 28))  # 2 orientations · 35^4
    3001250
    """
    return sum(math.prod(len(p) for p in blocks) for blocks in scheme.patterns())


def allocate(scheme: Scheme, seed: int) -> tuple[Arm, ...]:
    """The allocation drawn from ``seed``: the same seed always gives the same nights.

    Only :meth:`random.Random.random` is used (Python promises its sequence for a given seed
    across versions), with the choices made here, so a stored seed reproduces its allocation on
    any later Python.

    >>> "".join(allocate(Scheme("pairs", 8), seed=7))
    'MCCMMCCM'
    >>> nights = allocate(Scheme("weeks", 14), seed=7)
    >>> "".join(nights), nights[:7].count("M"), nights[7:].count("M")
    ('MMCMCMCCMCCMMC', 4, 3)
    """
    rng = random.Random(seed)
    orientations = scheme.patterns()
    blocks = orientations[int(rng.random() * len(orientations))]
    arms: list[Arm] = []
    for patterns in blocks:
        row = patterns[int(rng.random() * len(patterns))]
        arms.extend("M" if value else "C" for value in row)
    return tuple(arms)


def mean_difference(arms: Sequence[Arm], outcomes: Sequence[float | None]) -> float:
    """Mean outcome on massage nights minus mean on control nights, missing nights left out.

    >>> mean_difference("MCMC", [10, 30, None, 20])  # 10 − (30 + 20) / 2
    -15.0
    """
    massage = [y for a, y in zip(arms, outcomes, strict=True) if a == "M" and y is not None]
    control = [y for a, y in zip(arms, outcomes, strict=True) if a == "C" and y is not None]
    if not massage or not control:
        raise ValueError("each arm needs at least one night with a value")
    return fmean(massage) - fmean(control)


def randomization_test(
    scheme: Scheme,
    arms: Sequence[Arm],
    outcomes: Sequence[float | None],
    *,
    seed: int = 0,
    exact_limit: int = EXACT_LIMIT,
    draws: int = MONTE_CARLO_DRAWS,
) -> RandomizationResult:
    """The two-sided randomization test of "massage made no difference", for this scheme.

    The p-value is the share of allocations whose difference is at least as far from zero as
    the observed one. With at most ``exact_limit`` allocations all are listed (exact); otherwise
    ``draws`` are sampled with ``seed`` and p = (1 + hits) / (1 + draws), whose standard error
    sqrt(p (1 − p) / draws) is reported. An allocation that leaves an arm without any observed
    night counts as a difference of 0.

    Worked example: three pairs, massage first in the first two. The difference is −10; of the
    2^3 = 8 allocations, the observed one and its mirror image reach |−10| and no other does:

    >>> pairs = Scheme("pairs", 6)
    >>> result = randomization_test(pairs, "MCMCCM", [10, 20, 15, 25, 30, 20])
    >>> result.observed, result.p_value, result.exact, result.smallest_p
    (-10.0, 0.25, True, 0.25)

    Three pairs can never give p < 0.05, however large the effect: that is why the default
    experiment runs for 14 pairs (smallest p = 2 / 2^14 ≈ 0.0001).
    """
    if len(arms) != scheme.nights or len(outcomes) != scheme.nights:
        raise ValueError(f"expected {scheme.nights} nights, got {len(arms)} and {len(outcomes)}")
    import numpy as np

    observed = mean_difference(arms, outcomes)
    values = np.array([np.nan if y is None else float(y) for y in outcomes])
    seen = ~np.isnan(values)
    values = np.where(seen, values, 0.0)
    total_sum, total_count = float(values.sum()), float(seen.sum())
    count = allocation_count(scheme)
    # Ties between allocations are real (mirror images); a relative tolerance keeps
    # floating-point noise from splitting them.
    threshold = abs(observed) - 1e-9 * max(1.0, abs(observed))

    per_orientation = []
    for blocks in scheme.patterns():
        options = []
        for index, patterns in enumerate(blocks):
            start = index * scheme.block_length
            stop = start + scheme.block_length
            options.append(
                (
                    patterns @ values[start:stop],
                    patterns @ seen[start:stop].astype(np.float64),
                )
            )
        per_orientation.append(options)

    if count <= exact_limit:
        totals = [_all_totals(options) for options in per_orientation]
        statistics = _differences(
            np.concatenate([s for s, _ in totals]),
            np.concatenate([n for _, n in totals]),
            total_sum,
            total_count,
        )
        hits = int(np.count_nonzero(np.abs(statistics) >= threshold))
        return RandomizationResult(
            observed=observed,
            p_value=hits / count,
            exact=True,
            allocations=count,
            draws=count,
            standard_error=0.0,
            smallest_p=min(1.0, 2 / count),
        )

    rng = np.random.default_rng(seed)
    orientation = rng.integers(0, len(per_orientation), size=draws)
    sums = np.zeros(draws)
    counts = np.zeros(draws)
    for o, options in enumerate(per_orientation):
        chosen = orientation == o
        k = int(chosen.sum())
        for option_sum, option_count in options:
            pick = rng.integers(0, len(option_sum), size=k)
            sums[chosen] += option_sum[pick]
            counts[chosen] += option_count[pick]
    statistics = _differences(sums, counts, total_sum, total_count)
    hits = int(np.count_nonzero(np.abs(statistics) >= threshold))
    p = (1 + hits) / (1 + draws)
    return RandomizationResult(
        observed=observed,
        p_value=p,
        exact=False,
        allocations=count,
        draws=draws,
        standard_error=math.sqrt(p * (1 - p) / draws),
        smallest_p=min(1.0, 2 / count),
    )


def _all_totals(
    options: Sequence[tuple[NDArray[np.float64], NDArray[np.float64]]],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Massage-arm sum and count for every combination of block patterns.

    Built by doubling (or ×35 for weeks) one block at a time with numpy broadcasting, so listing
    2^20 allocations costs a few array operations per block instead of a Python loop over a
    million allocations.
    """
    import numpy as np

    sums = np.zeros(1)
    counts = np.zeros(1)
    for option_sum, option_count in options:
        sums = (sums[:, None] + option_sum[None, :]).ravel()
        counts = (counts[:, None] + option_count[None, :]).ravel()
    return sums, counts


def _differences(
    sums: NDArray[np.float64], counts: NDArray[np.float64], total_sum: float, total_count: float
) -> NDArray[np.float64]:
    import numpy as np

    other = total_count - counts
    valid = (counts > 0) & (other > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = sums / counts - (total_sum - sums) / other
    return np.where(valid, diff, 0.0)
