"""Migrations: a journal holding data at the first revision upgrades intact; models match."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, MetaData, inspect, text

from solemate.diary import validate_diary
from solemate.journal import Journal, JournalError, migrations
from solemate.journal.engine import make_engine, resolve_url
from solemate.journal.schema import Base
from tests.journal.builders import fill, night
from tests.journal.conftest import DatabaseUrls, FakeClock

FIRST = "0001"


def _engine(url: str) -> Engine:
    return make_engine(resolve_url(url))


def _instant(conn: Connection, value: datetime) -> datetime:
    # What UTCDateTime stores: naive UTC text on SQLite, timestamptz on PostgreSQL.
    utc = value.astimezone(UTC)
    return utc if conn.dialect.name == "postgresql" else utc.replace(tzinfo=None)


def _fill_first_revision(conn: Connection) -> None:
    """Rows as solemate at revision 0001 wrote them, through the tables as they were then."""
    tables = MetaData()
    tables.reflect(conn)
    t = datetime(2024, 3, 22, 21, 0, tzinfo=UTC)
    conn.execute(
        tables.tables["people"].insert(),
        [{"id": 1, "uid": "00000000-0000-4000-8000-000000000001", "name": "me",
          "created_at": _instant(conn, t)}],
    )  # fmt: skip
    conn.execute(
        tables.tables["sessions"].insert(),
        [
            {"id": 1, "uid": "00000000-0000-4000-8000-000000000002", "routine_id": "evening",
             "routine_version": "abc", "plan_options": {"minutes": 12}, "planned_seconds": 720,
             "status": "completed", "created_at": _instant(conn, t),
             "started_at": _instant(conn, t), "ended_at": _instant(conn, t), "foot": "right",
             "step_index": 5, "step_id": "end", "progress_at": _instant(conn, t), "owner": None,
             "giver_id": 1, "receiver_id": 1},
            {"id": 2, "uid": "00000000-0000-4000-8000-000000000003", "routine_id": "evening",
             "routine_version": "abc", "plan_options": {}, "planned_seconds": 720,
             "status": "in_progress", "created_at": _instant(conn, t),
             "started_at": _instant(conn, t), "ended_at": None, "foot": "left",
             "step_index": 2, "step_id": "press", "progress_at": _instant(conn, t),
             "owner": None, "giver_id": 1, "receiver_id": 1},
        ],
    )  # fmt: skip
    conn.execute(
        tables.tables["ratings"].insert(),
        [{"id": 1, "uid": "00000000-0000-4000-8000-000000000004", "session_id": 1,
          "person_id": 1, "moment": "before", "stress": 7, "rated_at": _instant(conn, t)}],
    )  # fmt: skip
    entry = validate_diary(night(date(2024, 3, 31)), today=date(2024, 4, 1))
    conn.execute(
        tables.tables["diary_entries"].insert(),
        [{"id": 1, "uid": "00000000-0000-4000-8000-000000000005", "person_id": 1,
          "wake_date": entry.wake_date, "zone": entry.zone,
          "into_bed": _instant(conn, entry.into_bed),
          "tried_to_sleep": _instant(conn, entry.tried_to_sleep), "sol_min": entry.sol_min,
          "awakenings": entry.awakenings, "waso_min": entry.waso_min,
          "final_awakening": _instant(conn, entry.final_awakening),
          "out_of_bed": _instant(conn, entry.out_of_bed), "quality": entry.quality,
          "comments": "from the first schema", "tib_min": entry.tib_min,
          "tst_min": entry.tst_min, "se_pct": entry.se_pct, "created_at": _instant(conn, t),
          "updated_at": _instant(conn, t)}],
    )  # fmt: skip
    if conn.dialect.name == "postgresql":  # explicit ids above did not move the sequences
        for table in ("people", "sessions", "ratings", "diary_entries"):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 10)"))


def test_a_journal_with_data_upgrades_from_the_first_revision(
    database_url: str, clock: FakeClock
) -> None:
    engine = _engine(database_url)
    with engine.begin() as conn:
        migrations.upgrade(conn, FIRST)
        assert migrations.current_revision(conn) == FIRST
        assert "control_activities" not in inspect(conn).get_table_names()
        _fill_first_revision(conn)
    engine.dispose()

    with Journal(database_url, clock=clock) as journal:
        # The session the old version left running is recorded as interrupted, at its step.
        assert journal.recovered == (2,)
        first, second = journal.sessions()
        assert (first.status, first.step_index, first.plan_options) == (
            "completed",
            5,
            {"minutes": 12},
        )
        assert (second.status, second.foot, second.step_index) == ("interrupted", "left", 2)
        # Sessions from before people were chosen are the first person's own, and stay theirs
        # under a new name.
        assert {(s.giver, s.receiver) for s in (first, second)} == {("me", "me")}
        journal.rename_person("me", "Alex")
        journal.choose_person(None)
        assert [s.receiver for s in journal.sessions()] == ["Alex", "Alex"]
        # Old ratings have no relaxation; new ones can.
        (old,) = journal.ratings()
        assert (old.stress, old.relaxation) == (7, None)
        journal.rate_stress("after", 2, session_id=1, relaxation=9)
        # The diary entry reads back exactly; the new table works.
        (diary,) = journal.diary()
        assert diary.entry == validate_diary(
            night(date(2024, 3, 31), comments="from the first schema"), today=date(2024, 4, 1)
        )
        journal.log_control_activity(date(2024, 4, 1), "reading", 20)
        export = journal.export()
        journal.forget_everything()
        journal.import_export(export)
        assert {k: v for k, v in journal.export().items() if k != "exported_at"} == {
            k: v for k, v in export.items() if k != "exported_at"
        }

    engine = _engine(database_url)
    with engine.connect() as conn:
        assert migrations.current_revision(conn) == migrations.head_revision()
    engine.dispose()


def _replayed(url: str) -> str:
    """``url`` migrated revision by revision from nothing to the newest."""
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            migrations.upgrade(conn)
    finally:
        engine.dispose()
    return url


def test_the_migrated_schema_is_the_models_schema(database_url: str) -> None:
    engine = _engine(_replayed(database_url))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences: list[Any] = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_a_new_journal_is_created_as_replaying_every_revision_makes_it(
    database_urls: DatabaseUrls, monkeypatch: pytest.MonkeyPatch
) -> None:
    replayed = _replayed(database_urls.new())
    created = database_urls.new()

    def no_replay(connection: Connection, revision: str = "head") -> None:
        raise AssertionError("a new journal replayed the revisions")

    with monkeypatch.context() as patch:
        patch.setattr(migrations, "upgrade", no_replay)
        with Journal(created) as journal:
            assert journal.people() == []
    described = _described(created)
    assert described == _described(replayed)
    assert described["revision"] == migrations.HEAD == migrations.head_revision()
    # Opening it again finds it up to date; the next revision would migrate it as usual.
    with Journal(created) as journal:
        journal.add_person("me")


def test_a_database_holding_anything_is_migrated_not_created(
    database_url: str, clock: FakeClock
) -> None:
    engine = _engine(database_url)
    with engine.begin() as conn:
        migrations.upgrade(conn, FIRST)
        _fill_first_revision(conn)
    engine.dispose()
    with Journal(database_url, clock=clock) as journal:
        assert [p.name for p in journal.people()] == ["me"]


def test_the_copied_schema_is_the_migrated_schema(
    database_urls: DatabaseUrls, database_url: str, journal: Journal
) -> None:
    """The suite's ``journal`` fixture copies a template instead of migrating: it must be
    the same schema, revision and (no) rows a migration gives."""
    migrated = database_urls.new()
    with Journal(migrated):
        pass
    copied = _described(database_url)
    assert copied == _described(migrated)
    assert copied["revision"] == migrations.head_revision()
    assert len(copied["tables"]) > 5


def _described(url: str) -> dict[str, Any]:
    """Revision, tables, and each table's columns, keys, indexes, checks and row count."""
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            found = inspect(conn)
            return {
                "revision": migrations.current_revision(conn),
                "tables": {
                    table: _described_table(conn, table) for table in found.get_table_names()
                },
            }
    finally:
        engine.dispose()


def _described_table(conn: Connection, table: str) -> list[list[str]]:
    # As sorted text: column types compare by identity, and the order in which a migration
    # leaves the constraints can differ from one run to the next.
    found = inspect(conn)
    parts: list[list[Any]] = [
        found.get_columns(table),
        [found.get_pk_constraint(table)],
        found.get_foreign_keys(table),
        found.get_indexes(table),
        found.get_unique_constraints(table),
        found.get_check_constraints(table),
    ]
    if table != "alembic_version":
        parts.append([conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()])
    if conn.dialect.name == "sqlite":  # ids never reused: not visible in the columns there
        sql = conn.execute(
            text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {"t": table}
        ).scalar()
        parts.append(["AUTOINCREMENT" in str(sql)])
    return [sorted(repr(item) for item in part) for part in parts]


def test_down_to_nothing_and_up_again(database_url: str, clock: FakeClock) -> None:
    with Journal(database_url, clock=clock) as journal:
        fill(journal)
        before = journal.export()
    engine = _engine(database_url)
    with engine.begin() as conn:
        migrations.downgrade(conn, FIRST)
        assert "control_activities" not in inspect(conn).get_table_names()
        assert "relaxation" not in {c["name"] for c in inspect(conn).get_columns("ratings")}
    with engine.begin() as conn:
        migrations.downgrade(conn, "base")
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    with Journal(database_url, clock=clock) as journal:
        assert journal.people() == []
        journal.import_export(before)


def test_a_journal_from_a_newer_solemate_is_not_touched(database_url: str) -> None:
    with Journal(database_url):
        pass
    engine = _engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(JournalError, match="newer solemate"):
        Journal(database_url)


# A race: a single try once missed it (SQLite's switch to WAL), so it is run several times.
@pytest.mark.parametrize("attempt", range(8))
def test_processes_opening_a_new_journal_at_once_migrate_it_once(
    database_urls: DatabaseUrls, attempt: int
) -> None:
    url = database_urls.new()
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            with Journal(url) as journal:
                journal.people()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Journal(url) as journal:
        journal.add_note("works")


def test_head_names_the_newest_revision_file() -> None:
    assert migrations.head_revision() == migrations.HEAD
    assert migrations.known_revisions() == {
        "0001",
        "0002",
        "0003",
        "0004",
        "0005",
        "0006",
        "0007",
        "0008",
        "0009",
        "0010",
    }


def test_ids_of_deleted_rows_stay_unused_after_the_upgrade(
    database_url: str, clock: FakeClock
) -> None:
    """Rows written before revision 0005 keep their ids; a deleted newest id is not given again."""
    engine = _engine(database_url)
    with engine.begin() as conn:
        migrations.upgrade(conn, "0004")
        _fill_first_revision(conn)
    engine.dispose()
    with Journal(database_url, clock=clock) as journal:
        assert [s.id for s in journal.sessions()] == [1, 2]
        assert [r.session_id for r in journal.ratings()] == [1]  # no cascade while rebuilding
        journal.delete_entry("session", 2)
        assert journal.plan_session("evening", "v", planned_seconds=60) > 2
        assert journal.integrity_check() == "ok"
    if database_url.startswith("sqlite"):
        engine = _engine(database_url)
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master").all()
            tables: dict[str, str] = {row[0]: row[1] for row in rows}
        engine.dispose()
        keyed = [t.name for t in Base.metadata.sorted_tables if "uid" in t.c]
        assert len(keyed) == 11
        assert all("AUTOINCREMENT" in tables[name] for name in keyed)
