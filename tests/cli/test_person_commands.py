"""`solemate person …`, `--person` on the journal commands and `solemate people`: two people in
one journal as they meet them, and every bad name refused in one line with nothing changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from solemate.journal import Journal
from tests.cli.test_journal_commands import DST_NIGHT, contents, refused, run


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'journal.sqlite3'}"


@pytest.fixture
def couple(cli: CliRunner, db: str) -> str:
    for name in ("Alex", "Sam"):
        assert run(cli, db, "person", "add", name).exit_code == 0
    return db


def test_add_list_rename(cli: CliRunner, db: str) -> None:
    assert "Nobody yet" in run(cli, db, "person", "list").stdout
    assert run(cli, db, "person", "add", "  Alex ").stdout == "Added Alex.\n"
    run(cli, db, "person", "add", "Sam")
    assert run(cli, db, "person", "list").stdout == "Alex  (default)\nSam\n"
    assert run(cli, db, "person", "rename", "alex", "Lex").stdout == "Renamed alex to Lex.\n"
    assert run(cli, db, "person", "list").stdout == "Lex  (default)\nSam\n"


def test_the_first_person_made_by_a_write_can_be_named(cli: CliRunner, db: str) -> None:
    run(cli, db, "log", "note", "before anyone was named")
    run(cli, db, "person", "rename", "me", "Alex")
    with Journal(db) as journal:
        assert [n.person for n in journal.notes()] == ["Alex"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("person", "add", "sam"), "name: there is already a person called 'Sam'"),
        (("person", "add", ""), "name: cannot be empty"),
        (("person", "add", "x" * 41), "name: must be at most 40 characters"),
        (("person", "add", "A\tB"), "name: contains a tab"),
        (("person", "rename", "Alex", "SAM"), "name: there is already a person called 'Sam'"),
        (("person", "rename", "Bob", "Rob"), "person: no person called 'Bob'"),
        (("person", "remove", "Bob", "--yes"), "person: no person called 'Bob'"),
    ],
)
def test_bad_names_are_one_line_and_change_nothing(
    cli: CliRunner, couple: str, args: tuple[str, ...], words: str
) -> None:
    before = contents(couple)
    message = refused(run(cli, couple, *args))
    assert message.startswith(f"solemate: {words}")
    assert message.count("\n") == 1
    assert contents(couple) == before


@pytest.mark.parametrize(
    "args",
    [
        ("log", "note", "hello"),
        ("log", "stress", "--before", "4", "--no-session"),
        ("log", "sleep", *DST_NIGHT),
        ("journal",),
        ("insights",),
        ("experiment", "status"),
        ("safety", "--show"),
        ("edit", "diary", "2024-03-31", "--quality", "2"),
    ],
)
def test_an_unknown_person_is_refused_before_anything_is_written(
    cli: CliRunner, couple: str, args: tuple[str, ...]
) -> None:
    before = contents(couple)
    message = refused(run(cli, couple, *args, "--person", "Bob"), code=2)
    assert message == "solemate: no person called 'Bob' (see `solemate person list`)\n"
    assert contents(couple) == before


def test_each_person_logs_and_sees_their_own(
    cli: CliRunner, couple: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(cli, couple, "log", "note", "Alex by default").exit_code == 0
    assert run(cli, couple, "log", "note", "Sam's", "--person", "sam").exit_code == 0
    assert run(cli, couple, "log", "sleep", *DST_NIGHT, "--person", "Sam").exit_code == 0
    monkeypatch.setenv("SOLEMATE_PERSON", "Sam")
    sam = json.loads(run(cli, couple, "journal", "--format", "json").stdout)
    assert [n["text"] for n in sam["notes"]] == ["Sam's"]
    assert len(sam["diary"]) == 1
    monkeypatch.delenv("SOLEMATE_PERSON")
    alex = json.loads(run(cli, couple, "journal", "--format", "json").stdout)
    assert [n["text"] for n in alex["notes"]] == ["Alex by default"]
    assert alex["diary"] == []


def test_remove_asks_and_keeps_the_other(cli: CliRunner, couple: str) -> None:
    run(cli, couple, "log", "note", "Sam's", "--person", "Sam")
    run(cli, couple, "log", "note", "Alex's")
    refused(run(cli, couple, "person", "remove", "Alex", input="n\n"))
    assert len(contents(couple)["people"]) == 2
    result = run(cli, couple, "person", "remove", "Alex", input="y\n")
    assert result.exit_code == 0, result.stderr
    assert "This deletes Alex and 1 note" in result.stdout
    data = contents(couple)
    assert [p["name"] for p in data["people"]] == ["Sam"]
    assert [n["text"] for n in data["notes"]] == ["Sam's"]
    message = refused(run(cli, couple, "person", "remove", "Sam", "--yes"))
    assert "only person" in message


def test_people_counts_who_gave_whom(cli: CliRunner, any_db: str) -> None:
    for name in ("Alex", "Sam"):
        run(cli, any_db, "person", "add", name)
    with Journal(any_db) as journal:
        for receiver, giver in (("Sam", "Alex"), ("Sam", "Alex"), ("Alex", None)):
            sid = journal.start_session(
                "evening", "1", planned_seconds=600, receiver=receiver, giver=giver
            )
            journal.finish_session(sid)
    today = datetime.now(UTC).date().isoformat()
    result = run(cli, any_db, "people", "--today", today)
    assert result.stdout == "Alex gave Sam 2 sessions\nAlex massaged their own feet once\n"
    later = run(cli, any_db, "people", "--today", "2999-01-01")
    assert later.stdout == "No sessions in the last four weeks.\n"


def test_a_wearable_is_imported_for_a_person(cli: CliRunner, couple: str, tmp_path: Path) -> None:
    from tests.wearables.expected import OURA

    result = run(cli, couple, "import", str(OURA), "--person", "sam")
    assert result.exit_code == 0, result.stderr
    data = contents(couple)
    assert data["device_nights"]
    sam = next(p["id"] for p in data["people"] if p["name"] == "Sam")
    assert {n["person"] for n in data["device_nights"]} == {sam}
    export = tmp_path / "journal.json"
    assert run(cli, couple, "export", "-o", str(export)).exit_code == 0
    message = refused(run(cli, couple, "import", str(export), "--person", "Sam"), code=2)
    assert message.startswith("solemate: --person: a journal export carries its own people")
    assert contents(couple) == data


def test_delete_a_diary_night_of_a_person(cli: CliRunner, couple: str) -> None:
    for name in ("Alex", "Sam"):
        assert run(cli, couple, "log", "sleep", *DST_NIGHT, "--person", name).exit_code == 0
    result = run(cli, couple, "delete", "diary", "2024-03-31", "--yes", "--person", "Sam")
    assert result.exit_code == 0, result.stderr
    with Journal(couple) as journal:
        assert len(journal.diary(person="Alex")) == 1
        assert journal.diary(person="Sam") == []
