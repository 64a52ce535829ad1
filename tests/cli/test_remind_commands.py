"""`solemate remind`: the file it writes, the time it suggests, and the input it refuses.

Bad input is one line naming the option, exit 2, no traceback, and nothing written: neither the
output file nor the journal (compared byte for byte).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from solemate.cli.app import app
from solemate.diary import DiaryAnswers
from solemate.journal import Journal
from solemate.reminder_service import plan_reminder

ZONE = "Europe/Berlin"


def _night(wake: date, lights_out: time) -> DiaryAnswers:
    return DiaryAnswers(
        wake_date=wake,
        zone=ZONE,
        into_bed=time(lights_out.hour, 0) if lights_out.minute else lights_out,
        tried_to_sleep=lights_out,
        sol_min=10,
        awakenings=0,
        waso_min=0,
        final_awakening=time(7, 0),
        out_of_bed=time(7, 10),
        quality=3,
    )


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'journal.sqlite3'}"


@pytest.fixture
def diary_db(db: str) -> str:
    """Fourteen recent nights, lights out at 23:00 or 23:30, plus two older ones at 02:00 that
    the median of the last fourteen leaves out."""
    today = datetime.now(UTC).date()
    with Journal(db) as journal:
        for back in range(1, 17):
            at = time(2, 0) if back > 14 else time(23, 0 if back % 2 else 30)
            journal.add_diary(_night(today - timedelta(days=back), at))
    return db


def _run(cli: CliRunner, *args: str, db: str) -> Any:
    return cli.invoke(app, ["remind", *args, "--database", db])


def _event(path: Path) -> Any:
    cal: Any = Calendar.from_ical(path.read_bytes())
    (event,) = cal.walk("VEVENT")
    return event


def _digest(db: str) -> str:
    return hashlib.sha256(Path(db.removeprefix("sqlite:///")).read_bytes()).hexdigest()


def test_writes_the_time_and_days_asked_for(cli: CliRunner, db: str, tmp_path: Path) -> None:
    out = tmp_path / "nightly.ics"
    result = _run(cli, "--at", "22:15", "--days", "mon,tue,thu", "-o", str(out), db=db)
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}: 22:15, Mon, Tue, Thu" in result.stdout
    event = _event(out)
    assert event.decoded("dtstart").time() == time(22, 15)
    assert event["rrule"]["BYDAY"] == ["MO", "TU", "TH"]
    assert event.walk("VALARM")


def test_without_at_suggests_from_the_diary_and_says_so(
    cli: CliRunner, diary_db: str, tmp_path: Path
) -> None:
    out = tmp_path / "nightly.ics"
    result = _run(cli, "-o", str(out), db=diary_db)
    assert result.exit_code == 0, result.output
    # median 23:15 − a 12-minute nightly session − 15 minutes = 22:48 → 22:50
    assert "no --at given. Typical lights-out 23:15 (median of 14 diary nights)" in result.stderr
    event = _event(out)
    assert event.decoded("dtstart").time() == time(22, 50)
    assert str(event["dtstart"].params["TZID"]) == ZONE
    assert event["rrule"]["FREQ"] == ["DAILY"]


def test_the_suggestion_allows_for_the_length_of_the_last_session(
    cli: CliRunner, diary_db: str, tmp_path: Path
) -> None:
    with Journal(diary_db) as journal:
        journal.start_session("evening", "v", planned_seconds=15 * 60)
    out = tmp_path / "nightly.ics"
    result = _run(cli, "-o", str(out), db=diary_db)
    assert result.exit_code == 0, result.output
    # median 23:15 − last night's 15-minute session − 15 minutes = 22:45
    assert "minus a 15-minute session" in result.stderr
    assert _event(out).decoded("dtstart").time() == time(22, 45)


def test_without_a_diary_says_it_uses_22_00_and_why(
    cli: CliRunner, db: str, tmp_path: Path
) -> None:
    out = tmp_path / "nightly.ics"
    result = _run(cli, "-o", str(out), db=db)
    assert result.exit_code == 0, result.output
    assert "No diary nights yet, so 22:00" in result.stderr
    assert _event(out).decoded("dtstart").time() == time(22, 0)


def test_dash_writes_to_standard_output(cli: CliRunner, db: str) -> None:
    result = _run(cli, "--at", "21:30", "-o", "-", db=db)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("BEGIN:VCALENDAR")
    assert "Wrote" not in result.stdout


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--at", "25:00"], "--at"),
        (["--at", "9pm"], "--at"),
        (["--days", "mnn"], "--days"),
        (["--days", "mon,,"], "--days"),
        (["--person", "nobody"], "--person"),
    ],
)
def test_bad_input_is_one_line_naming_the_option(
    cli: CliRunner, diary_db: str, tmp_path: Path, args: list[str], option: str
) -> None:
    out = tmp_path / "nightly.ics"
    before = _digest(diary_db)
    result = _run(cli, *args, "-o", str(out), db=diary_db)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"solemate: {option}")
    assert "Traceback" not in result.output
    assert not out.exists()
    assert _digest(diary_db) == before


def test_never_writes_over_the_journal(cli: CliRunner, diary_db: str) -> None:
    path = diary_db.removeprefix("sqlite:///")
    before = _digest(diary_db)
    result = _run(cli, "--at", "22:00", "-o", path, db=diary_db)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"solemate: -o {path}: is the journal (or one of its files); solemate never writes over it"
    )
    assert _digest(diary_db) == before


def test_nor_a_folder(cli: CliRunner, db: str, tmp_path: Path) -> None:
    result = _run(cli, "--at", "22:00", "-o", str(tmp_path), db=db)
    assert result.exit_code == 2
    assert "is a folder" in result.stderr


def test_another_person_has_their_own_uid_and_diary(diary_db: str) -> None:
    now = datetime.now(UTC)
    with Journal(diary_db) as journal:
        journal.add_person("Sam")
        mine = plan_reminder(
            journal, person=None, at=None, session_minutes=12, now=now, fallback_zone="UTC"
        )
        sams = plan_reminder(
            journal, person="Sam", at=None, session_minutes=12, now=now, fallback_zone="UTC"
        )
    assert mine.reminder.person == "me"
    assert sams.reminder.person == "Sam"
    assert mine.reminder.person_uid != sams.reminder.person_uid
    assert mine.reminder.at == time(22, 50)
    assert sams.reminder.zone == "UTC"  # no diary of Sam's: the machine's zone, and 22:00
    assert sams.reminder.at == time(22, 0)


def test_a_file_name_that_is_not_utf8_is_written_and_shown_escaped(
    cli: CliRunner, db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    odd = "caf\udcff.ics"  # what b"caf\xff.ics" on the command line becomes
    result = _run(cli, "--at", "22:00", "-o", odd, db=db)
    assert result.exit_code == 0, repr(result.exception)
    assert "Wrote caf\\udcff.ics: 22:00" in result.stdout
    assert (tmp_path / odd).read_bytes().startswith(b"BEGIN:VCALENDAR")
