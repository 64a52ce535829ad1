"""Which phrase cache the tests share, as ``SOLEMATE_TEST_SPEECH_CACHE`` chooses: a folder it
names, or ``fresh`` (or unset) for none chosen, when each fixture picks its own default."""

from __future__ import annotations

import os
from pathlib import Path

VARIABLE = "SOLEMATE_TEST_SPEECH_CACHE"


def chosen_folder() -> Path | None:
    """The folder the variable names; None when it is unset or ``fresh``."""
    value = os.environ.get(VARIABLE, "")
    return Path(value) if value and value != "fresh" else None


def wants_fresh() -> bool:
    return os.environ.get(VARIABLE) == "fresh"
