"""What an experiment can find, said before it starts: the chance that it detects the minimum.

A plan is only worth its nights if it can find the change the person cares about. Before the first
night the app states, for 28, 42 and 56 nights, the chance that the experiment's 95 % interval
excludes "no difference" when the true benefit is exactly the chosen minimum (the power), and
suggests the shortest of those lengths that reaches 80 %.

The calculation follows the analysis the report will run (:mod:`solemate.insights.experiment`):
the massage effect from a regression with AR(1) errors. For a night-to-night correlation ρ the
variance of the estimate is σ² [(X'Ω⁻¹X)⁻¹] for the design matrix X of the allocation, averaged
over allocations the scheme can draw, with a tenth of mornings assumed missing. The chance is then
that of a shifted t with n − 2 degrees of freedom crossing the two-sided 5 % point. The report
integrates ρ out instead of knowing it, which widens its interval: by :data:`WIDENING` in the
simulations of ``benchmarks/bench_experiment.py``, so the standard error here is widened as much.
The benchmark compares the result with full simulations of the analysis.

The spread σ comes from the person's own diary when there are at least :data:`OWN_SPREAD_NIGHTS`
nights of the outcome, else from :data:`DEFAULT_SPREAD`, and the text says which.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean, stdev

from solemate.insights.ar1 import whitened_cross_products
from solemate.insights.distributions import t_cdf, t_quantile
from solemate.insights.randomization import Scheme, allocate
from solemate.insights.records import METRICS

__all__ = [
    "DEFAULT_RHO",
    "DEFAULT_SPREAD",
    "LENGTHS",
    "OWN_SPREAD_NIGHTS",
    "TARGET",
    "Detection",
    "detection",
    "detection_chance",
]

#: The lengths offered before a start, in nights (all multiples of 14, so both designs fit).
LENGTHS = (28, 42, 56)
#: Longer lengths looked at when none of :data:`LENGTHS` reaches the target.
LONGER = (70, 84)
#: The chance a suggested length should reach.
TARGET = 0.8
#: Own diary nights of the outcome needed before their spread is used.
OWN_SPREAD_NIGHTS = 14
#: The night-to-night correlation assumed (a typical value for sleep diaries).
DEFAULT_RHO = 0.3
#: The share of mornings assumed to have no diary.
MISSING = 0.1
#: A typical spread between one person's nights, in each outcome's unit, used until their own
#: diary has :data:`OWN_SPREAD_NIGHTS` nights of it.
DEFAULT_SPREAD: dict[str, float] = {
    "sol": 12.0,
    "waso": 15.0,
    "tst": 40.0,
    "se": 6.0,
    "quality": 0.8,
    "awakenings": 1.2,
}
_ALLOCATIONS = 16
#: How much wider the report's interval is than one with ρ known (measured by simulation: a
#: 0.5-SD effect over 28 nights in pairs, ρ 0.3, is found about 25 % of the time, where a known
#: ρ and the weekday pattern's spread predict 28 %).
WIDENING = 1.07


def _variance_factor(design: str, nights: int, rho: float) -> float:
    """Mean of [(X'Ω⁻¹X)⁻¹] for the massage term over allocations, per unit of σ²."""
    scheme = Scheme(design, nights)  # type: ignore[arg-type]
    days = range(nights)
    factors = []
    for seed in range(_ALLOCATIONS):
        arms = allocate(scheme, seed)
        (a, b), (_, d) = whitened_cross_products(rho, days, [[1.0, float(m == "M")] for m in arms])
        factors.append(a / (a * d - b * b))  # the massage term's entry of the 2 × 2 inverse
    return fmean(factors)


def detection_chance(
    effect: float, sd: float, nights: int, design: str = "pairs", rho: float = DEFAULT_RHO
) -> float:
    """The chance that the 95 % interval of ``nights`` nights excludes no difference, when the
    true effect is ``effect`` and nights spread by ``sd`` with correlation ``rho``.

    Half a standard deviation over 28 nights in pairs is found less than a third of the time; a
    whole one most of the time:

    >>> round(detection_chance(6, 12, 28), 2), round(detection_chance(12, 12, 28), 2)
    (0.26, 0.78)
    """
    if sd <= 0 or not math.isfinite(sd):
        raise ValueError(f"the spread must be above 0, got {sd}")
    observed = max(4, round(nights * (1 - MISSING)))
    se = WIDENING * sd * math.sqrt(_variance_factor(design, nights, rho) / (1 - MISSING))
    df = observed - 2
    critical = t_quantile(0.975, df)
    shift = abs(effect) / se
    return (1 - t_cdf(critical - shift, df)) + t_cdf(-critical - shift, df)


@dataclass(frozen=True)
class Detection:
    """The chance of finding ``minimum`` at each length, and how the spread was chosen."""

    outcome: str
    minimum: float
    sd: float
    own_nights: int
    own: bool
    design: str
    chances: tuple[tuple[int, float], ...]
    suggested: int | None

    def chance(self, nights: int) -> float | None:
        return dict(self.chances).get(nights)

    def lines(self, planned: int | None = None) -> tuple[str, ...]:
        """What the plan can find, in sentences for the terminal and the web form; with
        ``planned`` (a length not among those listed) its own chance is added."""
        metric = METRICS[self.outcome]
        spread = metric.format(self.sd).lstrip("+")
        if self.own:
            source = (
                f"From your own diary ({self.own_nights} nights, a spread of {spread} between "
                "nights)"
            )
        else:
            nights = "night" if self.own_nights == 1 else "nights"
            source = (
                f"Your diary has {self.own_nights} {nights} of {metric.label} so far, fewer than "
                f"the {OWN_SPREAD_NIGHTS} needed to use its spread, so this assumes a typical "
                f"spread of {spread} between nights"
            )
        listed = [(n, c) for n, c in self.chances if n in LENGTHS]
        shown = ", ".join(
            f"{c * 100:.0f} % with {n}" + (" nights" if k == 0 else "")
            for k, (n, c) in enumerate(listed)
        )
        minimum = metric.format(self.minimum).lstrip("+")
        out = [
            f"{source}: the chance of finding a change of {minimum}, if that is the true "
            f"effect, is {shown}."
        ]
        if planned is not None and planned not in dict(self.chances):
            chance = detection_chance(self.minimum, self.sd, planned, self.design)
            out.append(f"With the {planned} nights planned: {chance * 100:.0f} %.")
        if self.suggested is not None:
            out.append(
                f"Suggested length: {self.suggested} nights (the shortest with at least "
                f"{TARGET * 100:.0f} %)."
            )
        else:
            longest, chance = self.chances[-1]
            out.append(
                f"Even {longest} nights give only {chance * 100:.0f} %: a larger minimum, or "
                "a longer experiment, gives a clearer answer."
            )
        return tuple(out)


def detection(
    outcome: str,
    minimum: float,
    own_values: Sequence[float],
    design: str = "pairs",
) -> Detection:
    """The chances of a plan finding ``minimum``, from the person's own nights if enough.

    >>> found = detection("sol", 10, [])
    >>> [(n, round(c, 2)) for n, c in found.chances[:3]], found.suggested
    ([(28, 0.62), (42, 0.81), (56, 0.91)], 42)
    >>> found.lines()[0][:60]
    'Your diary has 0 nights of minutes to fall asleep (SOL) so f'
    """
    values = [float(v) for v in own_values if math.isfinite(float(v))]
    own = len(values) >= OWN_SPREAD_NIGHTS and stdev(values) > 0
    sd = stdev(values) if own else DEFAULT_SPREAD[outcome]
    chances = []
    suggested = None
    for nights in (*LENGTHS, *LONGER):
        if nights in LONGER and suggested is not None:
            break
        chance = detection_chance(minimum, sd, nights, design)
        chances.append((nights, chance))
        if suggested is None and chance >= TARGET:
            suggested = nights
    return Detection(
        outcome=outcome,
        minimum=minimum,
        sd=sd,
        own_nights=len(values),
        own=own,
        design=design,
        chances=tuple(chances),
        suggested=suggested,
    )
