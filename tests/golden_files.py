"""The one helper for golden files: saved outputs in ``tests/golden/`` that must not change unless
the change is deliberate.

After a deliberate change, rerun the failing tests with ``SOLEMATE_UPDATE_GOLDEN=1``: each golden
file is rewritten with what the code makes now, and the diff is reviewed before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE_VARIABLE = "SOLEMATE_UPDATE_GOLDEN"
HOW_TO_UPDATE = f"review the change and rerun with {UPDATE_VARIABLE}=1 to accept it"


def updating() -> bool:
    """True when this run rewrites the golden files (``SOLEMATE_UPDATE_GOLDEN=1``)."""
    return os.environ.get(UPDATE_VARIABLE) == "1"


def golden(name: str, actual: str | bytes) -> Path:
    """The path of the golden file ``name``, first rewritten with ``actual`` when updating."""
    path = GOLDEN / name
    if updating():
        if isinstance(actual, bytes):
            path.write_bytes(actual)
        else:
            path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"{path} is missing; {HOW_TO_UPDATE}"
    return path


def assert_golden(name: str, actual: str) -> None:
    """``actual`` is the text saved in the golden file ``name``."""
    path = golden(name, actual)
    assert actual == path.read_text(encoding="utf-8"), f"{name} changed; {HOW_TO_UPDATE}"
