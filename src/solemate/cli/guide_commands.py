"""`solemate guide`: the live, spoken, timed session in the terminal; `solemate safety`: the screen.

The session's rules (safety, starting, step boundaries, played time, the 80 % rule, ratings) are
:mod:`solemate.tonight`'s, shared with the web app: this module asks, plays and shows.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, cast

import typer

from solemate import tonight
from solemate.cli.common import (
    DATABASE,
    PERSON,
    choose_person,
    fail,
    open_personal,
    resolve_routine,
    speech_rate,
    usage_error,
)
from solemate.cli.plan_flags import (
    PARTNER,
    PlanFlags,
    WordingOption,
    plan_refused,
    with_plan_flags,
)
from solemate.cli.safety_prompts import ask_screen, ready
from solemate.cli.terminal import echo, wrapped
from solemate.cli.voice_commands import VOICE_HELP, measurer, open_speaker
from solemate.plan import MAX_SPEECH_RATE, MIN_SPEECH_RATE, PlanError, plan, plan_for_voice
from solemate.safety import QUESTIONS, Level, Verdict
from solemate.wording_service import BRIEF_NOTICE, tonight_wording

if TYPE_CHECKING:
    from solemate.journal import Journal, MassageSession
    from solemate.live.clock import QueueInputs
    from solemate.live.listen import VoiceCommands
    from solemate.live.player import Outcome, Sink
    from solemate.timeline import Segment, Timeline

GUIDE_WORDING = typer.Option(
    None,
    "--wording",
    help="full: explain each part; brief: name it, give counts and holds. "
    "Unset: full at first, brief after five completed sessions (F goes back to full).",
)


def open_journal(url: str | None, person: str | None = None) -> Journal:
    return open_personal(url, person)


def current_verdict(journal: Journal, voice: str, today: dt.date, force: bool = False) -> Verdict:
    """The stored screen's verdict when current, else a new screen asked and stored."""
    state = tonight.safety_state(journal, today)
    if state.verdict is not None and not state.needs_screen and not force:
        return state.verdict
    if state.why and not force:
        echo(state.why)
    try:
        answers = ask_screen(voice)
    except (typer.Abort, EOFError):
        fail("the safety screen needs your answers: run 'solemate safety' in a terminal first")
    return tonight.record_screen(journal, today, answers)


#: A key's escape sequence (an arrow: ESC [ C, or ESC O C), as a line-mode terminal passes it on.
_KEY_SEQUENCE = re.compile(r"\x1b(?:\[[0-9;]*|O)[A-Za-z~]")


def ask_rating(question: str) -> int | None:
    """Ask a 0–10 rating; Enter skips. Re-asks until the answer is a whole number from 0 to 10."""
    while True:
        raw = typer.prompt(
            wrapped(f"{question} 0 (not at all) to 10 (extremely), Enter to skip", reserve=4),
            default="",
            show_default=False,
        )
        # Arrow keys pressed as the session ended reach the prompt as escape sequences: not an answer.
        raw = _KEY_SEQUENCE.sub("", raw).strip()
        try:
            return tonight.stress_answer(raw)
        except ValueError:
            echo(
                f"Please answer with a whole number from 0 to 10 (got {raw!r}), "
                "or press Enter to skip."
            )


class JournalRecorder:
    """Writes the session to the journal at every step boundary and at its end, with the time
    played so far (the player's own measure; ``speed`` is its clock's, for ``--speed``)."""

    def __init__(self, journal: Journal, session_id: int, speed: float = 1.0) -> None:
        self.journal = journal
        self.session_id = session_id
        self.speed = speed
        self.ended_elsewhere = False
        self.recorded: MassageSession | None = None
        """The session as finally recorded (its status by the 80 % rule), once finished."""

    def boundary(self, segment: Segment, played: float) -> None:
        self._write(
            tonight.record_segment, self.journal, self.session_id, segment, played, self.speed
        )

    def finish(self, status: str, segment: Segment, timeline: Timeline, played: float) -> None:
        recorded = self._write(
            tonight.finish,
            self.journal,
            self.session_id,
            status == "completed",
            played,
            self.speed,
        )
        if recorded is not None:
            self.recorded = cast("MassageSession", recorded)

    def _write(self, call: Callable[..., object], *args: object) -> object:
        # A session started elsewhere (the web app) interrupts this one; the guide carries on.
        from solemate.journal import JournalError

        if self.ended_elsewhere:
            return None
        try:
            return call(*args)
        except JournalError as exc:
            self.ended_elsewhere = True
            echo(f"solemate: {exc}; the rest of it is not recorded.", err=True)
            return None


def _sinks(no_voice: bool, no_chime: bool, voice: str | None, rate: int | None) -> list[Sink]:
    """The sound sink (speech and chimes), or none; a bad voice or rate is a usage error."""
    if no_voice and no_chime:
        return []
    from solemate.audio.speech import Speaker
    from solemate.live.sound import open_sound

    speaker: Speaker | None = None if no_voice else open_speaker(voice, rate)
    sink = open_sound(speaker, chimes=not no_chime)
    for notice in sink.notices:
        echo(notice)
    return [sink]


def _voice_commands(inputs: QueueInputs, sinks: list[Sink]) -> VoiceCommands | None:
    """Voice commands from the microphone, or None after printing why not (one line)."""
    from solemate.live.listen import ListenUnavailable, VoiceCommands
    from solemate.live.sound import SilentOutput, SoundSink

    # The app's own sound must not be obeyed. With no sound device nothing is played (and the
    # mixer is never drained, so it would look busy forever): then nothing is ever "speaking".
    mixers = [
        s.mixer
        for s in sinks
        if isinstance(s, SoundSink) and not isinstance(s.output, SilentOutput)
    ]
    voice = VoiceCommands(inputs.put, (lambda: mixers[0].busy) if mixers else (lambda: False))
    try:
        voice.start()
    except ListenUnavailable as exc:
        echo(str(exc))
        return None
    return voice


def play(
    timeline: Timeline,
    sinks: list[Sink],
    recorder: JournalRecorder,
    speed: float,
    listen: bool = False,
    full_wording: Timeline | None = None,
) -> Outcome:
    from rich.console import Console

    from solemate.live.clock import QueueInputs, SystemClock
    from solemate.live.keys import KeyReader
    from solemate.live.player import Player
    from solemate.live.screen import Screen

    inputs = QueueInputs()
    voice = _voice_commands(inputs, sinks) if listen else None  # before the full-screen display
    clock = SystemClock(speed)
    display = Screen(Console())
    with display, voice or contextlib.nullcontext():
        player = Player(timeline, clock, inputs, [display, *sinks], recorder, full_wording)
        try:
            if sys.stdin.isatty():
                with KeyReader(inputs.put):
                    return player.run()
            return player.run()
        finally:
            for sink in sinks:
                sink.close()


def announce_experiment(journal: Journal, today: dt.date) -> None:
    """Say what tonight is in a running experiment; on a control night, massage only when asked.

    A massage on a control night is recorded as usual: the experiment counts it as going off
    plan, which is why nothing is hidden or changed here.
    """
    from solemate.insights_service import tonight_assignment

    tonight = tonight_assignment(journal, today)
    if tonight is None:
        return
    echo(tonight.line())
    if not tonight.is_control:
        return
    echo(
        f"Your experiment asks for {tonight.control} tonight instead of a massage; "
        "a massage now counts as going off plan."
    )
    try:
        go_on = typer.confirm("Massage anyway?", default=False)
    except (typer.Abort, EOFError):
        go_on = False
    if not go_on:
        echo(
            "No session tonight. Once the control activity is done: "
            "'solemate experiment today --done'."
        )
        raise typer.Exit(0)


def describe_outcome(outcome: Outcome, recorded: MassageSession | None = None) -> str:
    """What happened, as the journal recorded it (``recorded``), else as the player saw it."""
    status = recorded.status if recorded is not None else outcome.status
    seconds = outcome.played
    if recorded is not None and recorded.played_seconds is not None:
        seconds = recorded.played_seconds
    played = tonight.played_text(seconds)
    if status == "completed":
        minutes = outcome.timeline.total // 60
        return f"Session complete: {minutes} min. Sleep well."
    if status == "skipped":
        planned = (recorded.planned_seconds if recorded else outcome.timeline.total) // 60
        return f"Session skipped through: {played} of {planned} min played; not completed."
    seg = outcome.segment
    where = f"{seg.foot} foot, step {seg.step}" if seg.kind == "action" else seg.title.lower()
    return f"Session stopped at {where} after {played} played; recorded as interrupted."


def register(app: typer.Typer) -> None:
    @app.command("guide")
    @with_plan_flags(GUIDE_WORDING, WordingOption | None)
    def guide_command(
        *,
        flags: PlanFlags,
        no_voice: bool = typer.Option(
            False, "--no-voice", help="Show the session without speaking it."
        ),
        no_chime: bool = typer.Option(False, "--no-chime", help="No chimes between steps."),
        voice: str | None = typer.Option(None, "--voice", help=VOICE_HELP),
        rate: int | None = typer.Option(
            None, "--rate", help="Speech rate in words per minute (80–450)."
        ),
        listen: bool = typer.Option(
            False, "--listen", help="Offline voice commands: pause, resume, next, repeat, stop."
        ),
        speed: float = typer.Option(
            1.0, "--speed", hidden=True, help="Run the clock faster (testing)."
        ),
        receiver: str | None = typer.Option(
            None,
            "--for",
            help="Whom you massage, a name from 'solemate person list' (with --partner); "
            "their safety screen, check and stress ratings are used (default: yourself).",
        ),
        database: str | None = DATABASE,
        person: str | None = PERSON,
    ) -> None:
        """Talk you through tonight's massage, hands-free: spoken cues, chimes, counted holds."""
        options = flags.options()
        if receiver is not None and options.voice != "partner":
            usage_error("--for NAME massages a partner: give --partner too")
        if not 0 < speed <= 1000:
            usage_error(f"--speed must be above 0 and at most 1000, got {speed:g}")
        rate, rate_from = speech_rate(rate)
        if rate is not None and not MIN_SPEECH_RATE <= rate <= MAX_SPEECH_RATE:
            usage_error(
                f"{rate_from} must be {MIN_SPEECH_RATE}–{MAX_SPEECH_RATE} words per minute, "
                f"got {rate}"
            )
        if rate is not None:  # a slower voice gets more room for its words
            options = dataclasses.replace(options, speech_rate=rate)
        chosen = resolve_routine(flags.routine)
        try:
            plan(chosen, options)  # refuse an impossible length before asking anything
        except PlanError as exc:
            plan_refused(exc)

        sinks = _sinks(no_voice, no_chime, voice, rate)
        journal = open_journal(database, person)
        with journal:
            giver = journal.chosen_person
            if receiver is not None:
                choose_person(journal, receiver)  # the receiver's screen, check and nights
            today = dt.date.today()
            options, state = ready(journal, options, "guide", options.voice, today)
            if state.verdict is not None and state.verdict.level is Level.GO_WITH_CHANGES:
                echo(state.verdict.summary())
            announce_experiment(journal, today)
            choice = tonight_wording(journal, flags.wording.value if flags.wording else None)
            options = replace(options, wording=choice.wording)
            measure = measurer(no_voice, voice, rate)
            try:
                timeline = plan_for_voice(chosen, options, measure)
                full_wording = (
                    plan_for_voice(chosen, replace(options, wording="full"), measure)
                    if choice.offer_full
                    else None
                )
            except PlanError as exc:
                plan_refused(exc)
            if full_wording is not None:
                echo(f"{BRIEF_NOTICE} Press F during the session for full explanations.")
            who = "your partner" if options.voice == "partner" else "you"
            before = ask_rating(
                f"How stressed {'does' if who != 'you' else 'do'} {who} feel right now?"
            )
            partner = receiver is not None and journal.chosen_person != giver
            session_id = tonight.begin(
                journal, chosen, timeline, before, giver=giver if partner else None
            )
            recorder = JournalRecorder(journal, session_id, speed)
            outcome = play(timeline, sinks, recorder, speed, listen, full_wording)
            echo(describe_outcome(outcome, recorder.recorded))
            if choice.offer_full and outcome.timeline.options.get("wording") == "full":
                echo("Full explanations tonight; to keep them: solemate guide --wording full")
            after = ask_rating(
                f"And now, how stressed {'does' if who != 'you' else 'do'} {who} feel?"
            )
            if after is not None:
                tonight.rate(journal, session_id, "after", after)
                if before is not None:
                    echo(f"Stress before {before}, after {after}.")
            if partner:
                mine = ask_rating("And you, who gave the massage: how stressed do you feel?")
                if mine is not None:
                    tonight.rate(journal, session_id, "after", mine, person=giver)

    @app.command("safety")
    def safety_command(
        partner: bool = PARTNER,
        show: bool = typer.Option(
            False, "--show", help="Show the last answers and verdict without asking."
        ),
        database: str | None = DATABASE,
        person: str | None = PERSON,
    ) -> None:
        """Take the safety screen (again): questions to answer before massaging.

        The screen is about the feet massaged: with --person NAME, NAME's."""
        with open_journal(database, person) as journal:
            if show:
                state = tonight.safety_state(journal, dt.date.today())
                if state.screened_on is None:
                    fail("no safety screen yet: run 'solemate safety'")
                yes = [q.id for q in QUESTIONS if state.answers.get(q.id) is True]
                level = state.verdict.level if state.verdict else "out of date"
                echo(
                    f"Last screened {state.screened_on}: {level}; yes to: {', '.join(yes) or 'nothing'}."
                )
                if state.checked_tonight:
                    new = ", ".join(state.new_tonight) or "nothing"
                    echo(f"Tonight's check: new tonight: {new}.")
                return
            verdict = current_verdict(
                journal, "partner" if partner else "self", dt.date.today(), force=True
            )
            echo(verdict.summary())
            if verdict.level is Level.DO_NOT_MASSAGE:
                raise typer.Exit(1)
