"""Sessions as they happened: played time, the 80 % rule, sessions left open, old journals."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import MetaData

from solemate.journal import Journal, JournalError, migrations
from solemate.journal.engine import make_engine, resolve_url
from tests.journal.conftest import FakeClock
from tests.journal.test_migrations import _fill_first_revision


def test_a_session_played_through_is_completed_with_its_played_time(
    journal: Journal, clock: FakeClock
) -> None:
    sid = journal.start_session("evening", "v", planned_seconds=600)
    clock.advance(seconds=300)
    journal.advance_session(sid, "left", 1, "press", played_seconds=290.5)
    clock.advance(seconds=320)
    done = journal.finish_session(sid, "completed", played_seconds=600)
    assert (done.status, done.played_seconds, done.planned_seconds) == ("completed", 600, 600)


@pytest.mark.parametrize(
    ("played", "status"),
    [(480.0, "completed"), (479.9, "skipped"), (12.0, "skipped"), (0.0, "skipped")],
)
def test_run_to_its_end_is_completed_only_from_80_percent_played(
    journal: Journal, clock: FakeClock, played: float, status: str
) -> None:
    sid = journal.start_session("evening", "v", planned_seconds=600)
    clock.advance(minutes=11)
    done = journal.finish_session(sid, "completed", played_seconds=played)
    assert (done.status, done.played_seconds) == (status, played)
    assert done.ended_at == clock.now


def test_stopped_early_is_interrupted_whatever_was_played(
    journal: Journal, clock: FakeClock
) -> None:
    sid = journal.start_session("evening", "v", planned_seconds=600)
    clock.advance(minutes=10)
    done = journal.finish_session(sid, "interrupted", played_seconds=590)
    assert (done.status, done.played_seconds) == ("interrupted", 590)


def test_played_time_is_clamped_to_the_clock_and_the_plan_and_never_goes_down(
    journal: Journal, clock: FakeClock
) -> None:
    sid = journal.start_session("evening", "v", planned_seconds=600)
    clock.advance(seconds=30)
    # A client cannot have played more than the time since the start...
    assert journal.record_played(sid, 500).played_seconds == 30
    # ...and an earlier, smaller report arriving late does not lower it.
    assert journal.record_played(sid, 10).played_seconds == 30
    clock.advance(hours=1)
    assert journal.record_played(sid, 5000).played_seconds == 600  # nor more than planned
    # A player on a faster clock (the guide's --speed) plays more than the wall-clock time.
    fast = journal.start_session("evening", "v", planned_seconds=600)
    clock.advance(seconds=10)
    assert journal.record_played(fast, 200, clock_speed=50).played_seconds == 200
    assert journal.record_played(fast, 900, clock_speed=50).played_seconds == 500


def test_skipping_through_in_seconds_is_skipped_even_if_the_client_claims_more(
    journal: Journal, clock: FakeClock
) -> None:
    sid = journal.start_session("evening", "v", planned_seconds=720)
    clock.advance(seconds=10)
    done = journal.finish_session(sid, "completed", played_seconds=720)
    assert (done.status, done.played_seconds) == ("skipped", 10)


def test_without_a_played_time_the_players_word_stands_and_it_stays_unknown(
    journal: Journal, clock: FakeClock
) -> None:
    sid = journal.start_session("evening", "v", planned_seconds=600)
    clock.advance(minutes=10)
    done = journal.finish_session(sid)
    assert (done.status, done.played_seconds) == ("completed", None)


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf, 86_401, "12", True])
def test_bad_played_time_is_refused_by_name_and_nothing_is_stored(
    journal: Journal, clock: FakeClock, bad: object
) -> None:
    sid = journal.start_session("evening", "v", planned_seconds=600)
    clock.advance(seconds=60)
    for write in (
        lambda: journal.record_played(sid, bad),  # type: ignore[arg-type]
        lambda: journal.advance_session(sid, "left", 1, played_seconds=bad),  # type: ignore[arg-type]
        lambda: journal.finish_session(sid, played_seconds=bad),  # type: ignore[arg-type]
    ):
        with pytest.raises(JournalError) as caught:
            write()
        assert caught.value.field == "played_seconds"
    record = journal.session(sid)
    assert (record.status, record.played_seconds, record.step_index) == ("in_progress", None, None)


def test_a_new_start_closes_the_old_session_at_its_last_step_with_its_played_time(
    journal: Journal, clock: FakeClock
) -> None:
    first = journal.start_session("evening", "v", planned_seconds=600)
    clock.advance(seconds=90)
    journal.advance_session(first, "left", 2, "press", played_seconds=85)
    at_step = clock.now
    clock.advance(minutes=20)  # the page was closed; nothing more arrived
    journal.start_session("evening", "v", planned_seconds=600)
    old = journal.session(first)
    assert (old.status, old.ended_at, old.step_index, old.played_seconds) == (
        "interrupted",
        at_step,
        2,
        85,
    )


def test_a_session_left_open_six_hours_is_interrupted_when_the_journal_is_next_used(
    database_url: str, clock: FakeClock
) -> None:
    # This process owns the session and is alive, as a web server is after its page was closed.
    with Journal(database_url, clock=clock) as server:
        sid = server.start_session("evening", "v", planned_seconds=600)
        clock.advance(seconds=100)
        server.advance_session(sid, "right", 4, "circles", played_seconds=95)
        at_step = clock.now
        clock.advance(hours=5, minutes=59)
        assert server.close_stale_sessions() == ()
        with Journal(database_url, clock=clock) as soon:
            assert soon.recovered == ()
        assert server.session(sid).status == "in_progress"
        clock.advance(minutes=2)
        # The open server notices when it next looks; a fresh open notices too.
        with Journal(database_url, clock=clock) as later:
            assert later.recovered == (sid,)
        record = server.session(sid)
        assert (record.status, record.ended_at, record.step_index, record.played_seconds) == (
            "interrupted",
            at_step,
            4,
            95,
        )
        other = server.start_session("evening", "v", planned_seconds=600)
        clock.advance(hours=7)
        assert server.close_stale_sessions() == (other,)


def test_an_old_journal_upgrades_with_played_time_unknown(
    database_url: str, clock: FakeClock
) -> None:
    engine = make_engine(resolve_url(database_url))
    with engine.begin() as conn:
        migrations.upgrade(conn, "0005")
        _fill_first_revision(conn)
    engine.dispose()
    with Journal(database_url, clock=clock) as journal:
        first, second = journal.sessions()
        assert (first.status, first.played_seconds) == ("completed", None)
        assert (second.status, second.played_seconds) == ("interrupted", None)
        sid = journal.start_session("evening", "v", planned_seconds=600)
        clock.advance(seconds=60)
        assert journal.finish_session(sid, played_seconds=60).status == "skipped"
    engine = make_engine(resolve_url(database_url))
    with engine.begin() as conn:
        # Going down, a skipped session reads as completed (an older solemate knows no other).
        migrations.downgrade(conn, "0005")
        tables = MetaData()
        tables.reflect(conn)
        assert "played_seconds" not in tables.tables["sessions"].c
        statuses = [r.status for r in conn.execute(tables.tables["sessions"].select())]
        assert statuses == ["completed", "interrupted", "completed"]
    engine.dispose()


def test_export_and_import_keep_played_time_exactly(journal: Journal, clock: FakeClock) -> None:
    sid = journal.start_session("evening", "v", planned_seconds=600)
    clock.advance(seconds=45)
    journal.finish_session(sid, played_seconds=41.237)
    unknown = journal.start_session("evening", "v", planned_seconds=600)
    clock.advance(minutes=10)
    journal.finish_session(unknown)
    export = journal.export()
    played = [s["played_seconds"] for s in export["sessions"]]
    assert played == [41.237, None]
    statuses = [s["status"] for s in export["sessions"]]
    assert statuses == ["skipped", "completed"]
    journal.forget_everything()
    journal.import_export(export)
    again = journal.export()
    assert {k: v for k, v in again.items() if k != "exported_at"} == {
        k: v for k, v in export.items() if k != "exported_at"
    }
    # An export from before played time was kept still imports, played time unknown.
    journal.forget_everything()
    old = {**export, "sessions": [{k: v for k, v in s.items() if k != "played_seconds"}
                                  for s in export["sessions"]]}  # fmt: skip
    old["sessions"][0]["status"] = "completed"
    journal.import_export(old)
    assert [(s.status, s.played_seconds) for s in journal.sessions()] == [
        ("completed", None),
        ("completed", None),
    ]
