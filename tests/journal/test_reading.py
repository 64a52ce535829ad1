"""The driver-only reader gives exactly what the Journal gives, and steps aside when it must."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

import pytest

from solemate.insights_service import insights, start, tonight
from solemate.journal import Journal, SessionTimes
from solemate.journal.engine import default_sqlite_path
from solemate.journal.reading import latest_experiment, open_reader, sqlite_file
from solemate.settings import Settings, default_data_dir
from tests.journal.builders import device_night, fill
from tests.journal.conftest import FakeClock

READS = [
    ("sessions", {}),
    ("sessions", {"last": 2}),
    ("session_times", {}),
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
    reader = open_reader(database_url)
    assert reader is not None
    with reader:
        assert getattr(reader, method)(**arguments) == getattr(journal, method)(**arguments)


def test_session_times_are_the_sessions_without_their_plans(
    journal: Journal, database_url: str
) -> None:
    _filled(journal)
    journal.plan_session("evening", "1", planned_seconds=60, receiver="Mara", giver="Mara")
    journal.choose_person("Mara")
    expected = [
        SessionTimes(s.id, s.receiver, s.status, s.created_at, s.started_at, s.ended_at)
        for s in journal.sessions()
    ]
    assert expected  # Mara's own, planned and never started among them
    assert any(s.started_at is None for s in expected)
    assert journal.session_times() == expected
    reader = open_reader(database_url)
    assert reader is not None
    with reader:
        reader.choose_person("Mara")
        assert reader.session_times() == expected


def test_insights_and_tonight_match(journal: Journal, database_url: str) -> None:
    _filled(journal)
    reader = open_reader(database_url)
    assert reader is not None
    with reader:
        for day in (date(2024, 3, 5), date(2024, 5, 2)):
            assert insights(reader, day, 6) == insights(journal, day, 6)
            assert tonight(reader, day) == tonight(journal, day)
        assert latest_experiment(reader) == latest_experiment(journal)


@pytest.mark.parametrize("person", [None, "mara", "JONAS ÆBELØ"])
def test_a_chosen_person_reads_as_in_the_journal(
    journal: Journal, database_url: str, person: str | None
) -> None:
    _filled(journal)
    given = journal.plan_session(
        "evening", "1", planned_seconds=60, receiver="Mara", giver="Jonas Æbelø"
    )
    journal.rate_stress("before", 4, session_id=given)
    journal.rate_stress("before", 2, session_id=given, person="Jonas Æbelø")
    journal.add_note("Mara's", person="Mara")
    journal.choose_person(person)
    reader = open_reader(database_url)
    assert reader is not None
    with reader:
        reader.choose_person(person)
        assert reader.chosen_person == journal.chosen_person
        for method, arguments in READS:
            kwargs = cast(dict[str, Any], arguments)
            assert getattr(reader, method)(**kwargs) == getattr(journal, method)(**kwargs)
        assert insights(reader, date(2024, 5, 2), 6) == insights(journal, date(2024, 5, 2), 6)


def test_an_unknown_person_is_refused_as_by_the_journal(
    journal: Journal, database_url: str
) -> None:
    _filled(journal)
    reader = open_reader(database_url)
    assert reader is not None
    with reader, pytest.raises(Exception, match="no person called 'Nobody'") as refused:
        reader.diary(person="Nobody")
    with pytest.raises(type(refused.value), match="no person called 'Nobody'"):
        journal.diary(person="Nobody")


def test_steps_aside_for_a_session_to_recover(journal: Journal, database_url: str) -> None:
    journal.start_session("evening", "a1b2c3d4e5f60718", planned_seconds=600)
    assert open_reader(database_url) is None


def test_steps_aside_for_an_old_schema(tmp_path: Path, clock: FakeClock) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    Journal(url, clock=clock).close()
    with sqlite3.connect(tmp_path / "old.sqlite3") as raw:
        raw.execute("UPDATE alembic_version SET version_num = '0003'")
    assert open_reader(url) is None


def test_steps_aside_for_what_it_does_not_open(tmp_path: Path) -> None:
    assert open_reader(f"sqlite:///{tmp_path / 'missing.sqlite3'}") is None
    assert not (tmp_path / "missing.sqlite3").exists()  # the Journal creates it, not the reader
    assert open_reader("sqlite://") is None
    assert open_reader("sqlite:///:memory:") is None
    assert open_reader("mysql://somewhere/journal") is None
    assert open_reader("not a url") is None


def test_reads_the_url_from_the_environment(journal: Journal, database_url: str) -> None:
    reader = open_reader(
        Settings.load({**os.environ, "SOLEMATE_DATABASE_URL": database_url}).database_url
    )
    assert reader is not None
    reader.close()


def test_default_file_is_the_journals(data_dir: Path) -> None:
    given = Settings.load({**os.environ, "SOLEMATE_DATA_DIR": str(data_dir / "given")}).data_dir
    Journal(None, data_dir=given).close()
    assert default_sqlite_path(given) == data_dir / "given" / "journal.sqlite3"
    assert default_sqlite_path(given).is_file()
    reader = open_reader(None, given)
    assert reader is not None
    reader.close()


def test_below_the_shells_the_environment_is_not_read(data_dir: Path) -> None:
    """No data folder given means the platform's, not SOLEMATE_DATA_DIR: that is the settings'
    to read (the shells pass it down)."""
    assert Settings.load().journal_file == data_dir / "journal.sqlite3"
    assert default_sqlite_path() == default_data_dir() / "journal.sqlite3"
    assert default_sqlite_path() != data_dir / "journal.sqlite3"
    assert sqlite_file(None) == default_sqlite_path()
    assert sqlite_file(None, data_dir) == default_sqlite_path(data_dir)


@pytest.mark.parametrize(
    "text",
    [
        "2014-01-01 21:21:00.000000",
        "2023-12-31 23:59:59.999999",
        "2014-01-01 21:21",
        "2014-01-01T21:21:00",
        "2014-01-01",
        "2014-01-01 21:21:00+02:00",
    ],
)
def test_a_stored_instant_is_read_as_utc(text: str) -> None:
    from solemate.journal.reading import _sqlite_instant

    expected = datetime.fromisoformat(text).replace(tzinfo=UTC)
    found = _sqlite_instant(text)
    assert (found, found.tzinfo, found.utcoffset()) == (expected, UTC, expected.utcoffset())
