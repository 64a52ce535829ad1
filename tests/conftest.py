"""Shared builders for the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from solemate.routine import Routine, builtin_routine

TESTS = Path(__file__).resolve().parent


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
