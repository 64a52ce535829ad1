"""No command writes over the journal, its side files, a backup, a device or a special file.

Each case names an output that must be refused: the command exits non-zero with one line naming the
option and the path, prints no traceback, writes nothing, and leaves the journal byte for byte as it
was (and still a journal that opens).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from solemate.cli.app import app
from solemate.cli.outputs import problem
from solemate.journal import Journal

TINY = Path(__file__).resolve().parents[1] / "audio" / "tiny.toml"


@pytest.fixture(autouse=True)
def _speech_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cli-cache"))


@pytest.fixture
def journal_file(data_dir: Path) -> Path:
    """The default journal in the test's data folder, with a session in it, open in WAL mode."""
    path = data_dir / "journal.sqlite3"
    with Journal(f"sqlite:///{path}") as journal:
        sid = journal.start_session("evening", "1.0+abc", planned_seconds=720)
        journal.finish_session(sid)
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Where each case points its output: the journal, its side files, a backup, a device, a pipe…
def _journal(j: Path) -> Path:
    return j


def _wal(j: Path) -> Path:
    wal = Path(f"{j}-wal")
    wal.touch()
    return wal


def _shm(j: Path) -> Path:
    shm = Path(f"{j}-shm")
    shm.touch()
    return shm


def _sqlite_backup(j: Path) -> Path:
    copy = j.with_name("nightly.db")  # any name: a SQLite file is never overwritten
    with sqlite3.connect(j) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    return copy


def _json_backup(j: Path) -> Path:
    backup = j.with_name("journal-backup-20261204-220000.json")
    backup.write_text("{}")
    return backup


def _device(j: Path) -> Path:
    return Path("/dev/null")


def _pipe(j: Path) -> Path:
    fifo = j.with_name("pipe.wav")
    os.mkfifo(fifo)
    return fifo


def _link_to_journal(j: Path) -> Path:
    link = j.with_name("link.json")
    link.symlink_to(j)
    return link


TARGETS: dict[str, Callable[[Path], Path]] = {
    "journal": _journal,
    "wal": _wal,
    "shm": _shm,
    "sqlite backup": _sqlite_backup,
    "json backup": _json_backup,
    "device": _device,
    "fifo": _pipe,
    "symlink to journal": _link_to_journal,
}

COMMANDS: dict[str, Callable[[Path], list[str]]] = {
    "export json": lambda out: ["export", "-o", str(out)],
    "export csv": lambda out: ["export", "--format", "csv", "-o", str(out)],
    "render wav": lambda out: [
        "render", "--routine", str(TINY), "--minutes", "1", "--format", "wav", "-o", str(out),
    ],
    "insights plot": lambda out: ["insights", "--plot", str(out.with_suffix(".svg"))],
    "experiment report": lambda out: ["experiment", "report", "--html", str(out)],
}  # fmt: skip


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("command", ["export json", "export csv", "render wav"])
def test_an_output_onto_the_journal_or_a_special_file_is_refused(
    cli: CliRunner, journal_file: Path, target: str, command: str
) -> None:
    out = TARGETS[target](journal_file)
    before = _digest(journal_file)
    result = cli.invoke(app, COMMANDS[command](out))
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert str(out) in message
    assert "-o" in message
    assert _digest(journal_file) == before
    with Journal(f"sqlite:///{journal_file}") as journal:
        assert len(journal.export()["sessions"]) == 1
    assert not list(journal_file.parent.glob(".*.part*"))


def test_the_default_journal_is_protected_even_before_it_exists(
    cli: CliRunner, data_dir: Path
) -> None:
    out = data_dir / "journal.sqlite3"
    data_dir.mkdir(parents=True, exist_ok=True)
    args = ["render", "--routine", str(TINY), "--minutes", "1", "--format", "wav", "-o", str(out)]
    result = cli.invoke(app, args)
    assert result.exit_code == 1
    assert "is the journal" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("command", "option"),
    [
        ("insights plot", "--plot"),
        ("experiment report", "--html"),
    ],
)
def test_other_outputs_refuse_the_journals_files(
    cli: CliRunner, journal_file: Path, command: str, option: str
) -> None:
    before = _digest(journal_file)
    backup = _sqlite_backup(journal_file)
    # give the backup the suffix the option asks for, so only the database rule can refuse it
    suffix = ".svg" if option == "--plot" else ".html"
    named = backup.rename(backup.with_suffix(suffix))
    result = cli.invoke(app, COMMANDS[command](named))
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert option in result.stderr
    assert "SQLite database" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert _digest(journal_file) == before
    assert named.read_bytes()[:16] == b"SQLite format 3\x00"


def test_render_audio_and_chapters_must_be_two_files(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    args = ["render", "--routine", str(TINY), "--minutes", "1", "--format", "wav"]
    result = cli.invoke(app, [*args, "-o", str(out), "--chapters", str(out)])
    assert result.exit_code == 2
    assert "same file" in result.stderr
    assert not out.exists()


def test_a_chapters_file_onto_a_pipe_is_refused_before_rendering(
    cli: CliRunner, tmp_path: Path
) -> None:
    audio, fifo = tmp_path / "t.ogg", tmp_path / "chapters.json"
    os.mkfifo(fifo)
    args = ["render", "--routine", str(TINY), "--minutes", "1", "-o", str(audio)]
    result = cli.invoke(app, [*args, "--chapters", str(fifo)])
    assert result.exit_code == 1
    assert f"--chapters {fifo}: is not a regular file" in result.stderr
    assert not audio.exists()


def test_an_earlier_export_may_be_replaced(cli: CliRunner, journal_file: Path) -> None:
    out = journal_file.with_name("mine.json")
    out.write_text("old")
    result = cli.invoke(app, ["export", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert out.read_text().startswith("{")


def test_a_new_file_beside_a_journal_is_fine(tmp_path: Path) -> None:
    assert problem(tmp_path / "tonight.mp3", tmp_path / "journal.sqlite3") is None
    assert problem(tmp_path, None) == "is a folder; give the name of a file to write"
