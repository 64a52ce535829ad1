"""The driver-only reader gives exactly what the Journal gives, and steps aside when it must."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from solemate.insights_service import insights, start, tonight
from solemate.journal import Journal
from solemate.journal.engine import default_sqlite_path
from solemate.journal.reading import latest_experiment, open_reader, sqlite_file
from tests.journal.builders import device_night, fill
from tests.journal.conftest import FakeClock

READS = [
    ("sessions", {}),
    ("sessions", {"last": 2}),
    ("ratings", {}),
    ("ratings", {"last": 1}),
    ("ratings", {"session_id": 2}),
    ("ratings", {"from_session": 2}),
    ("ratings", {"from_session": 2, "last": 1}),
    ("ratings", {"from_session": 99}),
    ("diary", {}),
    ("diary", {"last": 2}),
    ("diary", {"person": "Mara"}),
    ("diary", {"person": "Mara", "since": date(2024, 4, 1)}),
    ("device_nights", {}),
    ("device_nights", {"last": 1, "since": date(2024, 3, 1)}),
    ("control_activities", {"person": "Mara"}),
    ("control_activities", {"last": 1}),
    ("notes", {}),
    ("notes", {"last": 1}),
    ("experiments", {}),
]


def _filled(journal: Journal) -> None:
    fill(journal)
    journal.store_device_nights(
        [device_night(date(2024, 3, 2)), device_night(date(2024, 3, 3), nap=True)]
    )
    start(journal, today=date(2024, 3, 1), nights=28, seed=11)


@pytest.mark.parametrize(("method", "arguments"), READS)
def test_every_read_matches_the_journal(
    journal: Journal, database_url: str, method: str, arguments: dict[str, object]
) -> None:
    _filled(journal)
    reader = open_reader(database_url, environ={})
    assert reader is not None
    with reader:
        assert getattr(reader, method)(**arguments) == getattr(journal, method)(**arguments)


def test_insights_and_tonight_match(journal: Journal, database_url: str) -> None:
    _filled(journal)
    reader = open_reader(database_url, environ={})
    assert reader is not None
    with reader:
        for day in (date(2024, 3, 5), date(2024, 5, 2)):
            assert insights(reader, day, 6) == insights(journal, day, 6)
            assert tonight(reader, day) == tonight(journal, day)
        assert latest_experiment(reader) == latest_experiment(journal)


def test_an_unknown_person_is_refused_as_by_the_journal(
    journal: Journal, database_url: str
) -> None:
    _filled(journal)
    reader = open_reader(database_url, environ={})
    assert reader is not None
    with reader, pytest.raises(Exception, match="no person called 'Nobody'") as refused:
        reader.diary(person="Nobody")
    with pytest.raises(type(refused.value), match="no person called 'Nobody'"):
        journal.diary(person="Nobody")


def test_steps_aside_for_a_session_to_recover(journal: Journal, database_url: str) -> None:
    journal.start_session("evening", "a1b2c3d4e5f60718", planned_seconds=600)
    assert open_reader(database_url, environ={}) is None


def test_steps_aside_for_an_old_schema(tmp_path: Path, clock: FakeClock) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    Journal(url, clock=clock, environ={}).close()
    with sqlite3.connect(tmp_path / "old.sqlite3") as raw:
        raw.execute("UPDATE alembic_version SET version_num = '0003'")
    assert open_reader(url, environ={}) is None


def test_steps_aside_for_what_it_does_not_open(tmp_path: Path) -> None:
    assert open_reader(f"sqlite:///{tmp_path / 'missing.sqlite3'}", environ={}) is None
    assert not (tmp_path / "missing.sqlite3").exists()  # the Journal creates it, not the reader
    assert open_reader("sqlite://", environ={}) is None
    assert open_reader("sqlite:///:memory:", environ={}) is None
    assert open_reader("mysql://somewhere/journal", environ={}) is None
    assert open_reader("not a url", environ={}) is None


def test_reads_the_url_from_the_environment(journal: Journal, database_url: str) -> None:
    reader = open_reader(None, environ={"SOLEMATE_DATABASE_URL": database_url})
    assert reader is not None
    reader.close()


def test_default_file_is_the_journals(data_dir: Path) -> None:
    environ = {"SOLEMATE_DATA_DIR": str(data_dir / "given")}
    Journal(None, environ=environ).close()
    assert default_sqlite_path(environ) == data_dir / "given" / "journal.sqlite3"
    assert default_sqlite_path(environ).is_file()
    reader = open_reader(None, environ=environ)
    assert reader is not None
    reader.close()


def test_an_empty_environment_is_not_the_process_environment(data_dir: Path) -> None:
    """``environ={}`` means no settings at all: the platform's folder, not SOLEMATE_DATA_DIR."""
    assert default_sqlite_path() == data_dir / "journal.sqlite3"
    assert default_sqlite_path({}) != default_sqlite_path()
    assert sqlite_file(None, {}) == default_sqlite_path({})
