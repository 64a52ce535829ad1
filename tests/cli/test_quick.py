"""The quick path answers exactly as the Typer application does, or leaves the answer to it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from solemate.cli import main
from solemate.cli.app import app
from solemate.cli.quick import answer
from solemate.insights_service import start
from solemate.insights_service import stop as stop_experiment
from solemate.journal import Journal
from tests.insights.builders import build_experiment_journal
from tests.journal.builders import fill
from tests.journal.conftest import FakeClock


@pytest.fixture
def url(data_dir: Path) -> str:
    url = f"sqlite:///{data_dir / 'quick.sqlite3'}"
    with Journal(url) as journal:
        fill(journal)
        start(journal, today=date(2024, 3, 1), nights=28, seed=11)
    return url


def _typer(cli: CliRunner, args: list[str]) -> str:
    result = cli.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["journal"],
        ["journal", "--last", "2"],
        ["journal", "--last=1", "--format", "json"],
        ["journal", "--all", "--format=csv"],
        ["insights", "--today", "2024-05-02"],
        ["insights", "--weeks", "12", "--today", "2024-05-02", "--format", "json"],
        ["experiment", "today", "--today", "2024-03-05"],
        ["experiment", "status", "--today", "2024-03-05"],
        ["experiment", "status", "--today", "2024-02-20"],
        ["journal", "--person", "Jonas Æbelø", "--format", "json"],
        ["journal", "--person=mara"],
        ["insights", "--today", "2024-05-02", "--person", "Mara"],
        ["plan", "--nightly"],
        ["plan"],
    ],
)
def test_same_output_as_typer(
    cli: CliRunner, url: str, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    full = [*args, "--database", url] if args[0] != "plan" else args
    expected = _typer(cli, full)
    assert answer(full)
    assert capsys.readouterr().out == expected


@pytest.mark.parametrize("stop", [False, True])
def test_the_experiments_report_is_typers(
    cli: CliRunner, data_dir: Path, stop: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{data_dir / 'experiment.sqlite3'}"
    clock = FakeClock()
    with Journal(url, clock=clock) as journal:
        built = build_experiment_journal(journal, clock)
        if stop:  # the report says why it stopped
            clock.now = clock.now.replace(year=2024, month=2, day=20, hour=8)
            stop_experiment(journal, date(2024, 2, 20), "a cold")
    args = ["experiment", "report", "--today", built.today.isoformat(), "--database", url]
    expected = _typer(cli, args)
    assert answer(args)
    assert capsys.readouterr().out == expected
    assert ("stopped early (a cold)" in expected) is stop


def test_a_report_not_ready_is_left_to_typer(url: str) -> None:
    """Too few nights: the Typer command says so, with its exit status."""
    assert not answer(["experiment", "report", "--today", "2024-03-05", "--database", url])


@pytest.mark.parametrize(
    "args",
    [
        ["journal", "--last", "0"],
        ["journal", "--last", "x"],
        ["journal", "--last", "2", "--last", "3"],
        ["journal", "--format", "yaml"],
        ["journal", "--help"],
        ["insights", "--weeks", "600"],
        ["insights", "--plot", "x.svg"],
        ["insights", "--today", "yesterday"],
        ["experiment", "today", "--done"],
        ["experiment", "report", "--html", "report.html"],
        ["experiment", "status", "--today", "2024-02-30"],
        ["plan", "--minutes", "10"],
        ["journal", "--database"],
    ],
)
def test_leaves_the_rest_to_typer(args: list[str]) -> None:
    assert not answer(args)


def test_leaves_an_unknown_person_to_typer(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert not answer(["journal", "--person", "Nobody", "--database", url])
    monkeypatch.setenv("SOLEMATE_PERSON", "Nobody")
    assert not answer(["insights", "--database", url])
    with pytest.raises(SystemExit) as exited:
        main(["journal", "--database", url])
    assert exited.value.code == 2
    assert "no person called 'Nobody'" in capsys.readouterr().err


def test_the_person_in_the_environment_is_chosen(
    cli: CliRunner, url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOLEMATE_PERSON", "Mara")
    full = ["journal", "--format", "json", "--database", url]
    expected = _typer(cli, full)
    assert answer(full)
    assert capsys.readouterr().out == expected
    shown = json.loads(expected)
    assert {s["receiver"] for s in shown["sessions"]} == {"Mara"}
    assert {r["person"] for r in shown["ratings"]} == {"Mara"}


def test_leaves_a_new_journal_to_typer(data_dir: Path) -> None:
    assert not answer(["journal", "--database", f"sqlite:///{data_dir / 'new.sqlite3'}"])
    assert not (data_dir / "new.sqlite3").exists()


def test_no_experiment_tonight_is_explained_by_typer(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["experiment", "today", "--today", "2025-01-01", "--database", url])
    assert exited.value.code == 1
    assert "no experiment is running tonight" in capsys.readouterr().err


def test_plan_leaves_a_routine_of_ones_own_to_typer(data_dir: Path) -> None:
    from solemate.settings import Settings

    folder = Settings.from_env().routines_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "evening.toml").write_text("")
    assert not answer(["plan", "--nightly"])


def loaded_after(args: list[str], heavy: tuple[str, ...]) -> tuple[str, list[str]]:
    """What ``solemate ARGS`` printed in a fresh interpreter, and which of ``heavy`` it loaded."""
    import json
    import subprocess
    import sys

    code = (
        "import json, sys; from solemate.cli import main; "
        f"main({args!r}); "
        f"print(json.dumps([m for m in {heavy!r} if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    *shown, loaded = out.stdout.splitlines()
    return "\n".join(shown), list(json.loads(loaded))


def test_the_quick_journal_imports_only_what_it_needs(url: str) -> None:
    """Reading the journal on the quick path leaves the ORM, validation, the Typer app, the
    diary's questions and the records it does not list unimported (each costs start-up time
    every `solemate journal` pays)."""
    heavy = (
        *("numpy", "sqlalchemy", "pydantic", "typer", "solemate.diary.answers"),
        *("solemate.journal.experiment_records", "solemate.journal.import_reports"),
        "solemate.journal.other_records",
    )
    _, loaded = loaded_after(["journal", "--last", "3", "--database", url], heavy)
    assert loaded == []


def test_the_quick_insights_import_no_numpy_or_platformdirs(url: str) -> None:
    """Insights fit their trends in plain Python, and the settings find their folders without
    platformdirs: importing numpy took longer than the whole command now does."""
    heavy = ("numpy", "platformdirs", "sqlalchemy", "pydantic", "typer")
    shown, loaded = loaded_after(["insights", "--today", "2024-11-02", "--database", url], heavy)
    assert "Insights" in shown or "week" in shown, shown
    assert loaded == []


def _damage_a_leaf_of_the_notes(path: Path) -> None:
    """Overwrite a page of the notes that no query opening the reader reads."""
    import sqlite3

    with Journal(f"sqlite:///{path}") as journal:
        for number in range(40):
            journal.add_note(f"note {number} " + "x" * 600)
    with sqlite3.connect(path) as db:
        size = db.execute("PRAGMA page_size").fetchone()[0]
        page = db.execute(
            "SELECT max(pageno) FROM dbstat WHERE name = 'notes' AND pagetype = 'leaf'"
        ).fetchone()[0]
    with path.open("r+b") as fh:
        fh.seek((page - 1) * size)
        fh.write(b"\xff" * size)


@pytest.mark.parametrize("command", [["journal"], ["insights", "--today", "2024-05-02"]])
def test_leaves_a_damaged_journal_to_typer(
    url: str, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """The file's check runs beside the reader's imports; a damaged page still stops the quick
    path before anything is shown (the full journal then says the file is damaged)."""
    from solemate.journal.reading import open_reader

    path = Path(url.removeprefix("sqlite:///"))
    _damage_a_leaf_of_the_notes(path)
    assert open_reader(url) is None
    assert not answer([*command, "--database", url])
    assert capsys.readouterr().out == ""


def test_the_collector_is_off_only_while_the_quick_path_answers(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import atexit
    import gc

    import solemate.cli as entry

    seen: list[bool] = []
    registered: list[object] = []
    monkeypatch.setattr(atexit, "register", registered.append)
    monkeypatch.setattr(entry, "_frozen_at_exit", [])

    def answers(args: list[str]) -> bool:
        seen.append(gc.isenabled())
        return True

    assert entry._briefly(answers, []) is True
    assert entry._briefly(answers, []) is True
    assert seen == [False, False]
    assert gc.isenabled()
    assert registered == [gc.freeze]  # once per process, run at exit

    def fails(args: list[str]) -> bool:
        raise SystemExit(2)

    with pytest.raises(SystemExit):
        entry._briefly(fails, [])
    assert gc.isenabled()  # on again, whatever happened
    assert entry._briefly(lambda args: False, []) is False  # the Typer path answers: no freeze
    assert registered == [gc.freeze]
    main(["journal", "--last", "1", "--database", url])
    assert capsys.readouterr().out
    assert gc.isenabled()
