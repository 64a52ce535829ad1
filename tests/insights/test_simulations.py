"""Simulated experiments with fixed seeds: the test's level and the interval's coverage.

Nights follow an AR(1) process (ρ = 0.4) around a weekday pattern (weekend nights slower), as
real diaries do, with about one diary in ten missing. Under no effect the randomization test must
reject at the 5 % level in 5 % ± 2 % of trials; with a known effect the 95 % interval must cover
it in 95 % ± 3 % of trials. The trial counts keep the whole file to a few seconds per design;
the benchmark runs more.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from solemate.insights import ExperimentPlan, analyse, plan_experiment, randomization_test

pytestmark = pytest.mark.slow  # thousands of simulated experiments

WEEKDAY = np.array([0.0, 2.0, 1.0, 3.0, 6.0, 9.0, -2.0])  # Mon … Sun evenings, minutes
FIRST = date(2024, 1, 1)  # a Monday


def simulate(
    rng: np.random.Generator, design: str, nights: int, effect: float, rho: float = 0.4
) -> tuple[ExperimentPlan, dict[date, float]]:
    """One trial's plan and its nightly outcomes by evening (missing mornings absent)."""
    plan = plan_experiment(
        design=design, nights=nights, first_evening=FIRST, seed=int(rng.integers(2**62))
    )
    sd = 12.0
    noise = np.empty(nights)
    noise[0] = rng.normal(0, sd)
    for t in range(1, nights):
        noise[t] = rho * noise[t - 1] + rng.normal(0, sd * np.sqrt(1 - rho**2))
    outcomes = {}
    for i, arm in enumerate(plan.arms):
        evening = FIRST + timedelta(days=i)
        if rng.random() < 0.1:
            continue  # a morning without a diary
        outcomes[evening] = (
            25 + WEEKDAY[evening.weekday()] + noise[i] + (effect if arm == "M" else 0)
        )
    return plan, outcomes


def p_value(plan: ExperimentPlan, outcomes: dict[date, float]) -> float:
    values = [outcomes.get(plan.evening(i)) for i in range(plan.nights)]
    return randomization_test(plan.scheme, plan.arms, values, seed=plan.seed).p_value


def interval(plan: ExperimentPlan, outcomes: dict[date, float]) -> tuple[float, float]:
    done = {plan.evening(i) for i, a in enumerate(plan.arms) if a == "M"}
    report = analyse(plan, outcomes, done, set(), plan.last_evening + timedelta(days=1))
    assert report.model is not None
    return report.model.low, report.model.high


@pytest.mark.parametrize(("design", "trials"), [("pairs", 1000), ("weeks", 1000)])
def test_under_no_effect_the_randomization_test_rejects_about_5_percent(
    design: str, trials: int
) -> None:
    rng = np.random.default_rng(2024 if design == "pairs" else 2025)
    rejections = sum(p_value(*simulate(rng, design, 28, effect=0.0)) <= 0.05 for _ in range(trials))
    rate = rejections / trials
    print(f"{design}: rejected at 5 % in {rate:.1%} of {trials} trials")
    assert 0.03 <= rate <= 0.07, f"{design}: rejected in {rate:.1%} of {trials} trials"


@pytest.mark.parametrize(("design", "trials"), [("pairs", 600), ("weeks", 400)])
def test_the_95_percent_interval_covers_a_known_effect(design: str, trials: int) -> None:
    rng = np.random.default_rng(7 if design == "pairs" else 8)
    covered = 0
    for _ in range(trials):
        low, high = interval(*simulate(rng, design, 28, effect=-10.0))
        covered += low <= -10.0 <= high
    rate = covered / trials
    print(f"{design}: 95 % interval covered the effect in {rate:.1%} of {trials} trials")
    assert 0.92 <= rate <= 0.98, f"{design}: covered in {rate:.1%} of {trials} trials"
