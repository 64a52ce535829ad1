"""Every command's text, number, date and file inputs fed garbage, in one table: odd bytes (a
non-UTF-8 argument arrives as a lone surrogate), huge numbers, far dates, special files. Each must
exit non-zero with a message, print no traceback, and leave the journal exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from solemate.cli.app import app
from solemate.journal import Journal

ODD = "caf\udcff"  # what b"caf\xff" on the command line becomes
HUGE = "99999999999999999999999"
FAR = "9999-12-31"
SUP = "²"  # a digit to str.isdigit, not to int()

CASES: list[list[str]] = [
    ["plan", "--minutes", HUGE],
    ["plan", "--minutes", "nan"],
    ["plan", "--minutes", "-5"],
    ["plan", "--routine", ODD],
    ["plan", "--wording", ODD],
    ["render", "--rate", HUGE, "-o", "x.ogg"],
    ["render", "--sample-rate", "0", "-o", "x.ogg"],
    ["render", "--voice", ODD, "-o", "x.ogg"],
    ["render", "-o", "/dev/null"],
    ["guide", "--rate", HUGE],
    ["guide", "--voice", ODD, "--minutes", "0"],
    ["log", "note", ODD],
    ["log", "note", "a\x00b"],
    ["log", "stress", HUGE],
    ["log", "sleep", "--date", FAR, "--zone", "Europe/Berlin"],
    ["log", "sleep", "--zone", ODD],
    ["edit", "note", HUGE, "text"],
    ["edit", "note", SUP, "text"],
    ["log", "stress", SUP],
    ["log", "sleep", "--zone", "Europe/Berlin", "--awakenings", SUP],
    ["log", "sleep", "--zone", "Europe/Berlin", "--sol", "1²"],
    ["delete", "--session", HUGE],
    ["journal", "--last", HUGE],
    ["journal", "--last", "-1"],
    ["insights", "--weeks", HUGE],
    ["insights", "--today", FAR],
    ["experiment", "start", "--start", FAR],
    ["experiment", "start", "--control", ODD],
    ["experiment", "stop", "--reason", ODD],
    ["import", "/dev/zero"],
    ["import", ODD],
    ["routine", "check", "/dev/zero"],
    ["export", "-o", "/dev/full"],
    ["voices", "--preview", ODD],
    ["remind", "--at", ODD, "-o", "x.ics"],
    ["remind", "--at", HUGE + ":00", "-o", "x.ics"],
    ["remind", "--days", ODD, "-o", "x.ics"],
    ["remind", "--person", ODD, "-o", "x.ics"],
    ["remind", "--at", "22:00", "-o", "/dev/full"],
]


@pytest.fixture
def filled(data_dir: Path) -> Path:
    path = data_dir / "journal.sqlite3"
    with Journal(f"sqlite:///{path}") as journal:
        sid = journal.start_session("evening", "1.0+abc", planned_seconds=720)
        journal.finish_session(sid)
        journal.add_note("a note of mine")
    return path


def _contents(path: Path) -> dict[str, object]:
    with Journal(f"sqlite:///{path}") as journal:
        data = journal.export()
    data.pop("exported_at", None)
    return data


@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(a)[:40])
def test_garbage_is_refused_with_a_message_and_changes_nothing(
    cli: CliRunner, filled: Path, tmp_path: Path, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = _contents(filled)
    result = cli.invoke(app, args)
    output = result.stdout + result.stderr
    assert result.exit_code not in (0, None), output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    assert result.stderr.strip(), "a refusal says why"
    assert _contents(filled) == before
    assert not (tmp_path / "x.ogg").exists()
    assert not (tmp_path / "x.ics").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["insights", "--today", FAR],
        ["journal", "--last", HUGE],
        ["experiment", "today", "--today", FAR],
    ],
)
def test_the_quick_path_refuses_the_same_garbage(filled: Path, args: list[str]) -> None:
    """The commands answered without Typer hand anything odd to Typer, which refuses it."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "SOLEMATE_DATA_DIR": str(filled.parent)}
    before = _contents(filled)
    done = subprocess.run(
        [sys.executable, "-m", "solemate", *args], env=env, capture_output=True, text=True
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("solemate: ") or "Error" in done.stderr
    assert _contents(filled) == before
