"""The personal experiment (N-of-1): its plan, and the honest analysis of its nights.

A plan fixes everything before the first night, as CENT 2015 asks: the outcome, the control
activity, the block design, the seed and so the whole allocation, and the smallest change the
person would care about. The analysis then compares nights *as assigned* (intention to treat: an
evening that went differently from the plan still counts under its assigned arm, which is what
the randomization protects), with

* the randomization test that matches the design (:mod:`solemate.insights.randomization`);
* the effect and its 95 % interval from a regression with AR(1) errors
  (:mod:`solemate.insights.ar1`) on the assigned arm alone (:data:`MODEL_TERMS`);
* the probability that the benefit is at least the person's minimum, from the same model with a
  sceptical prior on the effect: normal, centred on no difference, with a standard deviation
  equal to the minimum (so a benefit of the minimum or more starts out at about 16 %);
* a reading in plain words that says what the result can and cannot mean.

The model's terms were chosen before any data, by simulation (``benchmarks/bench_experiment.py``,
figures in ``benchmarks/RESULTS.md``), for calibration first and power second. Both designs
already balance the weekday and the previous night's arm by randomization within blocks, so those
terms cannot bias the estimate; putting them in anyway (six weekday terms and a carry-over term)
kept the interval's coverage but inflated the variance of the estimate about twofold, and
roughly halved the chance of finding a half-SD effect in 28 nights. With the arm alone the
type-I error stays near 5 % and the coverage near 95 % in both designs.

The "chance" figure uses the sceptical prior, not a flat one: when true effects are small, as they
usually are, a flat prior states 80–95 % for benefits that are rarely there. Under the sceptical
prior the stated chances are checked for calibration by simulation in the tests.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from solemate.insights.ar1 import Ar1Fit, ModelError, fit_ar1
from solemate.insights.randomization import (
    Arm,
    RandomizationResult,
    Scheme,
    SchemeError,
    allocate,
    randomization_test,
)
from solemate.insights.records import METRICS, Metric
from solemate.text import text_problem

__all__ = [
    "DEFAULT_CONTROL",
    "DEFAULT_MINIMUM",
    "DEFAULT_NIGHTS",
    "MIN_NIGHTS_PER_ARM",
    "MODEL_TERMS",
    "OUTCOMES",
    "RECOMMENDED_PAIRS",
    "ExperimentError",
    "ExperimentPlan",
    "ExperimentReport",
    "ModelResult",
    "NightRecord",
    "analyse",
    "benefit_probability",
    "plan_experiment",
]

#: Outcomes the diary records, any of which can be the experiment's.
OUTCOMES = tuple(METRICS)
DEFAULT_NIGHTS = 28
DEFAULT_CONTROL = "15 minutes of reading"
#: Below this many pairs of nights the experiment is allowed but warned about (SCIENCE.md).
RECOMMENDED_PAIRS = 14
#: A report needs at least this many nights with a diary in each arm.
MIN_NIGHTS_PER_ARM = 2
#: The default smallest worthwhile change for each outcome, in its unit.
DEFAULT_MINIMUM: dict[str, float] = {
    "sol": 10,
    "waso": 10,
    "tst": 10,
    "se": 5,
    "quality": 0.5,
    "awakenings": 1,
}
ARM_NAMES: dict[Arm, str] = {"M": "massage", "C": "control"}
#: The effect model's terms, fixed before the data (see the module).
MODEL_TERMS = ("intercept", "massage")


class ExperimentError(ValueError):
    """A plan or an analysis that cannot be made; the message says what to change.

    ``field`` names the choice at fault (``outcome``, ``design``, ``nights``, ``control``,
    ``minimum``, ``first_evening``) when one is, so a form can show the message beside it.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ExperimentPlan:
    """Everything fixed before the first night. Night ``i`` is the evening ``first_evening + i``."""

    outcome: str
    scheme: Scheme
    first_evening: date
    seed: int
    arms: tuple[Arm, ...]
    control: str
    minimum: float

    @property
    def metric(self) -> Metric:
        return METRICS[self.outcome]

    @property
    def nights(self) -> int:
        return self.scheme.nights

    @property
    def last_evening(self) -> date:
        return self.first_evening + timedelta(days=self.nights - 1)

    def evening(self, index: int) -> date:
        return self.first_evening + timedelta(days=index)

    def arm_on(self, evening: date) -> Arm | None:
        """The arm of ``evening``, or None outside the experiment."""
        index = (evening - self.first_evening).days
        return self.arms[index] if 0 <= index < self.nights else None

    def warnings(self) -> tuple[str, ...]:
        pairs = self.nights // 2
        if pairs < RECOMMENDED_PAIRS:
            return (
                f"{self.nights} nights give {pairs} nights of each kind; at least "
                f"{RECOMMENDED_PAIRS} of each ({2 * RECOMMENDED_PAIRS} nights) are recommended: "
                "sleep diaries need 2–3 weeks to settle, and fewer nights can only detect large "
                "effects.",
            )
        return ()


def plan_experiment(
    *,
    outcome: str = "sol",
    design: str = "pairs",
    nights: int = DEFAULT_NIGHTS,
    first_evening: date,
    seed: int,
    control: str = DEFAULT_CONTROL,
    minimum: float | None = None,
) -> ExperimentPlan:
    """A checked plan with its allocation drawn from ``seed``.

    >>> plan = plan_experiment(first_evening=date(2024, 3, 1), seed=7, nights=8)
    >>> "".join(plan.arms), plan.minimum, plan.arm_on(date(2024, 3, 2))
    ('MCCMMCCM', 10, 'C')
    >>> plan.warnings()[0][:44]
    '8 nights give 4 nights of each kind; at leas'
    >>> try:
    ...     plan_experiment(outcome="mood", first_evening=date(2024, 3, 1), seed=1)
    ... except ExperimentError as error:
    ...     print(error)
    'mood' is not recorded by the sleep diary; choose one of: sol, waso, tst, se, quality, awakenings
    """
    if outcome not in METRICS:
        raise ExperimentError(
            f"{outcome!r} is not recorded by the sleep diary; choose one of: {', '.join(OUTCOMES)}",
            field="outcome",
        )
    try:
        scheme = Scheme(design, nights)  # type: ignore[arg-type]
    except SchemeError as error:
        field = "design" if design not in ("pairs", "weeks") else "nights"
        raise ExperimentError(str(error), field=field) from None
    if not control.strip() or len(control.strip()) > 100:
        raise ExperimentError("the control activity must be 1 to 100 characters", field="control")
    problem = text_problem(control)
    if problem is not None:
        raise ExperimentError(f"the control activity {problem}", field="control")
    chosen = DEFAULT_MINIMUM[outcome] if minimum is None else minimum
    if not (chosen > 0 and math.isfinite(chosen)):
        raise ExperimentError(
            f"the smallest change you care about must be above 0, got {chosen}",
            field="minimum",
        )
    return ExperimentPlan(
        outcome=outcome,
        scheme=scheme,
        first_evening=first_evening,
        seed=seed,
        arms=allocate(scheme, seed),
        control=control.strip(),
        minimum=chosen,
    )


@dataclass(frozen=True)
class NightRecord:
    """One planned night as it went: the assigned arm, what was done, and the outcome."""

    index: int
    evening: date
    arm: Arm
    massage_done: bool
    control_done: bool
    outcome: float | None
    past: bool

    @property
    def followed(self) -> bool:
        """Whether the evening went as assigned (the assigned activity, and not the other)."""
        if self.arm == "M":
            return self.massage_done
        return self.control_done and not self.massage_done


@dataclass(frozen=True)
class ModelResult:
    """The effect (massage − control, in the outcome's unit) and what the model says of it."""

    estimate: float
    low: float
    high: float
    benefit_probability: float
    any_benefit_probability: float
    prior_sd: float
    rho: float
    sigma: float
    terms: tuple[str, ...]
    nights: int


def benefit_probability(
    fit: Ar1Fit, minimum: float, lower_is_better: bool, prior_sd: float | None = None
) -> float:
    """P(the massage improves the outcome by at least ``minimum``), from the fit's posterior.

    The model behind it: the regression with AR(1) errors, flat priors on log σ and on the
    coefficients (or, with ``prior_sd``, a sceptical normal prior centred on no effect for the
    massage term), a uniform prior on ρ. "Improves" means lower for SOL, WASO and awakenings,
    higher for TST, SE and quality.

    Worked example: massage nights about 9.5 minutes quicker to fall asleep, give or take 3:
    a 0.99 chance of at least 5 minutes, about an even chance of at least the estimate itself,
    and almost none of a 15-minute benefit. A sceptical prior (spread 5 minutes around no
    effect) pulls the estimate towards zero, so the same nights then give a benefit of the
    estimate itself a smaller chance:

    >>> y = [14, 22, 25, 12, 15, 21, 24, 20, 11]
    >>> massage = [1, 0, 0, 1, 1, 0, 0, 0, 1]
    >>> fit = fit_ar1(y, [[1, m] for m in massage], [0, 1, 2, 3, 4, 5, 6, 8, 9],
    ...               ["intercept", "massage"])
    >>> [round(benefit_probability(fit, m, lower_is_better=True), 2) for m in (5, 9.5, 15)]
    [0.99, 0.49, 0.0]
    >>> round(benefit_probability(fit, 9.5, lower_is_better=True, prior_sd=5), 2)
    0.31
    """
    if lower_is_better:
        return fit.probability_below("massage", -minimum, prior_sd)
    return 1.0 - fit.probability_below("massage", minimum, prior_sd)


@dataclass(frozen=True)
class ExperimentReport:
    """Everything a report shows; renderers only read it."""

    plan: ExperimentPlan
    today: date
    nights: tuple[NightRecord, ...]
    test: RandomizationResult
    model: ModelResult | None
    model_problem: str | None
    reading: tuple[str, ...]

    @property
    def past(self) -> tuple[NightRecord, ...]:
        return tuple(n for n in self.nights if n.past)

    def counts(self, arm: Arm) -> dict[str, int]:
        """Planned, elapsed, followed, and with a diary, for one arm."""
        mine = [n for n in self.nights if n.arm == arm]
        past = [n for n in mine if n.past]
        return {
            "planned": len(mine),
            "elapsed": len(past),
            "followed": sum(n.followed for n in past),
            "diaries": sum(n.outcome is not None for n in past),
        }

    @property
    def missing_diaries(self) -> tuple[date, ...]:
        return tuple(n.evening + timedelta(days=1) for n in self.past if n.outcome is None)

    @property
    def complete(self) -> bool:
        return len(self.past) == len(self.nights)


def analyse(
    plan: ExperimentPlan,
    outcomes: Mapping[date, float],
    massage_evenings: Collection[date],
    control_evenings: Collection[date],
    today: date,
) -> ExperimentReport:
    """Analyse the nights so far. ``outcomes`` maps an *evening* to the next morning's value.

    Nights from ``today`` on have not happened and count as missing; a missed diary stays
    missing. At least :data:`MIN_NIGHTS_PER_ARM` nights with a diary are needed in each arm.

    Worked example: eight nights of a pairs design, massage nights about 10 minutes quicker:

    >>> plan = plan_experiment(first_evening=date(2024, 3, 1), seed=7, nights=8)
    >>> sol = dict(zip((plan.evening(i) for i in range(8)), [12, 24, 21, 11, 13, 25, 20, 10]))
    >>> done = {plan.evening(i) for i in range(8) if plan.arms[i] == "M"}
    >>> report = analyse(plan, sol, done, set(), today=date(2024, 3, 9))
    >>> round(report.test.observed, 1), report.test.p_value  # exact: 2 of 2^4 allocations
    (-11.0, 0.125)
    >>> report.counts("C")
    {'planned': 4, 'elapsed': 4, 'followed': 0, 'diaries': 4}
    """
    metric = plan.metric
    records = []
    for index, arm in enumerate(plan.arms):
        evening = plan.evening(index)
        past = evening < today
        value = outcomes.get(evening) if past else None
        records.append(
            NightRecord(
                index=index,
                evening=evening,
                arm=arm,
                massage_done=past and evening in massage_evenings,
                control_done=past and evening in control_evenings,
                outcome=None if value is None else float(value),
                past=past,
            )
        )
    per_arm = {arm: sum(r.outcome is not None for r in records if r.arm == arm) for arm in "MC"}
    if min(per_arm.values()) < MIN_NIGHTS_PER_ARM:
        raise ExperimentError(
            f"a report needs at least {MIN_NIGHTS_PER_ARM} nights with a diary in each arm; so "
            f"far there are {per_arm['M']} massage and {per_arm['C']} control nights with a "
            f"{metric.key.upper()} entry"
        )
    values = [r.outcome for r in records]
    test = randomization_test(plan.scheme, plan.arms, values, seed=plan.seed)
    model, problem = _fit_model(records, plan)
    report = ExperimentReport(plan, today, tuple(records), test, model, problem, ())
    return ExperimentReport(plan, today, tuple(records), test, model, problem, reading(report))


def _fit_model(
    records: Sequence[NightRecord], plan: ExperimentPlan
) -> tuple[ModelResult | None, str | None]:
    """Fit the pre-specified model (:data:`MODEL_TERMS`) to the nights with a diary."""
    seen = [r for r in records if r.outcome is not None]
    y = [r.outcome for r in seen if r.outcome is not None]
    days = [r.index for r in seen]
    rows = [[1.0, float(r.arm == "M")] for r in seen]
    try:
        fit = fit_ar1(y, rows, days, MODEL_TERMS)
    except ModelError as error:
        return None, str(error)
    low, high = fit.interval("massage")
    metric = plan.metric
    prior = plan.minimum
    return (
        ModelResult(
            estimate=fit.estimate("massage"),
            low=low,
            high=high,
            benefit_probability=benefit_probability(
                fit, plan.minimum, metric.lower_is_better, prior
            ),
            any_benefit_probability=benefit_probability(fit, 0.0, metric.lower_is_better, prior),
            prior_sd=prior,
            rho=fit.rho,
            sigma=fit.sigma,
            terms=MODEL_TERMS,
            nights=len(y),
        ),
        None,
    )


def _effect_words(metric: Metric, effect: float) -> str:
    size = metric.format(abs(effect))
    if metric.key in ("sol", "waso"):
        verb = {
            "sol": ("faster to fall asleep", "slower to fall asleep"),
            "waso": ("less time awake in the night", "more time awake in the night"),
        }[metric.key]
        return f"{size} {verb[0] if effect < 0 else verb[1]}"
    return f"{size} {'higher' if effect > 0 else 'lower'} {metric.label}"


def reading(report: ExperimentReport) -> tuple[str, ...]:
    """What the result can and cannot mean, in plain sentences (see the module for the model)."""
    plan, metric = report.plan, report.plan.metric
    control = plan.control
    out: list[str] = []
    m, c = report.counts("M"), report.counts("C")
    if not report.complete:
        out.append(
            f"This is an interim look: {len(report.past)} of {plan.nights} nights so far. "
            "Results change as nights come in, and looking often makes a chance finding more "
            "likely; the final report is the one to go by."
        )
    model = report.model
    if model is not None:
        out.append(
            f"On massage nights you were {_effect_words(metric, model.estimate)} than on nights "
            f"of {control} (95 % interval {metric.format(model.low)} to "
            f"{metric.format(model.high)}, massage minus control)."
        )
        benefit_low = -model.high if metric.lower_is_better else model.low
        benefit_high = -model.low if metric.lower_is_better else model.high
        minimum = metric.format(plan.minimum)
        if benefit_low >= plan.minimum:
            verdict = f"the benefit is likely at least the {minimum} you said you care about."
        elif benefit_low > 0:
            verdict = (
                f"massage nights were likely better, but the benefit may be smaller than the "
                f"{minimum} you care about."
            )
        elif benefit_high < 0:
            verdict = f"massage nights were likely worse than nights of {control}."
        elif benefit_high < plan.minimum:
            verdict = f"any benefit is likely smaller than the {minimum} you care about."
        else:
            verdict = (
                "the result is inconclusive: the interval includes no difference as well as "
                "a worthwhile benefit."
            )
        out.append(
            f"Chance that the benefit is at least {minimum}: "
            f"{model.benefit_probability * 100:.0f} %, starting from the sceptical view that "
            f"massage most likely makes little or no difference (a normal prior centred on no "
            f"difference, spread {minimum}). From the 95 % interval, {verdict}"
        )
    else:
        out.append(
            f"The model could not be fitted ({report.model_problem}); only the randomization "
            "test is available."
        )
    test = report.test
    how = "exact" if test.exact else f"Monte Carlo, ± {test.standard_error:.3f}"
    if test.p_value <= 0.05:
        chance = (
            "a difference this large would be unusual if the massage made no difference to your "
            "sleep"
        )
    else:
        chance = (
            "a difference this large could well arise by chance alone, from the random order of "
            "the nights"
        )
    out.append(f"Randomization test: p = {test.p_value:.3f} ({how}); {chance}.")
    if model is not None and (test.p_value <= 0.05) == (model.low <= 0 <= model.high):
        test_says, interval_says = (
            ("p ≤ 0.05", "the interval still includes no difference")
            if test.p_value <= 0.05
            else ("p > 0.05", "the interval excludes no difference")
        )
        out.append(
            f"The test gives {test_says} while {interval_says}, and both hold because they are "
            "different calculations: the test only asks how unusual the difference is among the random "
            "orders the nights could have had, while the interval also weighs runs of similar "
            "nights, so near the line one can count as evidence and the other not, and "
            "together they say the evidence is suggestive, not firm."
        )
    if test.smallest_p > 0.05:
        out.append(
            f"With this few nights the test cannot reach p ≤ 0.05 at all (smallest possible "
            f"p = {test.smallest_p:.3f})."
        )
    out.append(
        f"You knew which nights were massage nights: blinding is impossible here. Expecting to "
        f"sleep better can improve sleep by itself, so this compares massage with {control}, "
        "expectations included; it cannot tell the massage apart from the belief in it."
    )
    out.append(
        f"{m['diaries']} massage and {c['diaries']} control nights with a diary are a small sample "
        "from one person over a few weeks: the result may not hold in another season, under "
        "other stress, or for anyone else."
    )
    not_followed = (m["elapsed"] - m["followed"]) + (c["elapsed"] - c["followed"])
    if not_followed:
        out.append(
            f"{not_followed} {'evening' if not_followed == 1 else 'evenings'} went differently "
            "from the plan. Nights are compared as "
            "assigned, which keeps the randomization fair but pulls the difference towards zero."
        )
    missing = len(report.missing_diaries)
    if missing:
        out.append(
            f"{missing} {'morning has' if missing == 1 else 'mornings have'} no diary. They are "
            "left out, not filled in; if the "
            "missing mornings followed unusual nights, the result can be biased."
        )
    out.append("This is a personal record, not medical advice.")
    return tuple(out)
