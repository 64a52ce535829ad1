"""The journal commands as a person meets them: logging, viewing, correcting, moving data in and out,
and every kind of bad input refused with a message and the journal left as it was."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import stat
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from solemate.cli.app import app
from solemate.journal import Journal
from tests.journal.builders import device_night, fill, night
from tests.journal.conftest import (
    postgres_schemas,
)
from tests.wearables.expected import APPLE, BY_WAKE, FITBIT, NAP, OURA, SAA

DST_NIGHT = [
    "--date", "2024-03-31", "--zone", "Europe/Berlin",
    "--bed", "23:05", "--lights-out", "23:15", "--sol", "16", "--awakenings", "2",
    "--waso", "20", "--final-wake", "07:00", "--out-of-bed", "07:20", "--quality", "4",
]  # fmt: skip


@pytest.fixture
def db(tmp_path: Path) -> str:
    """An empty journal on SQLite."""
    return f"sqlite:///{tmp_path / 'journal.sqlite3'}"


def run(cli: CliRunner, db: str, *args: str, input: str | None = None) -> Result:
    return cli.invoke(app, [*args, "--database", db], input=input)


def refused(result: Result, code: int = 1) -> str:
    """The message of a refusal: the right exit code, one message, no traceback."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr + result.stdout
    return result.stderr


def contents(db: str) -> dict[str, Any]:
    """Everything in the journal, without the moment of export."""
    with Journal(db) as journal:
        data = journal.export()
    del data["exported_at"]
    return data


def sections(db: str) -> dict[str, int]:
    data = contents(db)
    return {k: len(v) for k, v in data.items() if isinstance(v, list)}


def with_session(db: str) -> int:
    with Journal(db) as journal:
        sid = journal.start_session("evening", "1.0+abc", planned_seconds=720)
        journal.advance_session(sid, "left", 3)
        journal.finish_session(sid)
        return sid


# --- log sleep ----------------------------------------------------------------------------------


def test_log_sleep_by_options_prints_the_derived_figures(cli: CliRunner, any_db: str) -> None:
    result = run(cli, any_db, "log", "sleep", *DST_NIGHT, "--note", "spring forward")
    assert result.exit_code == 0, result.stderr
    assert "Saved the diary for 2024-03-31 (good)." in result.stdout
    assert "TIB 435 min (7 h 15 min) · TST 369 min (6 h 9 min)" in result.stdout
    assert "SOL 16 min · WASO 20 min · SE 84.8 %" in result.stdout
    assert "?" not in result.stdout, "nothing is asked when every answer is given"
    with Journal(any_db) as journal:
        (record,) = journal.diary()
    assert record.entry.tib_min == 435
    assert record.entry.comments == "spring forward"


def test_log_sleep_asks_each_question_with_last_nights_answers(cli: CliRunner, db: str) -> None:
    assert run(cli, db, "log", "sleep", *DST_NIGHT).exit_code == 0
    answers = "\n\n25\n\n\n\n\n5\nlate dinner\n"  # Enter keeps an answer; SOL and quality change
    result = run(cli, db, "log", "sleep", "--date", "2024-04-01", input=answers)
    assert result.exit_code == 0, result.stderr
    for question in ("1. What time did you get into bed? [23:05]", "8. How would you rate"):
        assert question in result.stdout
    assert "(from 2024-03-31)" in result.stdout
    with Journal(db) as journal:
        record = journal.diary_entry(date(2024, 4, 1))
    assert record is not None
    e = record.entry
    assert (e.zone, f"{e.into_bed:%H:%M}", f"{e.out_of_bed:%H:%M}") == (
        "Europe/Berlin",
        "23:05",
        "07:20",
    )
    assert (e.sol_min, e.awakenings, e.quality, e.comments) == (25, 2, 5, "late dinner")


def test_log_sleep_asks_again_for_a_malformed_or_impossible_answer(cli: CliRunner, db: str) -> None:
    answers = "23:00\n23:10\nquarter hour\n15\n1\n10\n6:30\n6:45\n11\n\n4\n"
    result = run(cli, db, "log", "sleep", "--date", "2024-03-20", "--zone", "UTC", input=answers)
    assert result.exit_code == 0, result.stderr
    assert "give minutes as a whole number, got 'quarter hour'" in result.stdout
    assert "11 is outside 1–5" in result.stdout
    with Journal(db) as journal:
        (record,) = journal.diary()
    assert (record.entry.sol_min, record.entry.quality) == (15, 4)


def test_log_sleep_without_all_answers_and_no_terminal_writes_nothing(
    cli: CliRunner, db: str
) -> None:
    message = refused(run(cli, db, "log", "sleep", "--date", "2024-03-20", input="23:00\n"))
    assert "give them all as options" in message
    assert "nothing written" in message
    assert sections(db)["diary"] == 0


IMPOSSIBLE = [
    ("--out-of-bed", "22:30", "--out-of-bed: out of bed at 2024-03-30 22:30 is not after"),
    ("--sol", "600", "--sol: 600 minutes to fall asleep is longer than the 405 minutes"),
    ("--waso", "500", "--waso: 500 minutes awake is longer than the 405 minutes"),
    ("--quality", "11", "--quality: 11 is outside 1–5"),
    ("--quality", "0", "--quality: 0 is outside 1–5"),
    ("--lights-out", "22:00", "--tried-to-sleep: tried to sleep at 2024-03-30 22:00, before"),
    ("--final-wake", "07:40", "--final-awakening: final awakening at 2024-03-31 07:40 is after"),
    ("--zone", "Mars/Base", "--zone: unknown time zone 'Mars/Base'"),
]


@pytest.mark.parametrize(("flag", "value", "message"), IMPOSSIBLE)
def test_impossible_nights_are_refused_naming_the_option(
    cli: CliRunner, db: str, flag: str, value: str, message: str
) -> None:
    args = [*DST_NIGHT, flag, value]  # a later option wins
    code = 2 if flag == "--zone" else 1
    assert message in refused(run(cli, db, "log", "sleep", *args), code)
    assert sections(db)["diary"] == 0


def test_a_night_in_the_future_is_refused(cli: CliRunner, db: str) -> None:
    future = (date.today() + timedelta(days=2)).isoformat()
    message = refused(run(cli, db, "log", "sleep", *DST_NIGHT, "--date", future))
    assert f"--date: {future} is in the future" in message
    assert sections(db)["diary"] == 0


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--date", "2024-13-01", "--date: give a date like 2024-03-31"),
        ("--date", "0001-01-01", "--date: '0001-01-01' is not a plausible date"),
        ("--date", "", "--date: give a date"),
        ("--bed", "25:00", "--into-bed: give a time like 23:05"),
        ("--out-of-bed", "7pm", "--out-of-bed: give a time like 23:05"),
        ("--sol", "abc", "--sol: give minutes as a whole number, got 'abc'"),
        ("--sol", "-5", "--sol: give minutes as a whole number, got '-5'"),
        ("--awakenings", "2.5", "--awakenings: give the number as a whole number"),
        ("--awakenings", "²", "--awakenings: give the number as a whole number, got '²'"),
        ("--quality", "good", "--quality: give the quality (1–5) as a whole number"),
        ("--waso", "9" * 40, "--waso: give minutes as a whole number"),
    ],
)
def test_malformed_options_are_usage_errors(
    cli: CliRunner, db: str, flag: str, value: str, message: str
) -> None:
    assert message in refused(run(cli, db, "log", "sleep", *DST_NIGHT, flag, value), 2)
    assert sections(db)["diary"] == 0


def test_a_second_entry_for_the_same_morning_is_refused(cli: CliRunner, db: str) -> None:
    assert run(cli, db, "log", "sleep", *DST_NIGHT).exit_code == 0
    before = contents(db)
    message = refused(run(cli, db, "log", "sleep", *DST_NIGHT, "--sol", "5"))
    assert "already a diary entry for 2024-03-31; edit it instead" in message
    assert contents(db) == before


# --- log stress ---------------------------------------------------------------------------------


def test_log_stress_attaches_to_the_latest_session_and_corrects(
    cli: CliRunner, any_db: str
) -> None:
    with_session(any_db)
    latest = with_session(any_db)
    result = run(cli, any_db, "log", "stress", "--before", "7")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Stress before: 7/10, for session {latest}.\n"
    again = run(cli, any_db, "log", "stress", "--before", "6", "--relaxation", "3")
    assert f"for session {latest} (replaces 7)" in again.stdout
    first = run(cli, any_db, "log", "stress", "--after", "2", "--session", str(latest - 1))
    assert first.exit_code == 0, first.stderr
    alone = run(cli, any_db, "log", "stress", "--after", "4", "--no-session")
    assert alone.stdout == "Stress after: 4/10, on its own.\n"
    with Journal(any_db) as journal:
        ratings = journal.ratings()
    assert [(r.session_id, r.moment, r.stress, r.relaxation) for r in ratings] == [
        (latest, "before", 6, 3),
        (latest - 1, "after", 2, None),
        (None, "after", 4, None),
    ]


def test_log_stress_without_a_session_says_what_to_do(cli: CliRunner, db: str) -> None:
    message = refused(run(cli, db, "log", "stress", "--before", "5"))
    assert "no session in the journal" in message
    assert "--no-session" in message
    assert sections(db)["ratings"] == 0


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--before", "11"], 2, "--before"),
        (["--after", "-1"], 2, "--after"),
        (["--before", "five"], 2, "--before"),
        (["--before", "5", "--relaxation", "12"], 2, "--relaxation"),
        ([], 2, "give one of --before N or --after N"),
        (["--before", "5", "--after", "3"], 2, "give one of --before N or --after N"),
        (["--before", "5", "--session", "999"], 1, "--session: no session with id 999"),
        (["--before", "5", "--session", "1", "--no-session"], 2, "contradict"),
    ],
)
def test_log_stress_refuses_bad_input(
    cli: CliRunner, db: str, args: list[str], code: int, message: str
) -> None:
    with_session(db)
    before = contents(db)
    assert message in refused(run(cli, db, "log", "stress", *args), code)
    assert contents(db) == before


# --- journal ------------------------------------------------------------------------------------


def filled(db: str) -> None:
    with Journal(db) as journal:
        sid = journal.start_session("evening", "1.0+abc", planned_seconds=720)
        journal.rate_stress("before", 7, session_id=sid)
        journal.advance_session(sid, "right", 7)
        journal.finish_session(sid)
        journal.rate_stress("after", 3, session_id=sid)
        journal.add_note("toes cold at first", session_id=sid)
        for day in range(20, 31):
            journal.add_diary(night(date(2024, 3, day)))
        journal.store_device_nights([device_night(date(2024, 3, 23))])


def test_journal_shows_each_kind_in_its_own_table(cli: CliRunner, db: str) -> None:
    filled(db)
    result = run(cli, db, "journal", "--last", "3")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for title in ("Sessions", "Stress ratings", "Sleep diary", "Device estimates", "Notes"):
        assert title in out
    assert "7 → 3" in out
    assert "right 7" in out
    assert "2024-03-30  23:10–06:50  23:20   12  10 (1×)  06:40  460  418  90.9  good" in out
    assert "2024-03-27" not in out.split("Device estimates")[0], "only the last 3 nights"
    assert "2024-03-23  oura    23:20–06:40  440  410   15  93.2" in out
    assert out.index("Sleep diary") < out.index("Device estimates")


def test_journal_as_json_and_csv(cli: CliRunner, db: str) -> None:
    filled(db)
    as_json = json.loads(run(cli, db, "journal", "--all", "--format", "json").stdout)
    assert set(as_json) == {"sessions", "ratings", "diary", "device_nights", "notes"}
    assert len(as_json["diary"]) == 11
    assert as_json["sessions"][0]["stress_before"] == 7
    assert as_json["diary"][-1]["se_pct"] == 90.9
    assert as_json["device_nights"][0]["bed_start"] == "2024-03-22T23:20+01:00"
    as_csv = list(csv.DictReader(io.StringIO(run(cli, db, "journal", "--format", "csv").stdout)))
    kinds = [row["kind"] for row in as_csv]
    assert kinds.count("diary") == 11
    assert kinds.count("device_nights") == 1
    diary = next(row for row in as_csv if row["kind"] == "diary")
    assert (diary["wake_date"], diary["tib_min"], diary["quality_label"]) == (
        "2024-03-20",
        "460",
        "good",
    )


def test_an_empty_journal_says_how_to_start(cli: CliRunner, db: str) -> None:
    result = run(cli, db, "journal")
    assert result.exit_code == 0
    assert (
        result.stdout == "Nothing recorded yet. 'solemate log sleep' writes this morning's diary.\n"
    )


def test_a_person_with_nothing_yet_is_named(cli: CliRunner, db: str) -> None:
    """In a household, one person's empty part is not an empty journal."""
    with Journal(db) as journal:
        journal.add_person("Ana")
        journal.add_person("Jonas Æbelø")
    assert run(cli, db, "log", "sleep", *DST_NIGHT, "--person", "Ana").exit_code == 0
    result = run(cli, db, "journal", "--person", "Jonas Æbelø")
    assert result.exit_code == 0
    assert result.stdout == (
        "Nothing recorded for Jonas Æbelø yet. "
        "'solemate log sleep --person 'Jonas Æbelø'' writes this morning's diary.\n"
    )


@pytest.mark.parametrize(
    "args",
    [["--last", "0"], ["--last", "x"], ["--format", "xml"], ["--last", "-3"]],
)
def test_journal_refuses_bad_options(cli: CliRunner, db: str, args: list[str]) -> None:
    refused(run(cli, db, "journal", *args), 2)


def test_an_unreachable_database_is_a_message(cli: CliRunner) -> None:
    message = refused(
        cli.invoke(app, ["journal", "--database", "postgresql://nobody@127.0.0.1:1/none"])
    )
    assert "cannot open the journal" in message
    message = refused(cli.invoke(app, ["journal", "--database", "not a url"]))
    assert "cannot open the journal" in message


# --- edit and delete ----------------------------------------------------------------------------


def test_edit_diary_changes_only_the_given_answers(cli: CliRunner, any_db: str) -> None:
    assert run(cli, any_db, "log", "sleep", *DST_NIGHT).exit_code == 0
    result = run(cli, any_db, "edit", "diary", "2024-03-31", "--sol", "30", "--quality", "3")
    assert result.exit_code == 0, result.stderr
    assert "sol_min 16 → 30" in result.stdout
    assert "tst_min 369 → 355" in result.stdout
    assert "SE 81.6 %" in result.stdout
    with Journal(any_db) as journal:
        (record,) = journal.diary()
    assert (record.entry.sol_min, record.entry.quality, record.entry.waso_min) == (30, 3, 20)


def test_edit_diary_can_move_the_night(cli: CliRunner, db: str) -> None:
    assert run(cli, db, "log", "sleep", *DST_NIGHT).exit_code == 0
    result = run(cli, db, "edit", "diary", "2024-03-31", "--date", "2024-03-24")
    assert result.exit_code == 0, result.stderr
    with Journal(db) as journal:
        (record,) = journal.diary()
    assert record.entry.wake_date == date(2024, 3, 24)
    assert record.entry.tib_min == 495, "the same clock times on a night without a DST change"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["2024-03-30", "--sol", "5"], 1, "no diary entry for 2024-03-30"),
        (["2024-03-31"], 2, "nothing to change"),
        (["31.3.2024", "--sol", "5"], 2, "WAKE_DATE: give a date like"),
        (["2024-03-31", "--sol", "900"], 1, "--sol: 900 minutes to fall asleep is longer"),
        (["2024-03-31", "--out-of-bed", "6:00"], 1, "--final-awakening: final awakening at"),
        (["2024-03-31", "--bed", "noon"], 2, "--into-bed: give a time"),
        (["2024-03-31", "--zone", "Nowhere"], 2, "--zone: unknown time zone"),
        (["2024-03-31", "--date", "2150-01-01"], 1, "--date: 2150-01-01 is in the future"),
    ],
)
def test_edit_diary_refuses_bad_input(
    cli: CliRunner, db: str, args: list[str], code: int, message: str
) -> None:
    assert run(cli, db, "log", "sleep", *DST_NIGHT).exit_code == 0
    before = contents(db)
    assert message in refused(run(cli, db, "edit", "diary", *args), code)
    assert contents(db) == before


def test_edit_rating(cli: CliRunner, db: str) -> None:
    sid = with_session(db)
    assert run(cli, db, "log", "stress", "--after", "4").exit_code == 0
    assert run(cli, db, "log", "stress", "--before", "4", "--no-session").exit_code == 0
    with Journal(db) as journal:
        attached, alone = journal.ratings()
    result = run(cli, db, "edit", "rating", str(attached.id), "--stress", "2")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Stress after for session {sid}: 4 → 2.\n"
    before = contents(db)
    assert "cannot be corrected in place" in refused(
        run(cli, db, "edit", "rating", str(alone.id), "--stress", "1")
    )
    assert "no stress rating with id 99" in refused(
        run(cli, db, "edit", "rating", "99", "--stress", "1")
    )
    refused(run(cli, db, "edit", "rating", str(attached.id), "--stress", "12"), 2)
    refused(run(cli, db, "edit", "rating", str(attached.id)), 2)
    refused(run(cli, db, "edit", "rating", "x", "--stress", "1"), 2)
    assert contents(db) == before


def test_delete_each_kind(cli: CliRunner, any_db: str) -> None:
    filled(any_db)
    with Journal(any_db) as journal:
        note = journal.notes()[0].id
        rating = journal.ratings()[0].id
        session = journal.sessions()[0].id
        device = journal.device_nights()[0].id
    for args in (
        ["diary", "2024-03-25"],
        ["note", str(note)],
        ["rating", str(rating)],
        ["device-night", str(device)],
        ["session", str(session)],
    ):
        result = run(cli, any_db, "delete", *args, "--yes")
        assert result.exit_code == 0, result.stderr
        assert result.stdout.startswith("Deleted the ")
    counts = sections(any_db)
    assert (counts["diary"], counts["notes"], counts["ratings"]) == (10, 0, 0)
    assert (counts["device_nights"], counts["sessions"]) == (0, 0)


def test_delete_asks_first(cli: CliRunner, db: str) -> None:
    filled(db)
    before = contents(db)
    message = refused(run(cli, db, "delete", "diary", "2024-03-25", input="n\n"))
    assert "nothing deleted" in message
    assert refused(run(cli, db, "delete", "diary", "2024-03-25", input=""))
    assert contents(db) == before
    result = run(cli, db, "delete", "session", "1", input="y\n")
    assert "Delete the session 1 (evening, completed," in result.stdout
    assert "and its 2 stress ratings?" in result.stdout
    assert result.exit_code == 0, result.stderr
    assert sections(db)["sessions"] == 0


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["diary", "2024-01-01"], 1, "no diary entry for 2024-01-01"),
        (["session", "99"], 1, "no session with id 99"),
        (["rating", "99"], 1, "no stress rating with id 99"),
        (["note", "99"], 1, "no note with id 99"),
        (["device-night", "99"], 1, "no device night with id 99"),
        (["session", "first"], 2, "named by its id, a whole number"),
        (["diary", "yesterday-ish"], 2, "named by its wake date"),
        (["sleep", "1"], 2, "'sleep' is not one of"),
    ],
)
def test_delete_refuses_unknown_entries(
    cli: CliRunner, db: str, args: list[str], code: int, message: str
) -> None:
    filled(db)
    before = contents(db)
    assert message in refused(run(cli, db, "delete", *args, "--yes"), code)
    assert contents(db) == before


# --- export, import, round trip -----------------------------------------------------------------


def test_round_trip_export_forget_import(cli: CliRunner, any_db: str, tmp_path: Path) -> None:
    with Journal(any_db) as journal:
        fill(journal)
    original = contents(any_db)
    exported = tmp_path / "journal.json"
    result = run(cli, any_db, "export", "-o", str(exported))
    assert result.exit_code == 0, result.stderr
    assert "Exported 2 people, 1 safety screen, 3 sessions" in result.stdout
    assert stat.S_IMODE(exported.stat().st_mode) == 0o600

    forgot = run(cli, any_db, "forget", "--everything", "--yes")
    assert forgot.exit_code == 0, forgot.stderr
    assert set(sections(any_db).values()) == {0}

    imported = run(cli, any_db, "import", str(exported))
    assert imported.exit_code == 0, imported.stderr
    assert "Imported the solemate journal export" in imported.stdout
    assert "4 diary entries" in imported.stdout
    assert "Diary nights in the file: 2024-03-27 to 2024-10-27." in imported.stdout
    assert contents(any_db) == original

    again = run(cli, any_db, "import", str(exported))
    assert "nothing new" in again.stdout
    assert contents(any_db) == original


def test_export_json_to_standard_output_is_the_journal_export(cli: CliRunner, db: str) -> None:
    filled(db)
    result = run(cli, db, "export")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    del data["exported_at"]
    assert data == contents(db)


def test_export_csv_is_a_zip_of_one_csv_per_kind(cli: CliRunner, db: str, tmp_path: Path) -> None:
    filled(db)
    target = tmp_path / "journal.zip"
    result = run(cli, db, "export", "--format", "csv", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        assert {"diary.csv", "sessions.csv", "ratings.csv", "README.txt"} <= names
        diary = list(csv.DictReader(io.StringIO(archive.read("diary.csv").decode())))
        sessions = list(csv.DictReader(io.StringIO(archive.read("sessions.csv").decode())))
    assert len(diary) == 11
    assert (diary[0]["wake_date"], diary[0]["tib_min"], diary[0]["into_bed"]) == (
        "2024-03-20",
        "460",
        "2024-03-19T23:10:00+01:00",
    )
    assert json.loads(sessions[0]["plan_options"]) == {}
    assert "usage" not in result.stdout
    assert refused(run(cli, db, "export", "--format", "csv"), 2)
    assert "is a folder" in refused(run(cli, db, "export", "-o", str(tmp_path)))
    assert "does not exist" in refused(run(cli, db, "export", "-o", str(tmp_path / "no" / "x")))


def test_each_sleep_export_gives_the_readme_figures(cli: CliRunner, any_db: str) -> None:
    for path in (APPLE, FITBIT, OURA, SAA):
        result = run(cli, any_db, "import", str(path), "--zone", "Europe/Berlin")
        assert result.exit_code == 0, result.stderr
        assert "apart from your sleep diary" in result.stdout
    with Journal(any_db) as journal:
        stored = journal.device_nights()
        assert journal.diary() == []
    by_source: dict[str, dict[date, Any]] = {}
    naps = []
    for n in stored:
        if n.is_nap:
            naps.append((n.source, n.tib_min, n.tst_min, n.sol_min, n.se_pct))
        else:
            by_source.setdefault(n.source, {})[n.wake_date] = n
    assert sorted(naps) == [
        ("fitbit", NAP.tib, NAP.tst, NAP.sol, NAP.se),
        ("oura", NAP.tib, NAP.tst, NAP.sol, NAP.se),
    ]
    for source in ("apple", "fitbit", "oura"):
        assert set(by_source[source]) == set(BY_WAKE), source
    held = {date(2024, 3, 23), date(2024, 3, 27), date(2024, 3, 31), date(2024, 4, 1)}
    assert set(by_source["sleep_as_android"]) == held | {date(2024, 4, 3)}
    for source, nights in by_source.items():
        for wake, n in nights.items():
            want = BY_WAKE[wake]
            figures = (n.tib_min, n.tst_min, n.sol_min, n.se_pct)
            if source == "sleep_as_android" and wake == date(2024, 4, 1):
                assert figures == (395, 395, None, 100.0), "a manual record: only TIB is real"
            else:
                assert figures == (want.tib, want.tst, want.sol, want.se), (source, wake)
            assert n.bed_end - n.bed_start == timedelta(minutes=want.tib)


def test_importing_a_wearable_file_reports_what_it_did(cli: CliRunner, db: str) -> None:
    result = run(cli, db, "import", str(OURA))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        f"Imported 12 nights and 1 nap from the Oura sleepmodel CSV {OURA}, "
        "woken 2024-03-23 to 2024-04-03: 13 added, 0 updated, 0 unchanged."
    )
    again = run(cli, db, "import", str(OURA))
    assert "0 added, 0 updated, 13 unchanged" in again.stdout


def test_an_apple_zip_is_recognised(cli: CliRunner, db: str, tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(APPLE, "apple_health_export/export.xml")
    result = run(cli, db, "import", str(archive))
    assert result.exit_code == 0, result.stderr
    assert "Imported 12 nights from the Apple Health export" in result.stdout


def test_a_wearable_import_never_touches_the_diary(cli: CliRunner, db: str) -> None:
    assert run(cli, db, "log", "sleep", *DST_NIGHT).exit_code == 0
    diary = contents(db)["diary"]
    assert run(cli, db, "import", str(OURA)).exit_code == 0
    assert contents(db)["diary"] == diary


def oura_with_bad_row(tmp_path: Path, row: int) -> Path:
    lines = OURA.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = next(csv.reader([lines[row]], delimiter=";"))
    header = next(csv.reader([lines[0]], delimiter=";"))
    cells[header.index("total_sleep_duration")] = "abc"
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerow(cells)
    lines[row] = out.getvalue()
    path = tmp_path / "sleepmodel.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_a_wearable_file_with_a_bad_row_is_refused_whole_or_skipped(
    cli: CliRunner, db: str, tmp_path: Path
) -> None:
    path = oura_with_bad_row(tmp_path, 5)
    message = refused(run(cli, db, "import", str(path)))
    assert "import refused, nothing written: 1 bad row" in message
    assert "line 6 (row 5)): total_sleep_duration 'abc' is not a number of seconds" in message
    assert "--skip-bad" in message
    assert sections(db)["device_nights"] == 0

    result = run(cli, db, "import", str(path), "--skip-bad")
    assert result.exit_code == 0, result.stderr
    assert "Imported 11 nights and 1 nap" in result.stdout
    assert "Skipped 1 bad row:" in result.stdout
    assert "line 6 (row 5)" in result.stdout
    assert sections(db)["device_nights"] == 12


def test_a_journal_export_with_bad_rows_is_refused_whole_or_skipped(
    cli: CliRunner, db: str, tmp_path: Path
) -> None:
    filled(db)
    data = json.loads(run(cli, db, "export").stdout)
    assert run(cli, db, "forget", "--everything", "--yes").exit_code == 0
    data["diary"][2]["sol_min"] = 9999
    data["ratings"][1]["stress"] = 11
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    message = refused(run(cli, db, "import", str(path)))
    assert "import refused, nothing written: 2 bad rows" in message
    assert "ratings row 2: stress: Input should be less than or equal to 10" in message
    assert "diary row 3: sol_min: 9999 is outside 0–1440" in message
    assert set(sections(db).values()) == {0}

    result = run(cli, db, "import", str(path), "--skip-bad")
    assert result.exit_code == 0, result.stderr
    assert "Skipped 2 bad rows:" in result.stdout
    assert "10 diary entries" in result.stdout
    assert sections(db)["diary"] == 10


def garbage_files(tmp_path: Path) -> list[tuple[str, str]]:
    """(path, what the message must say) for files that are no import at all."""
    files = {
        "empty.json": (b"", "the file is empty"),
        "blank.csv": (b" \n\n", "the file is empty"),
        "binary.bin": (bytes(range(256)) * 40, "not a file solemate can import"),
        "list.json": (b"[1, 2, 3]", "not a file solemate can import"),
        "object.json": (b'{"a": 1}', "not a file solemate can import"),
        "broken.json": (
            b'{"format": "solemate-journal", "version": 1, "people": [',
            "not valid JSON at line 1, column 57",
        ),
        "newer.json": (
            b'{"format": "solemate-journal", "version": 99}',
            "the export is version 99, newer than this solemate reads",
        ),
        "sections.json": (
            b'{"format": "solemate-journal", "version": 1, "diary": {}}',
            "section 'diary' is not a list of rows",
        ),
        "latin1.json": (
            b'{"format": "solemate-journal", "version": 1, "x": "\xe9"}',
            "not UTF-8 text",
        ),
        "truncated.xml": (
            APPLE.read_bytes()[:5000],
            "Apple Health export",
        ),
        "bad.zip": (b"PK\x03\x04" + b"\x00" * 100, "not a file solemate can import"),
        "text.txt": (b"hello, world\nthis is not a sleep export\n", "not a file solemate"),
    }
    out = []
    for name, (content, message) in files.items():
        path = tmp_path / name
        path.write_bytes(content)
        out.append((str(path), message))
    out.append((str(tmp_path / "missing.json"), "no such file"))
    out.append((str(tmp_path), "not a file"))
    return out


def test_garbage_files_are_refused_with_a_message(cli: CliRunner, db: str, tmp_path: Path) -> None:
    filled(db)
    before = contents(db)
    for path, message in garbage_files(tmp_path):
        assert message in refused(run(cli, db, "import", path)), path
        assert message in refused(run(cli, db, "import", path, "--skip-bad")), path
    assert contents(db) == before


def test_fitbit_needs_a_zone(cli: CliRunner, db: str) -> None:
    assert "give --zone" in refused(run(cli, db, "import", str(FITBIT)), 2)
    assert "--zone: unknown time zone" in refused(
        run(cli, db, "import", str(FITBIT), "--zone", "Berlin"), 2
    )
    assert sections(db)["device_nights"] == 0


# --- backup and forget --------------------------------------------------------------------------


def test_backup_writes_a_consistent_copy(
    cli: CliRunner, db: str, data_dir: Path, tmp_path: Path
) -> None:
    filled(db)
    result = run(cli, db, "backup")
    assert result.exit_code == 0, result.stderr
    written = Path(result.stdout.removeprefix("Backup written to ").strip())
    assert written.parent == data_dir
    assert written.name.startswith("journal-backup-")
    with sqlite3.connect(written) as copy:
        assert copy.execute("select count(*) from diary_entries").fetchone() == (11,)
    assert contents(f"sqlite:///{written}") == contents(db)

    folder = tmp_path / "backups"
    folder.mkdir()
    into_folder = run(cli, db, "backup", str(folder))
    assert into_folder.exit_code == 0, into_folder.stderr
    assert len(list(folder.iterdir())) == 1

    named = tmp_path / "copy.sqlite3"
    assert run(cli, db, "backup", str(named)).exit_code == 0
    assert "already exists" in refused(run(cli, db, "backup", str(named)))
    assert "no such folder" in refused(run(cli, db, "backup", str(tmp_path / "no" / "x.db")))


def test_backup_takes_its_file_with_o_as_export_does(
    cli: CliRunner, db: str, tmp_path: Path
) -> None:
    filled(db)
    named = tmp_path / "copy.sqlite3"
    result = run(cli, db, "backup", "-o", str(named))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Backup written to {named}\n"
    assert contents(f"sqlite:///{named}") == contents(db)
    twice = run(cli, db, "backup", str(tmp_path / "a.sqlite3"), "-o", str(tmp_path / "b.sqlite3"))
    assert twice.exit_code == 2
    assert "give the backup's file or folder once: as path or with -o" in twice.stderr
    assert "Traceback" not in twice.stderr
    assert not (tmp_path / "a.sqlite3").exists()
    assert not (tmp_path / "b.sqlite3").exists()
    assert "already exists" in refused(run(cli, db, "backup", "-o", str(named)))
    missing = tmp_path / "no" / "x.db"
    assert "no such folder" in refused(run(cli, db, "backup", "-o", str(missing)))
    assert not missing.parent.exists()


@pytest.mark.postgres
def test_backup_of_postgresql_is_the_json_export(
    cli: CliRunner, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    schemas = postgres_schemas(request)
    try:
        url = schemas.new_url()
        filled(url)
        target = tmp_path / "pg-backup.json"
        result = run(cli, url, "backup", str(target))
        assert result.exit_code == 0, result.stderr
        data = json.loads(target.read_text(encoding="utf-8"))
        del data["exported_at"]
        assert data == contents(url)
    finally:
        schemas.drop_all()


def test_forget_explains_itself_and_asks(cli: CliRunner, db: str) -> None:
    filled(db)
    before = contents(db)
    message = refused(run(cli, db, "forget"), 2)
    assert "'solemate forget --everything' deletes every person" in message
    asked = run(cli, db, "forget", "--everything", input="n\n")
    assert "This deletes 1 person, 1 session, 2 stress ratings, 11 diary entries" in asked.stdout
    assert "nothing deleted" in refused(asked)
    assert "nothing deleted" in refused(run(cli, db, "forget", "--everything", input=""))
    assert contents(db) == before
    confirmed = run(cli, db, "forget", "--everything", input="y\n")
    assert confirmed.exit_code == 0, confirmed.stderr
    assert "Forgot everything" in confirmed.stdout
    assert set(sections(db).values()) == {0}


def test_the_default_journal_lives_in_the_data_directory(cli: CliRunner, data_dir: Path) -> None:
    result = cli.invoke(app, ["log", "stress", "--before", "3", "--no-session"])
    assert result.exit_code == 0, result.stderr
    with Journal(f"sqlite:///{data_dir / 'journal.sqlite3'}") as journal:
        assert [r.stress for r in journal.ratings()] == [3]


def test_times_in_the_json_view_are_instants(cli: CliRunner, db: str) -> None:
    filled(db)
    data = json.loads(run(cli, db, "journal", "--format", "json").stdout)
    started = datetime.fromisoformat(data["sessions"][0]["started"])
    assert started.tzinfo is not None
    assert time.fromisoformat(data["diary"][0]["into_bed"]) == time(23, 10)


# --- notes --------------------------------------------------------------------------------------


def test_log_a_note_about_a_session_then_rewrite_it(cli: CliRunner, any_db: str) -> None:
    sid = with_session(any_db)
    kept = run(cli, any_db, "log", "note", "Felt calm after the arch work.", "--session", str(sid))
    assert kept.exit_code == 0, kept.stderr
    assert kept.stdout.strip() == f"Kept note 1 about session {sid}."
    rewritten = run(cli, any_db, "edit", "note", "1", "Calm after the arch; asleep early.")
    assert rewritten.exit_code == 0, rewritten.stderr
    (note,) = contents(any_db)["notes"]
    assert note["text"] == "Calm after the arch; asleep early."
    shown = run(cli, any_db, "journal", "--format", "json")
    assert json.loads(shown.stdout)["notes"][0]["text"] == "Calm after the arch; asleep early."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("log", "note", "   "), "the note must be 1 to 10,000 characters"),
        (("log", "note", "x" * 10_001), "the note must be 1 to 10,000 characters"),
        (("log", "note", "fine", "--session", "99"), "--session: no session with id 99"),
        (("edit", "note", "7", "new text"), "no note with id 7"),
        (("edit", "note", "1", ""), "the note must be 1 to 10,000 characters"),
    ],
)
def test_bad_notes_are_refused_and_nothing_changes(
    cli: CliRunner, db: str, args: tuple[str, ...], message: str
) -> None:
    assert run(cli, db, "log", "note", "The first note.").exit_code == 0
    before = contents(db)
    assert message in refused(run(cli, db, *args))
    assert contents(db) == before


# --- text the journal does not store -------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["log", "note", "\udcff"], "the note is not valid text (bytes that are not UTF-8)"),
        (["log", "note", "red \x1b[31m"], "the note contains a control character (U+001B)"),
        (["edit", "note", "1", "caf\udcc3"], "the note is not valid text"),
        (["edit", "note", "1", "bell\x07"], "the note contains a control character (U+0007)"),
        ([*["log", "sleep"], *DST_NIGHT, "--note", "a\udcffb"], "comments: is not valid text"),
        ([*["log", "sleep"], *DST_NIGHT, "--note", "\x1b]0;x\x07"], "comments: contains a"),
    ],
)
def test_text_with_control_characters_or_odd_bytes_is_refused(
    cli: CliRunner, any_db: str, args: list[str], message: str
) -> None:
    assert run(cli, any_db, "log", "note", "the first note").exit_code == 0
    before = contents(any_db)
    result = run(cli, any_db, *args)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert contents(any_db) == before


def test_an_export_file_with_a_nul_is_refused(cli: CliRunner, any_db: str, tmp_path: Path) -> None:
    assert run(cli, any_db, "log", "note", "the first note").exit_code == 0
    before = contents(any_db)
    data = json.loads(json.dumps(before))
    data["notes"][0]["text"] = "a\u0000b"
    data["notes"][0]["id"] = "00000000-0000-4000-8000-00000000abcd"
    path = tmp_path / "nul.json"
    path.write_text(json.dumps(data))
    result = run(cli, any_db, "import", str(path))
    assert result.exit_code == 1
    assert "text: contains a NUL character" in result.output
    assert "Traceback" not in result.output
    assert contents(any_db) == before


def test_the_journal_view_shows_escapes_and_brackets_as_text(cli: CliRunner, db: str) -> None:
    assert run(cli, db, "log", "note", "[bold]not markup[/] and [/]").exit_code == 0
    # As an older solemate could have stored it, before text was checked.
    with sqlite3.connect(db.removeprefix("sqlite:///")) as raw:
        raw.execute("UPDATE notes SET text = ? WHERE id = 1", ("\x1b]0;pwned\x07\x1b[2J [x]",))
    result = run(cli, db, "journal")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert "\x07" not in result.output
    assert "\\x1b]0;pwned\\x07\\x1b[2J [x]" in result.output


HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["log", "note", "x", "--session", HUGE], f"--session: no session with id {HUGE}"),
        (["edit", "note", HUGE, "x"], f"no note with id {HUGE}"),
    ],
)
def test_an_id_past_any_integer_column_is_unknown(
    cli: CliRunner, any_db: str, args: list[str], message: str
) -> None:
    assert run(cli, any_db, "log", "note", "the first note").exit_code == 0
    before = contents(any_db)
    result = run(cli, any_db, *args)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert contents(any_db) == before


def test_nights_woken_in_the_future_are_refused_or_skipped(
    cli: CliRunner, db: str, tmp_path: Path
) -> None:
    # The last night of the fixture, 2024-04-03, moved to 2046 as if the phone's clock were wrong.
    text = APPLE.read_text(encoding="utf-8")
    future = tmp_path / "export.xml"
    moved = text.replace("2024-04-02 2", "2046-04-02 2").replace("2024-04-03 ", "2046-04-03 ")
    future.write_text(moved, encoding="utf-8")
    before = contents(db)
    line = refused(run(cli, db, "import", str(future)))
    assert "import refused, nothing written" in line
    assert "woken on 2046-04-03, in the future: the device's clock was wrong" in line
    assert contents(db) == before
    skipped = run(cli, db, "import", str(future), "--skip-bad")
    assert skipped.exit_code == 0, skipped.stderr
    assert "woken 2024-03-23 to 2024-04-02" in skipped.stdout
    assert "in the future" in skipped.stdout


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "Factory", "right/UTC"])
def test_zones_that_are_not_places_are_refused(cli: CliRunner, db: str, zone: str) -> None:
    answers = [zone if a == "Europe/Berlin" else a for a in DST_NIGHT]
    line = refused(run(cli, db, "log", "sleep", *answers), 2)
    assert f"unknown time zone '{zone}'" in line


def test_a_sleep_as_android_export_cut_short_is_reported(
    cli: CliRunner, db: str, tmp_path: Path
) -> None:
    data = SAA.read_bytes()
    cut = tmp_path / "sleep-export.csv"
    cut.write_bytes(data[: len(data) * 15 // 100])
    before = contents(db)
    line = refused(run(cli, db, "import", str(cut)))
    assert "import refused, nothing written: 1 bad row" in line
    assert "(record #1)" in line
    assert "it was cut short" in line
    assert contents(db) == before
    kept = run(cli, db, "import", str(cut), "--skip-bad")
    assert kept.exit_code == 0, kept.stderr
    assert "Skipped 1 bad row" in kept.stdout
