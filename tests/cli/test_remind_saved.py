"""`solemate remind --at/--days/--clear`: the person's reminder saved in the journal, used by the
file (and the feed) until cleared; bad input one line naming the option, exit 2, nothing saved."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from solemate.journal import Journal
from solemate.journal.reminder_preferences import ReminderPreference, saved_reminder
from solemate.reminders import DAY_CODES
from tests.cli.test_remind_commands import _digest, _event, _run


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    with Journal(url) as journal:
        journal.add_person("Alex")
        journal.add_person("Sam")
    return url


def _saved(db: str, person: str | None = None) -> ReminderPreference | None:
    with Journal(db) as journal:
        return saved_reminder(journal, person)


def test_at_and_days_are_saved_and_the_file_follows_them(
    cli: CliRunner, db: str, tmp_path: Path
) -> None:
    result = _run(cli, "--at", "22:15", "--days", "fri,mon", db=db)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Saved: the reminder for Alex is 22:15, Mon, Fri (")
    assert result.stdout.endswith("); the calendar feed follows it.\n")
    assert _saved(db) == ReminderPreference(at=time(22, 15), days=("MO", "FR"))
    out = tmp_path / "nightly.ics"
    result = _run(cli, "-o", str(out), db=db)
    assert result.exit_code == 0, result.output
    assert "no --at given" not in result.stderr
    event = _event(out)
    assert event.decoded("dtstart").time() == time(22, 15)
    assert event["rrule"]["BYDAY"] == ["MO", "FR"]


def test_one_part_changes_and_the_other_stays(cli: CliRunner, db: str) -> None:
    assert _run(cli, "--days", "weekends", db=db).exit_code == 0
    assert _saved(db) == ReminderPreference(at=None, days=("SA", "SU"))  # time: suggested
    assert _run(cli, "--at", "21:05", db=db).exit_code == 0
    assert _saved(db) == ReminderPreference(at=time(21, 5), days=("SA", "SU"))


def test_clear_returns_to_the_suggestion_daily(cli: CliRunner, db: str, tmp_path: Path) -> None:
    _run(cli, "--at", "21:05", "--days", "mon", db=db)
    result = _run(cli, "--clear", db=db)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "Back to the suggestion: the reminder for Alex is 22:00, every day"
    )
    assert _saved(db) is None
    out = tmp_path / "nightly.ics"
    assert "no --at given" in _run(cli, "-o", str(out), db=db).stderr
    assert _event(out)["rrule"]["FREQ"] == ["DAILY"]


def test_each_person_has_their_own(cli: CliRunner, db: str) -> None:
    assert _run(cli, "--at", "23:00", "--person", "sam", db=db).exit_code == 0
    assert _saved(db, "Sam") == ReminderPreference(at=time(23, 0), days=DAY_CODES)
    assert _saved(db, "Alex") is None


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["--at", "25:00"], "solemate: --at: '25:00' is not a time of day"),
        (["--days", "mnn"], "solemate: --days: unknown day 'mnn'"),
        (["--at", "22:00", "--person", "Bob"], "solemate: --person: no person called 'Bob'"),
        (["--clear", "--at", "22:00"], "solemate: --clear: returns to the suggested time"),
        (["--clear", "--days", "mon"], "solemate: --clear: returns to the suggested time"),
        ([], "solemate: -o: give -o FILE.ics"),
    ],
)
def test_bad_input_saves_nothing(cli: CliRunner, db: str, args: list[str], start: str) -> None:
    before = _digest(db)
    result = _run(cli, *args, db=db)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(start), lines
    assert "Traceback" not in result.output
    assert _digest(db) == before
