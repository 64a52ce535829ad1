"""Whose an entry is, from the terminal: `edit` and `delete` act on the person's own entries only
(someone else's is refused in one line, exit 2, naming whose it is and the --person to give, and
nothing changes), and `export --person` writes one person's journal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from solemate.journal import Journal
from tests.cli.test_journal_commands import contents, refused, run


@pytest.fixture
def couple(cli: CliRunner, tmp_path: Path) -> str:
    db = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    for name in ("Alex", "Sam"):
        assert run(cli, db, "person", "add", name).exit_code == 0
    return db


@pytest.fixture
def entries(couple: str) -> dict[str, int]:
    """Sam's rating and note, a session Alex gave Sam and one Sam gave herself."""
    with Journal(couple) as journal:
        given = journal.start_session(
            "evening", "1", planned_seconds=600, receiver="Sam", giver="Alex"
        )
        journal.finish_session(given)
        own = journal.start_session("evening", "1", planned_seconds=600, receiver="Sam")
        journal.finish_session(own)
        rating = journal.rate_stress("before", 6, session_id=own, person="Sam")
        note = journal.add_note("Sam's note", person="Sam")
    return {"given": given, "own": own, "rating": rating.id, "note": note.id}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("edit", "rating", "{rating}", "--stress", "2"), "rating {rating} is Sam's, not Alex's"),
        (("edit", "note", "{note}", "new text"), "note {note} is Sam's, not Alex's"),
        (("delete", "rating", "{rating}", "--yes"), "rating {rating} is Sam's, not Alex's"),
        (("delete", "note", "{note}", "--yes"), "note {note} is Sam's, not Alex's"),
        (("delete", "session", "{own}", "--yes"), "session {own} is Sam's, not Alex's"),
    ],
)
def test_someone_elses_entry_is_refused(
    cli: CliRunner,
    couple: str,
    entries: dict[str, int],
    args: tuple[str, ...],
    words: str,
) -> None:
    before = contents(couple)
    filled = [arg.format(**entries) for arg in args]
    message = refused(run(cli, couple, *filled, "--person", "Alex"), code=2)
    assert message == f"solemate: {words.format(**entries)} (use --person Sam)\n"
    assert contents(couple) == before


def test_the_settings_person_is_whose_entries_these_are(
    cli: CliRunner,
    couple: str,
    entries: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = contents(couple)
    refused(run(cli, couple, "delete", "note", str(entries["note"]), "--yes"), code=2)
    assert contents(couple) == before
    monkeypatch.setenv("SOLEMATE_PERSON", "Sam")
    result = run(cli, couple, "delete", "note", str(entries["note"]), "--yes")
    assert result.exit_code == 0, result.stderr


def test_a_session_belongs_to_its_giver_and_its_receiver(
    cli: CliRunner,
    couple: str,
    entries: dict[str, int],
) -> None:
    result = run(cli, couple, "delete", "session", str(entries["given"]), "--yes")
    assert result.exit_code == 0, result.stderr  # Alex gave it
    result = run(cli, couple, "delete", "session", str(entries["own"]), "--yes", "--person", "sam")
    assert result.exit_code == 0, result.stderr
    assert contents(couple)["sessions"] == []


def test_the_owner_edits_their_own(
    cli: CliRunner,
    couple: str,
    entries: dict[str, int],
) -> None:
    rating, note = str(entries["rating"]), str(entries["note"])
    assert (
        run(cli, couple, "edit", "rating", rating, "--stress", "2", "--person", "Sam").exit_code
        == 0
    )
    assert run(cli, couple, "edit", "note", note, "rewritten", "--person", "Sam").exit_code == 0
    data = contents(couple)
    assert [r["stress"] for r in data["ratings"]] == [2]
    assert [n["text"] for n in data["notes"]] == ["rewritten"]


def test_an_unknown_id_is_still_unknown(cli: CliRunner, couple: str) -> None:
    message = refused(run(cli, couple, "delete", "rating", "99", "--yes"))
    assert message == "solemate: no stress rating with id 99 (see 'solemate journal')\n"
    message = refused(run(cli, couple, "edit", "note", "99", "text", "--person", "Sam"))
    assert message == "solemate: no note with id 99 (see 'solemate journal')\n"


def test_export_person_writes_their_journal_only(
    cli: CliRunner, couple: str, entries: dict[str, int], tmp_path: Path
) -> None:
    target = tmp_path / "alex.json"
    result = run(cli, couple, "export", "--person", "alex", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    alex = json.loads(target.read_text())
    assert [p["name"] for p in alex["people"]] == ["Alex"]  # Alex received nothing
    assert alex["notes"] == alex["ratings"] == alex["sessions"] == []
    sam = json.loads(run(cli, couple, "export", "--person", "Sam").stdout)
    assert [p["name"] for p in sam["people"]] == ["Alex", "Sam"]  # Alex gave Sam a session
    assert len(sam["sessions"]) == 2


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_of_an_unknown_person_writes_nothing(
    cli: CliRunner, couple: str, tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / "bob.out"
    result = run(cli, couple, "export", "--person", "Bob", "--format", fmt, "-o", str(target))
    message = refused(result, code=2)
    assert message == "solemate: --person: no person called 'Bob' (see `solemate person list`)\n"
    assert not target.exists()
