"""`solemate guide` and `solemate safety` as a person meets them: prompts, the session, the journal."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pytest
from typer.testing import CliRunner

from solemate import safety_service
from solemate.cli.app import app
from solemate.journal import Journal
from solemate.safety import QUESTIONS

ALL_IDS = [q.id for q in QUESTIONS]

NOTHING_NEW = "n\n"  # tonight's check: one key in a terminal, a line when piped
ALL_NO = "n\n" * len(QUESTIONS) + NOTHING_NEW
FAST = ["--no-voice", "--no-chime", "--speed", "1000"]


def journal(data_dir: Path) -> Journal:
    return Journal(f"sqlite:///{data_dir / 'journal.sqlite3'}")


def test_first_session_asks_the_screen_then_plays_and_records(
    cli: CliRunner, data_dir: Path
) -> None:
    result = cli.invoke(app, ["guide", "--nightly", *FAST], input=ALL_NO + "6\n" + "3\n")
    assert result.exit_code == 0, result.stderr
    assert "A short safety check" in result.stdout
    assert "Anything new tonight?" in result.stdout
    assert "Session complete: 12 min." in result.stdout
    assert "Stress before 6, after 3." in result.stdout
    with journal(data_dir) as j:
        (session,) = j.sessions()
        assert session.status == "completed"
        assert (session.foot, session.step_index) == ("right", 7)
        assert [(r.moment, r.stress) for r in j.ratings()] == [("before", 6), ("after", 3)]
        screen = j.latest_screen()
        assert screen is not None
        assert screen.level == "go"

    again = cli.invoke(app, ["guide", "--minutes", "12", *FAST], input="\n\n")
    assert again.exit_code == 0, again.stderr
    assert "safety check" not in again.stdout, "a recent screen is not asked again"


def test_do_not_massage_stops_with_the_reason_and_records_no_session(
    cli: CliRunner, data_dir: Path
) -> None:
    answers = "".join("y\n" if q.id == "fever" else "n\n" for q in QUESTIONS)
    result = cli.invoke(app, ["guide", *FAST], input=answers)
    assert result.exit_code == 1
    assert "Do not massage tonight" in result.stderr
    assert "fever" in result.stderr
    with journal(data_dir) as j:
        assert j.sessions() == []
        screen = j.latest_screen()
        assert screen is not None
        assert screen.level == "do-not-massage"


def test_changes_from_the_screen_reach_the_plan(cli: CliRunner, data_dir: Path) -> None:
    answers = "".join("y\n" if q.id in ("heart", "varicose-veins") else "n\n" for q in QUESTIONS)
    result = cli.invoke(app, ["guide", *FAST], input=answers + NOTHING_NEW + "y\n" + "\n\n")
    assert result.exit_code == 0, result.stderr
    assert "Go ahead, with changes" in result.stdout
    with journal(data_dir) as j:
        (session,) = j.sessions()
        assert session.plan_options["safety"] == {
            "gentle_only": True,
            "skip_calf": True,
            "patch_test": False,
        }


def test_a_bad_rating_is_asked_again(cli: CliRunner, data_dir: Path) -> None:
    result = cli.invoke(app, ["guide", *FAST], input=ALL_NO + "11\nabc\n²\n5\n\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("Please answer with a whole number from 0 to 10") == 3
    with journal(data_dir) as j:
        assert [(r.moment, r.stress) for r in j.ratings()] == [("before", 5)]


def test_no_answers_at_all_is_a_clear_message(cli: CliRunner, data_dir: Path) -> None:
    result = cli.invoke(app, ["guide", *FAST], input="")
    assert result.exit_code == 1
    assert "the safety screen needs your answers" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--speed", "0"], "--speed must be above 0"),
        (["--rate", "50"], "--rate must be 80–450"),
        (["--minutes", "3"], "shorter than the shortest session"),
        (["--database", "nosuchdb://x"], "cannot open the journal"),
        (["--wording", "chatty"], "Invalid value for '--wording': Value error, 'chatty'"),
        (["--counts", "beeps"], "Invalid value for '--counts': Value error, 'beeps'"),
        (["--voice", "robot"], "--voice: unknown voice 'robot'; choose one of heart (default)"),
    ],
)
def test_bad_guide_flags(cli: CliRunner, data_dir: Path, args: list[str], needle: str) -> None:
    result = cli.invoke(app, ["guide", *args], input=ALL_NO)
    assert result.exit_code in (1, 2)
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_safety_command_and_show(cli: CliRunner, data_dir: Path) -> None:
    assert cli.invoke(app, ["safety", "--show"]).exit_code == 1
    result = cli.invoke(
        app, ["safety"], input="".join("y\n" if q.id == "oil-allergy" else "n\n" for q in QUESTIONS)
    )
    assert result.exit_code == 0
    assert "patch of skin" in result.stdout
    shown = cli.invoke(app, ["safety", "--show"])
    assert "go-with-changes; yes to: oil-allergy" in shown.stdout


# --- wording and counts -------------------------------------------------------------------------


def _familiar(data_dir: Path, completed: int) -> None:
    """A journal with a safety screen and ``completed`` finished sessions."""
    from solemate.wording_service import FAMILIAR_AFTER

    assert completed <= FAMILIAR_AFTER + 1
    data_dir.mkdir(parents=True, exist_ok=True)
    with journal(data_dir) as j:
        safety_service.record_screen(j, dt.date.today(), dict.fromkeys(ALL_IDS, False))
        safety_service.record_tonight(j, dt.date.today(), [])
        for _ in range(completed):
            j.finish_session(j.start_session("evening", "1", planned_seconds=720))


def _last_options(data_dir: Path) -> Mapping[str, object]:
    with journal(data_dir) as j:
        return j.sessions()[-1].plan_options


def test_wording_and_counts_chosen_reach_the_plan(cli: CliRunner, data_dir: Path) -> None:
    args = ["guide", *FAST, "--wording", "brief", "--counts", "ticks"]
    result = cli.invoke(app, args, input=ALL_NO + "\n\n")
    assert result.exit_code == 0, result.stderr
    assert (_last_options(data_dir)["wording"], _last_options(data_dir)["counts"]) == (
        "brief",
        "ticks",
    )
    assert "Brief cues from now on" not in result.stdout  # chosen, not decided for them


def test_four_sessions_are_still_explained_in_full(cli: CliRunner, data_dir: Path) -> None:
    _familiar(data_dir, 4)
    result = cli.invoke(app, ["guide", *FAST], input="\n\n")
    assert result.exit_code == 0, result.stderr
    assert _last_options(data_dir)["wording"] == "full"
    assert "Brief cues" not in result.stdout


def test_after_five_sessions_the_cues_turn_brief_and_say_so(cli: CliRunner, data_dir: Path) -> None:
    _familiar(data_dir, 5)
    result = cli.invoke(app, ["guide", *FAST], input="\n\n")
    assert result.exit_code == 0, result.stderr
    assert _last_options(data_dir)["wording"] == "brief"
    assert (
        "Brief cues from now on: you know the routine. "
        "Press F during the session for full explanations." in result.stdout
    )
    explicit = cli.invoke(app, ["guide", *FAST, "--wording", "full"], input="\n\n")
    assert explicit.exit_code == 0, explicit.stderr
    assert _last_options(data_dir)["wording"] == "full"  # an explicit --wording always wins
    assert "Brief cues" not in explicit.stdout


# --- a real terminal --------------------------------------------------------------------------------


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def wait_for(session: str, needle: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session)
        if needle in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} never appeared; the screen was:\n{screen}")


@pytest.mark.slow
def test_guide_in_a_real_terminal(tmp_path: Path) -> None:
    assert shutil.which("tmux"), "tmux is needed for this test (installed by .ci/run)"
    session = f"solemate-test-{os.getpid()}"
    env = f"env -u COLUMNS -u LINES SOLEMATE_DATA_DIR={tmp_path} TERM=xterm-256color"
    command = f"{env} {sys.executable} -m solemate guide --nightly --no-voice --no-chime --speed 60; echo EXIT=$?; sleep 60"
    tmux("new-session", "-d", "-s", session, "-x", "110", "-y", "36", command)
    try:
        wait_for(session, "A short safety check")
        for _ in QUESTIONS:
            tmux("send-keys", "-t", session, "n", "Enter")
        wait_for(session, "Anything new tonight?")
        tmux("send-keys", "-t", session, "n")
        wait_for(session, "How stressed do you feel right now?")
        tmux("send-keys", "-t", session, "7", "Enter")
        wait_for(session, "LEFT FOOT · STEP")
        screen = wait_for(session, "space pause · → next · ← repeat · + / − 30 s · q end")
        assert "/ 12:00" in screen
        tmux("send-keys", "-t", session, "Space")
        screen = wait_for(session, "PAUSED")
        paused_at = next(line for line in screen.splitlines() if "/ 12:00" in line)
        time.sleep(0.6)
        assert paused_at in tmux("capture-pane", "-p", "-t", session), (
            "the clock stands still while paused"
        )
        tmux("send-keys", "-t", session, "Space")
        tmux("send-keys", "-t", session, "+")
        wait_for(session, "/ 12:30")
        screen = wait_for(session, "RIGHT FOOT · STEP", timeout=20)
        tmux("send-keys", "-t", session, "q")
        wait_for(session, "recorded as interrupted")
        tmux("send-keys", "-t", session, "Enter")
        wait_for(session, "EXIT=0")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    with Journal(f"sqlite:///{tmp_path / 'journal.sqlite3'}") as j:
        (recorded,) = j.sessions()
        assert recorded.status == "interrupted"
        assert recorded.foot == "right"


def _experiment_tonight(data_dir: Path, arm: str) -> None:
    """An experiment whose first evening is today and allocated ``arm`` (M or C) to it."""
    import datetime as dt

    from solemate.insights import plan_experiment
    from solemate.insights_service import start

    today = dt.date.today()
    seed = next(
        s for s in range(100) if plan_experiment(first_evening=today, seed=s).arms[0] == arm
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    with journal(data_dir) as j:
        start(j, today=today, seed=seed, control="20 minutes of reading")


def test_a_control_night_is_announced_and_a_massage_needs_confirming(
    cli: CliRunner, data_dir: Path
) -> None:
    _experiment_tonight(data_dir, "C")
    declined = cli.invoke(app, ["guide", *FAST], input=ALL_NO + "n\n")
    assert declined.exit_code == 0, declined.stderr
    assert "Experiment night 1 of 28: tonight is a control night: 20 minutes of reading" in (
        declined.stdout
    )
    assert "Massage anyway?" in declined.stdout
    assert "No session tonight" in declined.stdout
    assert "Session complete" not in declined.stdout
    with journal(data_dir) as j:
        assert j.sessions() == []

    anyway = cli.invoke(app, ["guide", *FAST], input="y\n\n\n")
    assert anyway.exit_code == 0, anyway.stderr
    assert "tonight is a control night" in anyway.stdout
    assert "Session complete: 12 min." in anyway.stdout
    with journal(data_dir) as j:
        (session,) = j.sessions()
        assert session.status == "completed"


def test_a_massage_night_is_one_line_and_no_question(cli: CliRunner, data_dir: Path) -> None:
    _experiment_tonight(data_dir, "M")
    result = cli.invoke(app, ["guide", *FAST], input=ALL_NO + "\n\n")
    assert result.exit_code == 0, result.stderr
    assert "Experiment night 1 of 28: tonight is a massage night." in result.stdout
    assert "Massage anyway?" not in result.stdout
    assert "Session complete: 12 min." in result.stdout


@pytest.mark.slow
def test_f_in_a_real_terminal_goes_back_to_full_explanations(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed (apt-get install tmux)")
    _familiar(tmp_path, 5)
    session = f"solemate-test-f-{os.getpid()}"
    env = f"env -u COLUMNS -u LINES SOLEMATE_DATA_DIR={tmp_path} TERM=xterm-256color"
    command = f"{env} {sys.executable} -m solemate guide --nightly --no-voice --no-chime --speed 30; echo EXIT=$?; sleep 60"
    tmux("new-session", "-d", "-s", session, "-x", "110", "-y", "36", command)
    try:
        wait_for(session, "How stressed do you feel right now?")
        tmux("send-keys", "-t", session, "Enter")
        wait_for(session, "Press F for full explanations.")
        tmux("send-keys", "-t", session, "f")
        deadline = time.monotonic() + 5
        while "Press F" in tmux("capture-pane", "-p", "-t", session):
            assert time.monotonic() < deadline, "the offer stays on screen after F"
            time.sleep(0.1)
        tmux("send-keys", "-t", session, "q")
        screen = wait_for(session, "recorded as interrupted")
        tmux("send-keys", "-t", session, "Enter")
        screen = wait_for(session, "EXIT=0")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    assert "to keep them: solemate guide --wording full" in screen


def test_a_session_started_elsewhere_ends_the_guides_record_with_one_line(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from solemate.cli.guide_commands import JournalRecorder
    from solemate.plan import PlanOptions, plan
    from solemate.routine import builtin_routine

    timeline = plan(builtin_routine(), PlanOptions(minutes=12))
    step = next(s for s in timeline.segments if s.kind == "action" and s.foot and s.step)
    with journal(data_dir) as j:
        guided = j.start_session("evening", "v", planned_seconds=720)
        recorder = JournalRecorder(j, guided)
        recorder.boundary(step, 0.0)
        j.start_session("evening", "v", planned_seconds=720)  # the web app, say
        recorder.boundary(step, 0.0)
        recorder.finish("completed", step, timeline, 0.0)
        assert j.session(guided).status == "interrupted"
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"session {guided} is interrupted, not in progress" in err


def test_skipping_through_with_the_right_arrow_is_recorded_as_not_completed(
    tmp_path: Path,
) -> None:
    """A real terminal at real speed: → through a 12-minute session in seconds."""
    from solemate.tonight import played_text

    assert shutil.which("tmux"), "tmux is needed for this test (installed by .ci/run)"
    session = f"solemate-skip-{os.getpid()}"
    env = f"env -u COLUMNS -u LINES SOLEMATE_DATA_DIR={tmp_path} TERM=xterm-256color"
    command = f"{env} {sys.executable} -m solemate guide --nightly --no-voice --no-chime; echo EXIT=$?; sleep 60"
    tmux("new-session", "-d", "-s", session, "-x", "110", "-y", "36", command)
    try:
        wait_for(session, "A short safety check")
        for _ in QUESTIONS:
            tmux("send-keys", "-t", session, "n", "Enter")
        wait_for(session, "Anything new tonight?")
        tmux("send-keys", "-t", session, "n")
        wait_for(session, "How stressed do you feel right now?")
        tmux("send-keys", "-t", session, "Enter")
        wait_for(session, "→ next")
        started = time.monotonic()
        screen = ""
        for _ in range(200):
            screen = tmux("capture-pane", "-p", "-t", session)
            if "And now, how stressed" in screen:
                break
            tmux("send-keys", "-t", session, "Right")
            time.sleep(0.1)
        skipping = time.monotonic() - started
        assert "skipped through" in screen, screen
        assert "not completed" in screen, screen
        tmux("send-keys", "-t", session, "Enter")
        wait_for(session, "EXIT=0")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    assert skipping < 60
    with Journal(f"sqlite:///{tmp_path / 'journal.sqlite3'}") as j:
        (recorded,) = j.sessions()
    assert recorded.status == "skipped"
    assert recorded.planned_seconds == 720
    assert recorded.played_seconds is not None
    assert 0 < recorded.played_seconds <= skipping + 1
    assert f"{played_text(recorded.played_seconds)} of 12 min played" in screen


def test_a_partner_session_is_the_receivers_and_the_giver_may_rate(
    cli: CliRunner, data_dir: Path
) -> None:
    with journal(data_dir) as j:
        j.add_person("Alex")
        j.add_person("Sam")
    args = ["guide", "--partner", "--for", "sam", "--minutes", "12", *FAST]
    result = cli.invoke(app, args, input=ALL_NO + "6\n" + "3\n" + "4\n")
    assert result.exit_code == 0, result.stderr
    assert "And you, who gave the massage" in result.stdout
    with journal(data_dir) as j:
        (session,) = j.sessions()
        assert (session.giver, session.receiver) == ("Alex", "Sam")
        ratings = [(r.person, r.moment, r.stress) for r in j.ratings()]
        assert ratings == [("Sam", "before", 6), ("Sam", "after", 3), ("Alex", "after", 4)]
        # The screen asked was Sam's: Alex still has none.
        assert j.latest_screen(person="Sam") is not None
        assert j.latest_screen(person="Alex") is None
    # Sam's screen is current now; a self-massage by Alex asks Alex's.
    own = cli.invoke(app, ["guide", "--minutes", "12", *FAST], input=ALL_NO + "\n\n")
    assert own.exit_code == 0, own.stderr
    assert "A short safety check" in own.stdout


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["--for", "Sam"], "--for NAME massages a partner: give --partner too", 2),
        (["--partner", "--for", "Bob"], "no person called 'Bob' (see `solemate person list`)", 2),
        (["--person", "Bob"], "no person called 'Bob' (see `solemate person list`)", 2),
    ],
)
def test_bad_people_for_the_guide(
    cli: CliRunner, data_dir: Path, args: list[str], message: str, code: int
) -> None:
    with journal(data_dir) as j:
        j.add_person("Alex")
        j.add_person("Sam")
    result = cli.invoke(app, ["guide", *args, *FAST], input=ALL_NO)
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    with journal(data_dir) as j:
        assert j.sessions(everyone=True) == []
        assert j.safety_screens(person="Alex") == j.safety_screens(person="Sam") == []


@pytest.mark.parametrize(
    ("typed", "rating"),
    [("\x1b[C", None), ("\x1b[C\x1b[C7", 7), ("5\x1bOC", 5), ("\x1b[D 3 ", 3)],
)
def test_arrow_keys_at_the_rating_are_not_an_answer(
    monkeypatch: pytest.MonkeyPatch, typed: str, rating: int | None
) -> None:
    """→ pressed as the session ends reaches the next question as ESC [ C: it is ignored."""
    from solemate.cli import guide_commands

    monkeypatch.setattr("typer.prompt", lambda *a, **k: typed)
    assert guide_commands.ask_rating("How stressed?") == rating
