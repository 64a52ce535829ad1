"""Shared builders for the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from solemate.routine import Routine, builtin_routine

TESTS = Path(__file__).resolve().parent

# The suite speaks with espeak-ng (instant) unless a test asks for Kokoro by name; set here, before
# any test, so commands run in-process and servers started as subprocesses agree. Run the whole
# suite with the natural voice by setting SOLEMATE_VOICE=heart.
os.environ.setdefault("SOLEMATE_VOICE", "espeak")


@pytest.fixture(scope="session")
def evening() -> Routine:
    return builtin_routine("evening")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private data directory, so no test touches the real user's files."""
    folder = tmp_path / "data"
    monkeypatch.setenv("SOLEMATE_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def cli(data_dir: Path) -> CliRunner:
    from solemate.cli.app import _register

    _register()
    return CliRunner()
