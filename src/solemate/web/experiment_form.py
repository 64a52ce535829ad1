"""The experiment's forms on the web: the choices offered, and posted text turned into arguments.

Only the reading of text lives here (is it a whole number, a number, a date); every rule about
what makes a sound experiment is checked by :func:`solemate.insights_service.start`, the same call
``solemate experiment start`` makes, and its refusal is shown beside the field it names.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from solemate.insights import METRICS, OUTCOMES
from solemate.insights.experiment import (
    DEFAULT_CONTROL,
    DEFAULT_MINIMUM,
    DEFAULT_NIGHTS,
    ExperimentError,
)

if TYPE_CHECKING:
    from solemate.journal.reading import JournalReads

__all__ = [
    "DESIGNS",
    "FIELDS",
    "OUTCOME_CHOICES",
    "StartForm",
    "minimum_help",
    "parse_start",
    "power_lines",
    "start_defaults",
]

FIELDS = ("outcome", "control", "nights", "design", "minimum", "first_evening")
OUTCOME_CHOICES = tuple((key, METRICS[key].label) for key in OUTCOMES)
DESIGNS = (
    ("pairs", "In pairs of nights: one massage, one control, in random order"),
    ("weeks", "In 7-night blocks, 4 massage and 3 control, then 3 and 4 (weekends balance)"),
)
SHORT_NAMES = {
    "sol": "SOL",
    "waso": "WASO",
    "tst": "TST",
    "se": "SE",
    "quality": "quality",
    "awakenings": "awakenings",
}
#: Longest text kept from a field to show it again in the form.
ECHO = 200


@dataclass(frozen=True)
class StartForm:
    """The form as posted: the text to show again, the parsed arguments, the problems by field."""

    values: dict[str, str]
    arguments: dict[str, Any] | None
    errors: dict[str, str] = field(default_factory=dict)


def start_defaults(today: dt.date) -> dict[str, str]:
    """The values the form starts with: those of ``solemate experiment start`` without options."""
    return {
        "outcome": "sol",
        "control": DEFAULT_CONTROL,
        "nights": str(DEFAULT_NIGHTS),
        "design": "pairs",
        "minimum": "",
        "first_evening": today.isoformat(),
    }


def minimum_help() -> str:
    """How the smallest change defaults, in words: "10 min for SOL, … 5 % for SE, …"."""
    parts = []
    for key in OUTCOMES:
        value, unit = DEFAULT_MINIMUM[key], METRICS[key].unit
        if unit == "points" and value <= 1:
            unit = "point"
        parts.append(f"{value:g} {unit} for {SHORT_NAMES[key]}")
    return ", ".join(parts)


def parse_start(form: Mapping[str, Any]) -> StartForm:
    """Read the posted start form; ``arguments`` is None when any field is not readable."""
    values = {name: raw[:ECHO] if isinstance(raw := form.get(name), str) else "" for name in FIELDS}
    errors: dict[str, str] = {}
    arguments: dict[str, Any] = {
        "outcome": values["outcome"],
        "design": values["design"],
        "control": form.get("control") if isinstance(form.get("control"), str) else "",
    }
    nights = values["nights"].strip()
    if nights.isascii() and nights.isdigit() and len(nights) <= 4:
        arguments["nights"] = int(nights)
    else:
        errors["nights"] = "give a whole number of nights, such as 28"
    minimum = values["minimum"].strip()
    if minimum == "":
        arguments["minimum"] = None
    else:
        try:
            number = float(minimum) if minimum.isascii() and len(minimum) <= 12 else math.nan
        except ValueError:
            number = math.nan
        if math.isfinite(number):
            arguments["minimum"] = number
        else:
            errors["minimum"] = "give a number such as 10, or leave it empty for the usual"
    first = values["first_evening"].strip()
    if first == "":
        arguments["first_evening"] = None
    else:
        try:
            arguments["first_evening"] = dt.date.fromisoformat(first)
            if arguments["first_evening"].year > 2200:
                raise ValueError("implausible year")
        except ValueError:
            errors["first_evening"] = "give a date like 2024-03-01, or leave it empty for tonight"
    return StartForm(values, None if errors else arguments, errors)


def power_lines(
    journal: JournalReads, today: dt.date, values: Mapping[str, str] | None
) -> tuple[str, ...]:
    """What the plan in the form could find (see :mod:`solemate.insights.power`), for the
    outcome, minimum and design shown in the form; the defaults stand in for any of them that
    cannot be read, since the form marks those itself."""
    from solemate.insights_service import detection_for

    shown = values or {}
    outcome = shown.get("outcome", "sol")
    outcome = outcome if outcome in OUTCOMES else "sol"
    design = shown.get("design", "pairs")
    design = design if design in ("pairs", "weeks") else "pairs"
    minimum: float | None = None
    raw = shown.get("minimum", "").strip()
    if raw and raw.isascii() and len(raw) <= 12:
        try:
            number = float(raw)
        except ValueError:
            number = math.nan
        minimum = number if math.isfinite(number) and number > 0 else None
    planned = shown.get("nights", "").strip()
    nights = int(planned) if planned.isascii() and planned.isdigit() and len(planned) <= 4 else None
    try:
        found = detection_for(journal, today, outcome=outcome, minimum=minimum, design=design)
    except ExperimentError:
        return ()
    step = 2 if design == "pairs" else 14
    if nights is not None and not (step <= nights <= 3660 and nights % step == 0):
        nights = None
    return found.lines(planned=nights)
