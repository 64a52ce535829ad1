"""Massage sessions from start to finish, ratings, and recovery of abandoned sessions."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from sqlalchemy import update

from solemate.journal import Journal, JournalError
from solemate.journal.liveness import Liveness, current_owner, owner_liveness
from solemate.journal.schema import SessionRow
from tests.journal.conftest import FakeClock


def test_a_session_is_written_at_start_and_at_every_step(
    journal: Journal, clock: FakeClock
) -> None:
    started = clock.now
    sid = journal.start_session(
        "evening", "0123abcd", planned_seconds=720, plan_options={"minutes": 12}
    )
    record = journal.session(sid)
    assert (record.status, record.started_at, record.foot, record.step_index) == (
        "in_progress",
        started,
        None,
        None,
    )
    assert record.giver == record.receiver == "me"
    clock.advance(seconds=40)
    journal.advance_session(sid, "left", 0, "warm-up")
    clock.advance(seconds=60)
    journal.advance_session(sid, "left", 1, "thumb-walk")
    record = journal.session(sid)
    assert (record.foot, record.step_index, record.step_id) == ("left", 1, "thumb-walk")
    assert record.progress_at == clock.now
    clock.advance(minutes=10)
    done = journal.finish_session(sid)
    assert (done.status, done.ended_at) == ("completed", clock.now)
    assert done.plan_options == {"minutes": 12}
    with pytest.raises(JournalError) as caught:
        journal.advance_session(sid, "right", 0)
    assert "completed" in str(caught.value)
    with pytest.raises(JournalError):
        journal.finish_session(sid)


def test_planned_sessions_are_not_running(journal: Journal) -> None:
    sid = journal.plan_session("evening", "v", planned_seconds=300)
    assert journal.session(sid).status == "planned"
    assert journal.session(sid).started_at is None
    with pytest.raises(JournalError):
        journal.advance_session(sid, "left", 0)


def test_stopping_early_is_recorded_as_interrupted(journal: Journal) -> None:
    sid = journal.start_session("evening", "v", planned_seconds=300)
    journal.advance_session(sid, "right", 2)
    stopped = journal.finish_session(sid, "interrupted")
    assert (stopped.status, stopped.foot, stopped.step_index) == ("interrupted", "right", 2)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("", "v"), "routine_id"),
        (("evening", ""), "routine_version"),
        (("evening", "x" * 65), "routine_version"),
    ],
)
def test_bad_session_arguments_name_the_field(
    journal: Journal, args: tuple[str, str], field: str
) -> None:
    with pytest.raises(JournalError) as caught:
        journal.start_session(*args, planned_seconds=60)
    assert caught.value.field == field
    assert journal.sessions() == []


def test_bad_progress_is_refused(journal: Journal) -> None:
    sid = journal.start_session("evening", "v", planned_seconds=60)
    for foot, step, field in (("", 0, "foot"), ("left", -1, "step"), ("left", True, "step")):
        with pytest.raises(JournalError) as caught:
            journal.advance_session(sid, foot, step)
        assert caught.value.field == field
    with pytest.raises(JournalError):
        journal.start_session("evening", "v", planned_seconds=60, plan_options={"x": {1, 2}})  # type: ignore[dict-item]
    with pytest.raises(JournalError):
        journal.start_session("evening", "v", planned_seconds=-5)
    with pytest.raises(JournalError):
        journal.advance_session(12345, "left", 0)
    assert journal.session(sid).foot is None


def test_a_couple_giver_and_receiver(journal: Journal) -> None:
    journal.add_person("Mara")
    journal.add_person("Jonas")
    sid = journal.start_session("evening", "v", planned_seconds=60, receiver="Jonas", giver="Mara")
    record = journal.session(sid)
    assert (record.giver, record.receiver) == ("Mara", "Jonas")
    with pytest.raises(JournalError):
        journal.start_session("evening", "v", planned_seconds=60, receiver="Ghost")


def test_stress_ratings_before_and_after(journal: Journal, clock: FakeClock) -> None:
    sid = journal.start_session("evening", "v", planned_seconds=60)
    journal.rate_stress("before", 8, session_id=sid)
    journal.rate_stress("before", 7, session_id=sid)  # a correction replaces
    clock.advance(minutes=15)
    journal.rate_stress("after", 2, session_id=sid, relaxation=9)
    journal.rate_stress("after", 4)  # without a session: kept on its own
    journal.rate_stress("after", 4)
    ratings = journal.ratings(session_id=sid)
    assert [(r.moment, r.stress, r.relaxation) for r in ratings] == [
        ("before", 7, None),
        ("after", 2, 9),
    ]
    assert len(journal.ratings()) == 4
    assert [r.stress for r in journal.ratings(last=2)] == [4, 4]


@pytest.mark.parametrize(
    ("moment", "stress", "relaxation", "field"),
    [
        ("before", 11, None, "stress"),
        ("before", -1, None, "stress"),
        ("before", 5.5, None, "stress"),
        ("before", 5, 11, "relaxation"),
        ("during", 5, None, "moment"),
    ],
)
def test_ratings_out_of_range_are_refused(
    journal: Journal, moment: str, stress: int, relaxation: int | None, field: str
) -> None:
    with pytest.raises(JournalError) as caught:
        journal.rate_stress(moment, stress, relaxation=relaxation)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert journal.ratings() == []


def test_a_sessions_ratings_are_written_together_or_not_at_all(journal: Journal) -> None:
    sid = journal.start_session("evening", "v", planned_seconds=60)
    written = journal.rate_session(sid, {"before": 6, "after": 3})
    assert [(r.moment, r.stress, r.session_id) for r in written] == [
        ("before", 6, sid),
        ("after", 3, sid),
    ]
    journal.rate_session(sid, {"after": 2})  # a correction replaces
    assert [(r.moment, r.stress) for r in journal.ratings(session_id=sid)] == [
        ("before", 6),
        ("after", 2),
    ]
    before = journal.ratings()
    with pytest.raises(JournalError) as caught:
        journal.rate_session(sid, {"before": 1, "after": 11})
    assert caught.value.field == "stress"
    with pytest.raises(JournalError):
        journal.rate_session(sid + 1, {"before": 1})  # no such session
    assert journal.ratings() == before


def test_listing_the_last_sessions(journal: Journal, clock: FakeClock) -> None:
    ids = []
    for _ in range(5):
        ids.append(journal.plan_session("evening", "v", planned_seconds=60))
        clock.advance(days=1)
    assert [s.id for s in journal.sessions()] == ids
    assert [s.id for s in journal.sessions(last=2)] == ids[-2:]


# --- recovery ---------------------------------------------------------------------------------


def _set_owner(journal: Journal, session_id: int, owner: str | None) -> None:
    with journal._writer.begin() as s:
        s.execute(update(SessionRow).where(SessionRow.id == session_id).values(owner=owner))


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_session_of_a_dead_process_is_interrupted_on_open(
    database_url: str, clock: FakeClock
) -> None:
    with Journal(database_url, clock=clock) as journal:
        sid = journal.start_session("evening", "v", planned_seconds=60)
        clock.advance(seconds=30)
        journal.advance_session(sid, "left", 3, "press")
        boundary = clock.now
        _set_owner(journal, sid, f"{socket.gethostname()} {_dead_pid()} -")
    clock.advance(hours=1)
    with Journal(database_url, clock=clock) as reopened:
        assert reopened.recovered == (sid,)
        record = reopened.session(sid)
        assert (record.status, record.foot, record.step_index, record.step_id) == (
            "interrupted",
            "left",
            3,
            "press",
        )
        assert record.ended_at == boundary  # the last moment it is known to have run
    with Journal(database_url, clock=clock) as again:
        assert again.recovered == ()


def test_a_session_still_running_is_left_alone(database_url: str, clock: FakeClock) -> None:
    # This very process owns the session, like the web app running one while the CLI opens.
    with Journal(database_url, clock=clock) as running:
        sid = running.start_session("evening", "v", planned_seconds=60)
        with Journal(database_url, clock=clock) as other:
            assert other.recovered == ()
            assert other.session(sid).status == "in_progress"
        running.advance_session(sid, "left", 0)


def test_sessions_on_another_machine_expire_after_a_long_silence(
    database_url: str, clock: FakeClock
) -> None:
    with Journal(database_url, clock=clock) as journal:
        sid = journal.start_session("evening", "v", planned_seconds=60)
        _set_owner(journal, sid, "some-other-host 4242 boot:1")
    clock.advance(hours=1)
    with Journal(database_url, clock=clock) as soon:
        assert soon.session(sid).status == "in_progress"
    clock.advance(hours=12)
    with Journal(database_url, clock=clock) as later:
        assert later.recovered == (sid,)


def test_owner_liveness() -> None:
    assert owner_liveness(current_owner()) is Liveness.ALIVE
    assert owner_liveness(None) is Liveness.DEAD
    assert owner_liveness("garbage") is Liveness.DEAD
    assert owner_liveness(f"{socket.gethostname()} ² -") is Liveness.DEAD  # isdigit, not int()
    assert owner_liveness(f"{socket.gethostname()} {_dead_pid()} -") is Liveness.DEAD
    assert owner_liveness("elsewhere 1 -") is Liveness.UNKNOWN
    # The pid exists (it is ours) but started at another moment: a reused pid.
    reused = f"{socket.gethostname()} {os.getpid()} other-boot:1"
    expected = Liveness.DEAD if os.path.exists("/proc/self/stat") else Liveness.ALIVE
    assert owner_liveness(reused) is expected


def test_starting_a_session_interrupts_the_persons_session_in_progress(
    journal: Journal, clock: FakeClock
) -> None:
    first = journal.start_session("evening", "v", planned_seconds=60)
    clock.advance(seconds=20)
    journal.advance_session(first, "left", 1, "press")
    last_step = clock.now
    journal.add_person("partner")
    theirs = journal.start_session("evening", "v", planned_seconds=60, receiver="partner")
    clock.advance(minutes=5)
    second = journal.start_session("evening", "v", planned_seconds=60)
    old = journal.session(first)
    # Closed at its last recorded step, the last moment it is known to have run.
    assert (old.status, old.ended_at, old.step_index) == ("interrupted", last_step, 1)
    assert journal.session(second).status == "in_progress"
    assert journal.session(theirs).status == "in_progress"  # another person's, left alone
    with pytest.raises(JournalError, match="interrupted, not in progress"):
        journal.advance_session(first, "left", 0)
    # Giving a massage counts too: "me" giving to the partner ends both running sessions.
    third = journal.start_session(
        "evening", "v", planned_seconds=60, receiver="partner", giver="me"
    )
    running = [s.id for s in journal.sessions() if s.status == "in_progress"]
    assert running == [third]


def test_ids_are_never_reused_after_a_delete(journal: Journal) -> None:
    sessions = [journal.plan_session("evening", "v", planned_seconds=60) for _ in range(3)]
    note = journal.add_note("about the last one", session_id=sessions[-1])
    journal.delete_entry("session", sessions[-1])
    journal.delete_entry("note", note.id)
    assert journal.plan_session("evening", "v", planned_seconds=60) > sessions[-1]
    assert journal.add_note("again").id > note.id
    journal.forget_everything()
    assert journal.plan_session("evening", "v", planned_seconds=60) > sessions[-1]


@pytest.mark.parametrize("attempt", range(3))
def test_starts_at_once_leave_one_session_in_progress(
    database_url: str, clock: FakeClock, attempt: int
) -> None:
    import threading

    with Journal(database_url, clock=clock) as first:
        first.add_person("me")
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def start() -> None:
        try:
            with Journal(database_url, clock=clock) as journal:
                barrier.wait()
                journal.start_session("evening", "v", planned_seconds=60)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Journal(database_url, clock=clock) as journal:
        statuses = sorted(s.status for s in journal.sessions())
    assert statuses == ["in_progress", "interrupted", "interrupted", "interrupted"]
