"""The tonight service on its own: no shell imported, and its small rules."""

from __future__ import annotations

import doctest
import subprocess
import sys
from pathlib import Path

import pytest

from solemate import tonight
from solemate.journal import Journal
from solemate.plan import PlanOptions, plan
from solemate.routine import builtin_routine
from tests.journal.conftest import FakeClock


def test_the_service_imports_nothing_from_the_command_line_or_the_web_app() -> None:
    code = (
        "import sys, solemate.tonight; "
        "print(sorted(m for m in sys.modules if m.startswith(('solemate.cli', 'solemate.web'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_doctests() -> None:
    assert doctest.testmod(tonight).failed == 0


def test_begin_records_the_routine_version_the_planner_checks(tmp_path: Path) -> None:
    routine = builtin_routine()
    planner = tonight.Planner(routine)
    timeline = plan(routine, PlanOptions(minutes=12))
    clock = FakeClock()
    with Journal(f"sqlite:///{tmp_path / 'j.sqlite3'}", clock=clock) as journal:
        sid = tonight.begin(journal, routine, timeline, before_stress=6)
        stored = journal.session(sid)
        assert stored.routine_version == planner.version == tonight.routine_version(routine)
        assert tonight.session_timeline(planner, stored) == timeline
        assert [(r.moment, r.stress) for r in journal.ratings(session_id=sid)] == [("before", 6)]
        # The opening is no step: nothing is written as one, but the played time is kept.
        opening = timeline.segments[0]
        assert opening.kind != "action"
        clock.advance(seconds=20)
        assert not tonight.record_segment(journal, sid, opening, 15.0)
        assert (journal.session(sid).step_index, journal.session(sid).played_seconds) == (None, 15)
        step = next(s for s in timeline.segments if s.kind == "action" and s.step)
        assert tonight.record_segment(journal, sid, step, 18.0)
        clock.advance(minutes=12)
        done = tonight.finish(journal, sid, reached_end=True, played_seconds=700)
        assert (done.status, done.played_seconds) == ("completed", 700)


@pytest.mark.parametrize(
    ("raw", "stress"), [("", None), ("  ", None), ("0", 0), (" 7 ", 7), ("10", 10), ("٣", 3)]
)
def test_a_stress_answer_is_blank_or_a_whole_number_to_ten(raw: str, stress: int | None) -> None:
    assert tonight.stress_answer(raw) == stress


@pytest.mark.parametrize("raw", ["11", "-1", "1.5", "abc", "²", "1²", "⑤"])
def test_other_stress_answers_are_refused_with_the_scale(raw: str) -> None:
    with pytest.raises(ValueError, match="give a whole number from 0 to 10"):
        tonight.stress_answer(raw)
