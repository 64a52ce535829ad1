"""The safety questions as the terminal asks them: the screen, tonight's check, a clinician's word.

Every question needs an explicit y or n: a plain Enter asks again, so skipping through cannot clear
a question. The rules themselves are the safety service's (:mod:`solemate.safety_service`).
In a terminal, the text is broken between words to fit its width (:mod:`solemate.cli.terminal`).
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import TYPE_CHECKING

import typer

from solemate import safety_service
from solemate.cli.common import fail
from solemate.cli.terminal import echo, wrapped
from solemate.safety import QUESTIONS, TONIGHT_PROMPT, TONIGHT_QUESTIONS
from solemate.safety_service import CONFIRM_QUESTION, SafetyRefused, SafetyState

if TYPE_CHECKING:
    from solemate.journal import Journal
    from solemate.plan import PlanOptions

YES = ("y", "yes")
NO = ("n", "no")


def ask_yes_no(question: str) -> bool:
    """A yes or a no, asked again until one is given (raises typer.Abort at the end of input)."""
    while True:
        prompt = wrapped(f"{question} [y/n]", reserve=3)  # room for ": " and the answer
        raw = typer.prompt(prompt, default="", show_default=False).strip().lower()
        if raw in YES:
            return True
        if raw in NO:
            return False
        echo("Please answer y or n.")


def ask_screen(voice: str) -> dict[str, bool]:
    """Every question of the safety screen, each answered y or n."""
    echo("A short safety check. Answer each question y or n.\n")
    return {
        q.id: ask_yes_no(q.text("partner" if voice == "partner" else "self")) for q in QUESTIONS
    }


def ask_tonight() -> list[str]:
    """Tonight's check: one key (n) for nothing new; y asks which condition is new."""
    echo(f"{TONIGHT_PROMPT} " + "; ".join(q.tonight or "" for q in TONIGHT_QUESTIONS) + ".")
    while True:
        key = _key("n: nothing new   y: something is new")
        if key.lower() == "n":
            return []
        if key.lower() == "y":
            return [q.id for q in TONIGHT_QUESTIONS if ask_yes_no(f"New tonight: {q.tonight}?")]
        if key in ("", "\x04", "\x03"):
            raise typer.Abort()


#: How long after a one-key answer an Enter still belongs to it (the y/n questions before it
#: each ended with one, so a hand types "n" and Enter out of habit).
ENTER_GRACE_S = 0.4


def _key(prompt: str) -> str:
    """One key in a terminal; a line when the input is piped (so no stray newline is left over).

    Keys typed together arrive in one read ("n" and Enter as two characters): the first answers.
    After an answer, what is typed in the next moment is dropped, so an Enter that follows the
    key cannot answer the next question (the stress rating, where Enter skips) before it is asked.
    """
    if not sys.stdin.isatty():
        return str(typer.prompt(prompt, default="", show_default=False)).strip()[:1]
    typed = _read_keys(prompt)
    key = typed.strip()[:1] or typed[:1]
    typer.echo(key.strip())
    if key.lower() in ("n", "y") and not ("\r" in typed or "\n" in typed):
        _drop_typed_ahead(ENTER_GRACE_S)
    return key


def _read_keys(prompt: str) -> str:
    """Show ``prompt`` and return what is typed, without waiting for Enter.

    The terminal leaves line mode before the prompt is shown and keeps what was already typed: a
    key typed as the prompt appeared (or just before) answers it. ``click.getchar`` drops such
    keys when it switches modes, so a quick "n" was shown on the screen and then never read.
    """
    import os
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    tty.setcbreak(fd, termios.TCSANOW)
    try:
        typer.echo(f"{prompt} ", nl=False)
        return os.read(fd, 32).decode(sys.stdin.encoding or "utf-8", "replace")
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _drop_typed_ahead(grace: float) -> None:
    """Wait ``grace`` seconds, then drop whatever was typed and not yet read."""
    import termios
    import time

    time.sleep(grace)
    termios.tcflush(sys.stdin.fileno(), termios.TCIFLUSH)


def ready(
    journal: Journal,
    options: PlanOptions,
    path: safety_service.Path,
    voice: str,
    today: dt.date,
) -> tuple[PlanOptions, SafetyState]:
    """Ask what is missing for ``path`` (screen, tonight's check, a clinician's word), then the
    service's answer: the plan options with the screen's changes, or exit with the reason."""
    state = safety_service.safety_state(journal, today)
    try:
        if state.needs_screen:
            if state.why:
                echo(state.why)
            safety_service.record_screen(journal, today, ask_screen(voice))
            state = safety_service.safety_state(journal, today)
        playing = path in safety_service.PLAYING
        if playing and state.verdict and state.verdict.may_massage and not state.checked_tonight:
            state = safety_service.record_tonight(journal, today, ask_tonight())
        if playing and state.needs_confirm and state.verdict and state.verdict.may_massage:
            echo(state.verdict.summary())
            if ask_yes_no(CONFIRM_QUESTION):
                state = safety_service.confirm_clinician(journal, today)
    except (typer.Abort, EOFError):
        fail("the safety screen needs your answers: run 'solemate safety' in a terminal first")
    try:
        return safety_service.prepare(journal, today, options, path)
    except SafetyRefused as refused:
        fail(refused.message)
