"""`solemate log sleep` asked in a terminal: the first morning offers no answers, a later one
offers the last night's, and a time in a repeated hour is asked about, never guessed."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from solemate.cli.app import app
from solemate.journal import Journal

NIGHT = ["23:05", "23:15", "20", "2", "15", "06:40", "07:00", "4", ""]


def _log(cli: CliRunner, db: str, lines: list[str], *options: str) -> tuple[int, str]:
    result = cli.invoke(
        app, ["log", "sleep", *options, "--database", db], input="\n".join(lines) + "\n"
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout


def _nights(db: str) -> list[str]:
    with Journal(db) as journal:
        return [f"{r.entry.wake_date} {r.entry.final_awakening:%H:%M%z}" for r in journal.diary()]


def test_the_first_morning_offers_no_answers(cli: CliRunner, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'j.sqlite3'}"
    # Enter alone on the first question answers nothing: it is asked again, with its hint.
    code, out = _log(cli, db, ["", *NIGHT], "--date", "2024-03-23", "--zone", "Europe/Berlin")
    assert code == 0, out
    assert "1. What time did you get into bed? (e.g. 23:05):" in out
    assert "[23:00]" not in out
    assert "Enter accepts" not in out
    assert _nights(db) == ["2024-03-23 06:40+0100"]
    # The next morning starts from the last night's answers: Enter takes them.
    code, out = _log(cli, db, [""] * 9, "--date", "2024-03-24", "--zone", "Europe/Berlin")
    assert code == 0, out
    assert "[23:05]" in out
    assert "(from 2024-03-23)" in out
    assert _nights(db)[-1] == "2024-03-24 06:40+0100"


def test_a_time_in_the_repeated_hour_is_asked_about(cli: CliRunner, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'j.sqlite3'}"
    lines = ["23:05", "23:15", "20", "2", "15", "01:45", "06:00", "4", "", "01:45+1"]
    code, out = _log(cli, db, lines, "--date", "2023-11-05", "--zone", "America/New_York")
    assert code == 0, out
    assert "2023-11-05 01:45 happened twice in America/New_York" in out
    assert "01:45+0 for the first time (UTC-04:00) or 01:45+1 for the second (UTC-05:00)" in out
    assert _nights(db) == ["2023-11-05 01:45-0500"]


def test_a_repeated_hour_given_as_an_option_is_refused_without_a_terminal(
    cli: CliRunner, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'j.sqlite3'}"
    options = [
        "--date", "2023-11-05", "--zone", "America/New_York", "--into-bed", "23:05",
        "--tried-to-sleep", "23:15", "--sol", "20", "--awakenings", "2", "--waso", "15",
        "--final-awakening", "01:45", "--out-of-bed", "06:00", "--quality", "4",
    ]  # fmt: skip
    result = cli.invoke(app, ["log", "sleep", *options, "--database", db])
    assert result.exit_code == 1
    assert result.stderr.startswith("solemate: --final-awakening: 2023-11-05 01:45 happened twice")
    assert _nights(db) == []
