"""The experiment's analysis, simulated at length: level, coverage, power, and the calibration
of the "chance of a worthwhile benefit", for the model the report uses and the one it replaced.

Nights follow an AR(1) process around a weekday pattern (weekend evenings slower), with a tenth
of mornings missing, as in ``tests/insights/test_simulations.py`` (which runs a few hundred
trials of the same, with fixed seeds, in CI). Here each scenario runs ``TRIALS`` trials:

* type-I error of the randomization test and of the interval (excluding 0) under no effect;
* coverage of the 95 % interval for a known effect;
* power at 0.5 SD (6 of 12 minutes) over 28 nights, ρ = 0.3, for the interval and the test, set
  against the pre-start estimate of :func:`solemate.insights.power.detection_chance`;
* "arm only" is the report's model (:data:`solemate.insights.experiment.MODEL_TERMS`); "weekday
  + carry-over" is the model it replaced (six weekday terms and the previous night's arm);
* the calibration of the chance that the benefit is at least the minimum (10 minutes), with
  true effects drawn from N(0, 4 min) (small effects, the realistic case) and from the report's
  own sceptical prior N(0, 10 min), for the sceptical and the flat prior.

Run: ``python -m benchmarks experiment`` (about ten minutes on one free core; set
``SOLEMATE_BENCH_TRIALS`` for more or fewer trials per cell).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date

import numpy as np

from benchmarks.harness import write_section
from solemate.insights import (
    Ar1Fit,
    ExperimentPlan,
    ModelError,
    fit_ar1,
    plan_experiment,
    randomization_test,
)
from solemate.insights.experiment import benefit_probability
from solemate.insights.power import detection_chance

TRIALS = int(os.environ.get("SOLEMATE_BENCH_TRIALS", "1000"))
WEEKDAY = np.array([0.0, 2.0, 1.0, 3.0, 6.0, 9.0, -2.0])
FIRST = date(2024, 1, 1)  # a Monday
SD = 12.0
MINIMUM = 10.0
#: The spread of one night as a diary would show it: the noise and the weekday pattern.
SPREAD = float(np.sqrt(SD**2 + WEEKDAY.var()))


def simulate(
    rng: np.random.Generator, design: str, nights: int, effect: float, rho: float
) -> tuple[ExperimentPlan, list[tuple[int, date, str, float]]]:
    plan = plan_experiment(
        design=design, nights=nights, first_evening=FIRST, seed=int(rng.integers(2**62))
    )
    noise = np.empty(nights)
    noise[0] = rng.normal(0, SD)
    for t in range(1, nights):
        noise[t] = rho * noise[t - 1] + rng.normal(0, SD * np.sqrt(1 - rho**2))
    rows: list[tuple[int, date, str, float]] = []
    for i, arm in enumerate(plan.arms):
        evening = plan.evening(i)
        if rng.random() < 0.1:
            continue
        value = 25 + WEEKDAY[evening.weekday()] + noise[i] + (effect if arm == "M" else 0.0)
        rows.append((i, evening, arm, float(value)))
    return plan, rows


def design_matrix(
    plan: ExperimentPlan, rows: Sequence[tuple[int, date, str, float]], model: str
) -> tuple[list[list[float]], list[str]]:
    x, names = [], ["intercept", "massage"]
    for i, evening, arm, _ in rows:
        row = [1.0, float(arm == "M")]
        if model == "weekday + carry-over":
            row.append(0.5 if i == 0 else float(plan.arms[i - 1] == "M"))
            row += [float(evening.weekday() == d) for d in range(1, 7)]
        x.append(row)
    if model == "weekday + carry-over":
        names += ["previous", *(f"day{d}" for d in range(1, 7))]
    return x, names


def fit(plan: ExperimentPlan, rows: Sequence[tuple[int, date, str, float]], model: str) -> Ar1Fit:
    """The model's fit; the old model, like the report did, falls back to fewer terms when the
    nights cannot separate its weekdays (here straight to the arm and the previous night)."""
    x, names = design_matrix(plan, rows, model)
    y, days = [r[3] for r in rows], [r[0] for r in rows]
    try:
        return fit_ar1(y, x, days, names)
    except ModelError:
        return fit_ar1(y, [row[:3] for row in x], days, names[:3])


def p_value(plan: ExperimentPlan, rows: Sequence[tuple[int, date, str, float]]) -> float:
    by_index = {r[0]: r[3] for r in rows}
    values = [by_index.get(i) for i in range(plan.nights)]
    return randomization_test(plan.scheme, plan.arms, values, seed=plan.seed).p_value


def rate(hits: int, trials: int) -> str:
    p = hits / trials
    return f"{p:.1%} ± {np.sqrt(p * (1 - p) / trials):.1%}"


def calibration_rows(trials: int) -> list[str]:
    lines = []
    for label, spread in (("N(0, 4 min)", 4.0), ("N(0, 10 min), the report's prior", MINIMUM)):
        rng = np.random.default_rng(41 if spread == 4.0 else 42)
        stated: dict[str, list[float]] = {"sceptical": [], "flat": []}
        truth = []
        for _ in range(trials):
            effect = float(rng.normal(0, spread))
            plan, rows = simulate(rng, "pairs", 28, effect, 0.3)
            found = fit(plan, rows, "arm only")
            stated["sceptical"].append(benefit_probability(found, MINIMUM, True, MINIMUM))
            stated["flat"].append(benefit_probability(found, MINIMUM, True))
            truth.append(-effect >= MINIMUM)
        hit = np.array(truth)
        for prior, values in stated.items():
            chance = np.array(values)
            confident = (chance >= 0.8) & (chance <= 0.95)
            high = (
                f"{hit[confident].mean():.0%} of {confident.sum()}" if confident.any() else "none"
            )
            lines.append(f"| {label} | {prior} | {chance.mean():.1%} | {hit.mean():.1%} | {high} |")
    return lines


def main() -> None:
    trials = TRIALS
    lines = [
        f"{trials:,} simulated experiments per cell: 28 nights, nights spread 12 min (SD) around "
        "a weekday pattern, AR(1) correlation ρ, a tenth of mornings missing.",
        "",
        "| design, ρ | model | test type-I | interval type-I | coverage of −10 min | "
        "power at 0.5 SD, ρ 0.3: interval | randomization test | pre-start estimate |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for design in ("pairs", "weeks"):
        for model in ("arm only", "weekday + carry-over"):
            rng = np.random.default_rng(7 if design == "pairs" else 8)
            test_null = int_null = covered = found = test_found = 0
            for _ in range(trials):
                plan, rows = simulate(rng, design, 28, 0.0, 0.4)
                low, high = fit(plan, rows, model).interval("massage")
                int_null += not low <= 0 <= high
                test_null += p_value(plan, rows) <= 0.05
                plan, rows = simulate(rng, design, 28, -10.0, 0.4)
                low, high = fit(plan, rows, model).interval("massage")
                covered += low <= -10.0 <= high
                plan, rows = simulate(rng, design, 28, -6.0, 0.3)
                low, high = fit(plan, rows, model).interval("massage")
                found += high < 0
                test_found += p_value(plan, rows) <= 0.05
            estimate = (
                f"{detection_chance(6.0, SPREAD, 28, design, 0.3):.0%}"
                if model == "arm only"
                else "–"
            )
            lines.append(
                f"| {design}, 0.4 | {model} | {rate(test_null, trials)} | "
                f"{rate(int_null, trials)} | {rate(covered, trials)} | {rate(found, trials)} | "
                f"{rate(test_found, trials)} | {estimate} |"
            )
            print(lines[-1], flush=True)
    lines += [
        "",
        "The randomization test does not depend on the model (the same trials, so the same "
        "figures in both rows of a design). Calibration of the stated chance that the benefit "
        f"is at least {MINIMUM:g} min (pairs, 28 nights, ρ 0.3), arm-only model:",
        "",
        "| true effects drawn from | prior | mean stated chance | true share ≥ minimum | "
        "true share when 80–95 % was stated |",
        "|---|---|---|---|---|",
        *calibration_rows(trials),
    ]
    body = "\n".join(lines)
    print(body)
    path = write_section("experiment", "The experiment's analysis: level, coverage, power", body)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
