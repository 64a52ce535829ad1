"""Opening a journal, where it lives, and the plain records: people, screens, notes, evenings."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import make_url

from solemate.journal import DATABASE_URL_ENV, Journal, JournalError
from solemate.journal.engine import resolve_url
from solemate.settings import CONFIG_ENV, Settings
from tests.journal.builders import fill, night
from tests.journal.conftest import FakeClock


def test_default_database_is_a_private_sqlite_file_in_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with Journal() as journal:
        journal.add_note("hello")
        path = tmp_path / "data" / "solemate" / "journal.sqlite3"
        assert journal.url == f"sqlite:///{path}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_the_environment_names_the_database(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.sqlite3"
    unset = {CONFIG_ENV: str(tmp_path / "none.toml")}
    chosen = Settings.load({**unset, DATABASE_URL_ENV: f"sqlite:///{target}"})
    with Journal(chosen.database_url, data_dir=chosen.data_dir) as journal:
        journal.add_note("kept elsewhere")
    assert target.exists()
    # An explicit URL wins over the environment.
    explicit = tmp_path / "explicit.sqlite3"
    flags = {"database_url": f"sqlite:///{explicit}"}
    chosen = Settings.load({**unset, DATABASE_URL_ENV: "sqlite:///nope"}, flags)
    with Journal(chosen.database_url) as j:
        assert j.url.endswith("explicit.sqlite3")


def test_plain_postgresql_urls_get_psycopg_3() -> None:
    url = resolve_url("postgresql://u:secret@db/x")
    assert url.drivername == "postgresql+psycopg"
    assert make_url(resolve_url("postgres://h/x")).drivername == ("postgresql+psycopg")


def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with Journal(f"sqlite:///{path}") as journal:
        journal.add_note("x")
        with journal._raw_sqlite() as raw:
            assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
            assert raw.execute("PRAGMA foreign_keys").fetchone() == (1,)
    # WAL is a property of the file: another reader sees it too.
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_passwords_are_hidden_in_the_url(tmp_path: Path) -> None:
    assert "secret" not in str(resolve_url("postgresql://u:secret@db/x"))


def test_people_default_person_and_couples(journal: Journal) -> None:
    assert journal.people() == []
    journal.add_note("first write creates the default person")
    assert [p.name for p in journal.people()] == ["me"]
    partner = journal.add_person("  Jonas ")
    assert partner.name == "Jonas"
    with pytest.raises(JournalError) as caught:
        journal.add_person("Jonas")
    assert caught.value.field == "name"
    with pytest.raises(JournalError):
        journal.add_person("")
    assert [p.name for p in journal.people()] == ["me", "Jonas"]


def test_unknown_people_are_refused_not_invented(journal: Journal) -> None:
    with pytest.raises(JournalError) as caught:
        journal.add_note("x", person="Nobody")
    assert caught.value.field == "person"
    assert journal.notes() == []
    assert journal.people() == []  # nothing written, not even the default person


def test_safety_screens_keep_answers_and_verdict(journal: Journal, clock: FakeClock) -> None:
    assert journal.latest_screen() is None
    journal.record_screen(date(2024, 3, 1), {"fever": True}, "stop", ["fever: do not massage"])
    clock.advance(days=3)
    later = journal.record_screen(date(2024, 3, 4), {"fever": False, "n": [1, 2.5]}, "ok", [])
    assert journal.latest_screen() == later
    assert later.answers == {"fever": False, "n": [1, 2.5]}
    assert [s.level for s in journal.safety_screens()] == ["stop", "ok"]
    with pytest.raises(JournalError) as caught:
        journal.record_screen(date(2024, 3, 4), {"when": date(2024, 1, 1)}, "ok", [])  # type: ignore[dict-item]
    assert caught.value.field == "answers"
    with pytest.raises(JournalError):
        journal.record_screen(date(2024, 3, 4), {}, "ok", "not a list")
    assert len(journal.safety_screens()) == 2


def test_control_activities_and_notes(journal: Journal, clock: FakeClock) -> None:
    journal.log_control_activity(date(2024, 4, 2), "reading", 15)
    journal.log_control_activity(date(2024, 4, 1), "puzzle", 20)
    assert [(c.on_date.day, c.activity) for c in journal.control_activities()] == [
        (1, "puzzle"),
        (2, "reading"),
    ]
    assert [c.activity for c in journal.control_activities(last=1)] == ["reading"]
    for bad in (0, 601, 1.5, True):
        with pytest.raises(JournalError) as caught:
            journal.log_control_activity(date(2024, 4, 3), "reading", bad)  # type: ignore[arg-type]
        assert caught.value.field == "minutes"
    with pytest.raises(JournalError):
        journal.log_control_activity(date(2024, 4, 3), "   ", 10)
    note = journal.add_note("feet warm")
    clock.advance(minutes=1)
    journal.add_note("second")
    assert [n.text for n in journal.notes()] == ["feet warm", "second"]
    assert [n.text for n in journal.notes(last=1)] == ["second"]
    assert note.written_at == FakeClock().now
    with pytest.raises(JournalError):
        journal.add_note("about a session that does not exist", session_id=999)
    assert len(journal.notes()) == 2


def test_delete_entry_by_kind_and_id(journal: Journal) -> None:
    sid = journal.start_session("evening", "v1", planned_seconds=60)
    journal.rate_stress("before", 6, session_id=sid)
    note = journal.add_note("about it", session_id=sid)
    journal.delete_entry("session", sid)
    assert journal.sessions() == []
    assert journal.ratings() == []  # a session's ratings go with it
    assert journal.notes()[0].session_id is None  # a note outlives its session
    journal.delete_entry("note", note.id)
    assert journal.notes() == []
    with pytest.raises(JournalError):
        journal.delete_entry("note", note.id)
    with pytest.raises(JournalError):
        journal.delete_entry("nonsense", 1)  # type: ignore[arg-type]


def test_deleting_a_person_deletes_what_belongs_to_them(journal: Journal) -> None:
    fill(journal)
    mara = next(p for p in journal.people() if p.name == "Mara")
    journal.delete_entry("person", mara.id)
    assert [p.name for p in journal.people()] == ["Jonas Æbelø"]
    assert journal.diary() == []  # Jonas is now the default person; Mara's nights are gone
    assert journal.integrity_check() == "ok"


def test_a_naive_clock_is_refused(database_url: str) -> None:
    from datetime import datetime

    with Journal(database_url, clock=lambda: datetime(2024, 1, 1)) as journal:
        with pytest.raises(JournalError):
            journal.add_note("x")
        assert journal.notes() == []


def test_reads_leave_no_trace(journal: Journal) -> None:
    assert journal.diary() == []
    assert journal.device_nights() == []
    assert journal.control_activities() == []
    assert journal.safety_screens() == []
    assert journal.diary_entry(date(2024, 1, 1)) is None
    assert journal.people() == []


def test_last_must_be_a_count(journal: Journal) -> None:
    journal.add_diary(night(date(2024, 3, 23)))
    with pytest.raises(JournalError):
        journal.diary(last=-1)
    assert journal.diary(last=0) == []


def test_url_file_is_not_world_readable_even_when_given(tmp_path: Path) -> None:
    path = tmp_path / "given.sqlite3"
    with Journal(f"sqlite:///{path}"):
        pass
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
