"""A journal in trouble: a read-only folder, a full disk, a damaged page, another program's file.

Each case ends with one line naming the cause and what to do, a non-zero exit, no traceback and
the journal file unchanged; what can still be read (``journal``, ``export`` elsewhere, ``backup``
elsewhere) still works.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from solemate.cli.app import app
from tests.filesystems import fill, make_read_only, read_only_folder, small_disk

JOURNAL = "journal.sqlite3"


def run(cli: CliRunner, folder: Path, *args: str) -> Result:
    return cli.invoke(app, [*args, "--database", f"sqlite:///{folder / JOURNAL}"])


def refused(result: Result) -> str:
    """The one line of a refusal: exit 1, no traceback."""
    assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def a_journal(cli: CliRunner, folder: Path, notes: int = 3) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(notes):
        assert run(cli, folder, "log", "note", f"note {number} " + "x" * 600).exit_code == 0


def test_a_first_evening_past_the_calendar_is_refused(cli: CliRunner, tmp_path: Path) -> None:
    a_journal(cli, tmp_path)
    before = digest(tmp_path / JOURNAL)
    for far in ("9999-12-31", "2999-01-01"):
        line = refused(run(cli, tmp_path, "experiment", "start", "--start", far))
        assert f"the first night ({far}) is more than a year ahead" in line
    assert digest(tmp_path / JOURNAL) == before


def test_a_read_only_folder_is_read_and_exported_but_never_written(
    cli: CliRunner, tmp_path: Path
) -> None:
    a_journal(cli, tmp_path / "data")
    with read_only_folder(tmp_path / "data") as folder:
        before = digest(folder / JOURNAL)
        shown = run(cli, folder, "journal", "--format", "json")
        assert shown.exit_code == 0, shown.stderr
        assert len(json.loads(shown.stdout)["notes"]) == 3
        exported = run(cli, folder, "export", "-o", str(tmp_path / "out.json"))
        assert exported.exit_code == 0, exported.stderr
        assert len(json.loads((tmp_path / "out.json").read_text())["notes"]) == 3
        backed_up = run(cli, folder, "backup", str(tmp_path / "copy.sqlite3"))
        assert backed_up.exit_code == 0, backed_up.stderr
        line = refused(run(cli, folder, "log", "note", "one more"))
        assert "cannot be written now" in line
        assert "'solemate export' still work" in line
        line = refused(run(cli, folder, "insights", "--plot", str(folder / "charts.svg")))
        assert f"the folder {folder} is read-only; give another place" in line
        assert digest(folder / JOURNAL) == before
        assert sorted(p.name for p in folder.iterdir()) == [JOURNAL]  # no -wal, no -shm
    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        assert copy.execute("SELECT count(*) FROM notes").fetchone() == (3,)


def test_a_full_disk_is_read_and_exported_and_writes_are_refused(
    cli: CliRunner, tmp_path: Path
) -> None:
    with small_disk(tmp_path / "disk", 1024) as disk:
        a_journal(cli, disk, notes=20)
        export = tmp_path / "export.json"
        assert run(cli, disk, "export", "-o", str(export)).exit_code == 0
        run(cli, disk, "journal")  # leaves no -wal behind: the last connection checkpoints
        fill(disk)
        before = digest(disk / JOURNAL)
        shown = run(cli, disk, "journal", "--all", "--format", "json")
        assert shown.exit_code == 0, shown.stderr
        assert len(json.loads(shown.stdout)["notes"]) == 20
        again = run(cli, disk, "export", "-o", str(tmp_path / "again.json"))
        assert again.exit_code == 0, again.stderr
        line = refused(run(cli, disk, "import", str(export)))
        assert "full" in line
        assert "nothing was written" in line
        line = refused(run(cli, disk, "backup", str(disk)))
        assert "database or disk is full" in line
        assert "free some space" in line
        assert not [p for p in disk.iterdir() if p.name.startswith(".journal-backup")]
        assert digest(disk / JOURNAL) == before


def test_an_import_that_fills_the_disk_writes_nothing(cli: CliRunner, tmp_path: Path) -> None:
    a_journal(cli, tmp_path / "source", notes=1)
    big = tmp_path / "big.json"
    run(cli, tmp_path / "source", "export", "-o", str(big))
    data = json.loads(big.read_text())
    note = data["notes"][0]
    data["people"][0]["name"] = "imported"
    data["notes"] = [
        {**note, "id": f"00000000-0000-4000-8000-{n:012d}", "text": "y" * 5000} for n in range(300)
    ]
    big.write_text(json.dumps(data))
    with small_disk(tmp_path / "disk", 512) as disk:
        a_journal(cli, disk, notes=1)
        line = refused(run(cli, disk, "import", str(big)))
        assert f"the disk holding {disk / JOURNAL} is full (data folder {disk})" in line
        shown = run(cli, disk, "journal", "--format", "json")
        assert len(json.loads(shown.stdout)["notes"]) == 1


def _damage_a_page(journal: Path) -> None:
    with sqlite3.connect(journal) as db:
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'notes'").fetchone()[0]
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
    assert pages > root + 2
    with journal.open("r+b") as fh:  # a leaf page of the notes, not the root
        fh.seek((pages - 2) * size)
        fh.write(b"\xff" * size)


@pytest.mark.parametrize(
    "command",
    [
        ("journal",),
        ("export", "-o", "{tmp}/out.json"),
        ("backup", "{tmp}/copy.sqlite3"),
        ("forget", "--everything", "--yes"),
    ],
)
def test_a_damaged_page_is_said_not_skipped(
    cli: CliRunner, tmp_path: Path, command: tuple[str, ...]
) -> None:
    folder = tmp_path / "data"
    a_journal(cli, folder, notes=40)
    _damage_a_page(folder / JOURNAL)
    before = digest(folder / JOURNAL)
    args = [part.format(tmp=tmp_path) for part in command]
    line = refused(run(cli, folder, *args))
    assert f"{folder / JOURNAL} is damaged" in line
    assert f"Copy the data folder {folder}" in line
    assert "'solemate backup'" in line
    assert digest(folder / JOURNAL) == before
    assert not (tmp_path / "out.json").exists()
    assert not (tmp_path / "copy.sqlite3").exists()


def test_another_programs_database_is_refused_not_adopted(cli: CliRunner, tmp_path: Path) -> None:
    tmp_path.joinpath("data").mkdir()
    foreign = tmp_path / "data" / JOURNAL
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("INSERT INTO photos VALUES (1, 'beach')")
    db.close()
    before = digest(foreign)
    for args in (("journal",), ("log", "note", "hello"), ("export",)):
        line = refused(run(cli, foreign.parent, *args))
        assert "is another program's database (tables photos), not a solemate journal" in line
    assert digest(foreign) == before
    assert sorted(p.name for p in foreign.parent.iterdir()) == [JOURNAL]  # not switched to WAL
    foreign.write_bytes(b"just some text\n")
    line = refused(run(cli, foreign.parent, "journal"))
    assert "is not a SQLite database, so not a solemate journal" in line


def test_a_read_only_folder_cannot_start_a_new_journal(cli: CliRunner, tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 64) as disk:
        make_read_only(disk)
        line = refused(run(cli, disk, "log", "note", "hello"))
        assert f"{disk / JOURNAL} cannot be written (data folder {disk})" in line
