"""solemate: a spoken, timed foot-massage coach and an honest sleep journal.

The public API is listed in ``__all__``. Names are imported on first use so that the command line starts
quickly; everything else in the package is private and may change.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "Routine": "solemate.routine",
    "RoutineError": "solemate.routine",
    "load_routine": "solemate.routine",
    "parse_routine": "solemate.routine",
    "builtin_routine": "solemate.routine",
    "Verdict": "solemate.safety",
    "SafetyChanges": "solemate.safety",
    "screen": "solemate.safety",
    "PlanOptions": "solemate.plan",
    "PlanError": "solemate.plan",
    "plan": "solemate.plan",
    "Timeline": "solemate.timeline",
    "Segment": "solemate.timeline",
    "Cue": "solemate.timeline",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'solemate' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
