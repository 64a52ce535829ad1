"""What an experiment can find, said before it starts; and the report's sentence when the
randomization test and the interval disagree."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import pytest

from solemate.insights import analyse, plan_experiment
from solemate.insights.experiment import reading
from solemate.insights.power import (
    DEFAULT_SPREAD,
    OWN_SPREAD_NIGHTS,
    detection,
    detection_chance,
)


def test_more_nights_and_larger_effects_are_found_more_often() -> None:
    chances = [detection_chance(6, 12, n) for n in (28, 42, 56, 84)]
    assert chances == sorted(chances)
    assert detection_chance(12, 12, 28) > detection_chance(6, 12, 28)
    assert 0.2 < detection_chance(6, 12.5, 28) < 0.32  # the simulations find about 25 %
    assert detection_chance(0, 12, 28) == pytest.approx(0.05, abs=0.01)


def test_the_persons_own_spread_is_used_once_there_are_enough_nights() -> None:
    few = detection("sol", 10, [10, 30] * ((OWN_SPREAD_NIGHTS - 1) // 2))
    assert not few.own
    assert few.sd == DEFAULT_SPREAD["sol"]
    enough = detection("sol", 10, [10, 30] * (OWN_SPREAD_NIGHTS // 2))
    assert enough.own
    assert enough.sd == pytest.approx(10.4, abs=0.1)
    assert enough.lines()[0].startswith("From your own diary (14 nights, a spread of 10 min")
    # a steadier sleeper needs fewer nights for the same minimum
    steady = detection("sol", 10, [15, 20] * 10)
    assert steady.suggested == 28
    assert steady.chance(28) is not None
    assert steady.chance(28) > 0.95  # type: ignore[operator]


def test_a_minimum_out_of_reach_is_said_plainly() -> None:
    found = detection("tst", 5, [])
    assert found.suggested is None
    assert found.lines()[-1].startswith("Even 84 nights give only ")


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf])
def test_a_spread_that_is_no_spread_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="spread must be above 0"):
        detection_chance(6, bad, 28)


def test_a_test_and_an_interval_that_disagree_are_explained_in_one_sentence() -> None:
    plan = plan_experiment(first_evening=date(2024, 3, 1), seed=7, nights=28)
    values = [20.0 + (i % 5) for i in range(28)]
    outcomes = {plan.evening(i): v for i, v in enumerate(values)}
    report = analyse(plan, outcomes, set(), set(), today=date(2024, 3, 29))
    assert report.model is not None
    # force the two answers apart: p <= 0.05 but an interval that includes no difference
    disagree = replace(
        report,
        test=replace(report.test, p_value=0.03),
        model=replace(report.model, low=-12.0, high=1.0, estimate=-5.5),
    )
    sentences = reading(disagree)
    explained = [s for s in sentences if s.startswith("The test gives p ≤ 0.05 while")]
    assert len(explained) == 1
    assert explained[0].count(". ") == 0  # one sentence
    assert any("inconclusive" in s or "smaller than" in s for s in sentences)
    agree = replace(disagree, model=replace(report.model, low=-12.0, high=-1.0))
    assert not [s for s in reading(agree) if s.startswith("The test gives")]


def test_the_chance_names_its_sceptical_prior() -> None:
    plan = plan_experiment(first_evening=date(2024, 3, 1), seed=7, nights=28)
    outcomes = {
        plan.evening(i): 20.0 + (i % 5) - (6 if a == "M" else 0) for i, a in enumerate(plan.arms)
    }
    done = {plan.evening(i) for i, a in enumerate(plan.arms) if a == "M"}
    report = analyse(plan, outcomes, done, set(), today=date(2024, 3, 29))
    line = next(s for s in report.reading if s.startswith("Chance that the benefit"))
    assert "sceptical view that massage most likely makes little or no difference" in line
    assert "a normal prior centred on no difference, spread 10 min" in line
    assert report.model is not None
    assert report.model.prior_sd == plan.minimum
    assert report.model.terms == ("intercept", "massage")
