"""Insights: is the nightly massage actually improving sleep and stress? Pure functions only.

Nothing here reads a file, a database or the clock: callers pass records and dates in (see
``solemate.insights_service`` for the journal-backed shell). Every statistic documents its formula
with a worked example that is also a test.

* :mod:`~solemate.insights.records` — the values insights work on, and the evening of an instant
* :mod:`~solemate.insights.weekly` — weekly means and trends of SOL, WASO, TST, SE and quality
* :mod:`~solemate.insights.stress` — before → after stress change per session
* :mod:`~solemate.insights.habit` — habit strength (smoothed adherence, no streaks)
* :mod:`~solemate.insights.timing` — minutes from the end of a session to lights-out
* :mod:`~solemate.insights.observational` — nights with vs without a session (not proof)
* :mod:`~solemate.insights.overview` — all of the above as one state for renderers
* :mod:`~solemate.insights.randomization` — block allocation and the randomization test
* :mod:`~solemate.insights.ar1` — regression with AR(1) errors
* :mod:`~solemate.insights.experiment` — the N-of-1 plan, analysis and plain-language reading
"""

from __future__ import annotations

from solemate.insights.ar1 import Ar1Fit, ModelError, fit_ar1
from solemate.insights.experiment import (
    DEFAULT_CONTROL,
    DEFAULT_MINIMUM,
    DEFAULT_NIGHTS,
    OUTCOMES,
    ExperimentError,
    ExperimentPlan,
    ExperimentReport,
    ModelResult,
    NightRecord,
    analyse,
    benefit_probability,
    plan_experiment,
)
from solemate.insights.habit import HabitStrength, habit_strength
from solemate.insights.observational import Comparison, compare_nights
from solemate.insights.overview import DeviceWeek, Insights, build_insights
from solemate.insights.randomization import (
    RandomizationResult,
    Scheme,
    SchemeError,
    allocate,
    allocation_count,
    randomization_test,
)
from solemate.insights.records import METRICS, DeviceEstimate, Evening, Metric, Night, evening_of
from solemate.insights.stress import StressChange, stress_change
from solemate.insights.timing import LightsOut, minutes_to_lights_out
from solemate.insights.weekly import Trend, Week, trend, weekly_means

__all__ = [
    "DEFAULT_CONTROL",
    "DEFAULT_MINIMUM",
    "DEFAULT_NIGHTS",
    "METRICS",
    "OUTCOMES",
    "Ar1Fit",
    "Comparison",
    "DeviceEstimate",
    "DeviceWeek",
    "Evening",
    "ExperimentError",
    "ExperimentPlan",
    "ExperimentReport",
    "HabitStrength",
    "Insights",
    "LightsOut",
    "Metric",
    "ModelError",
    "ModelResult",
    "Night",
    "NightRecord",
    "RandomizationResult",
    "Scheme",
    "SchemeError",
    "StressChange",
    "Trend",
    "Week",
    "allocate",
    "allocation_count",
    "analyse",
    "benefit_probability",
    "build_insights",
    "compare_nights",
    "evening_of",
    "fit_ar1",
    "habit_strength",
    "minutes_to_lights_out",
    "plan_experiment",
    "randomization_test",
    "stress_change",
    "trend",
    "weekly_means",
]
