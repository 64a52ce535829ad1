"""The curated public API: everything in ``__all__`` resolves, nothing else is promised."""

from __future__ import annotations

import subprocess
import sys

import pytest

import solemate


def test_every_public_name_resolves() -> None:
    for name in solemate.__all__:
        assert getattr(solemate, name) is not None, name


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        solemate.no_such_thing  # noqa: B018


def test_version_does_not_import_the_heavy_modules() -> None:
    code = (
        "import sys; from solemate.cli import main; main(['--version']); "
        "heavy = [m for m in ('pydantic', 'typer', 'rich', 'sqlalchemy') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == [f"solemate {solemate.__version__}", "[]"]
