"""Tonight's one-key check in a terminal: keys typed together, and an Enter after the key."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time

import pytest

from solemate.cli import safety_prompts


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[float]]:
    """A terminal whose reads come from a list; records each drop of typed-ahead keys."""
    reads: list[str] = []
    drops: list[float] = []

    def read_keys(prompt: str) -> str:
        assert reads, "asked again"
        return reads.pop(0)

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(safety_prompts, "_read_keys", read_keys)
    monkeypatch.setattr(safety_prompts, "_drop_typed_ahead", drops.append, raising=False)
    return reads, drops


@pytest.mark.parametrize("typed", ["n\r", "n\n", "N\r"])
def test_a_key_and_enter_read_together_answer_once(
    terminal: tuple[list[str], list[float]], typed: str
) -> None:
    reads, drops = terminal
    reads.append(typed)
    assert safety_prompts.ask_tonight() == []
    assert drops == []  # the Enter came with the key: nothing is left to drop


def test_an_enter_after_the_key_is_dropped_before_the_next_question(
    terminal: tuple[list[str], list[float]],
) -> None:
    reads, drops = terminal
    reads.append("n")
    assert safety_prompts.ask_tonight() == []
    assert drops == [safety_prompts.ENTER_GRACE_S]


def test_a_plain_enter_asks_again(terminal: tuple[list[str], list[float]]) -> None:
    reads, _ = terminal
    reads.extend(["\r", "n"])
    assert safety_prompts.ask_tonight() == []
    assert reads == []


def test_a_key_typed_before_the_question_shows_answers_it() -> None:
    """In a real (pseudo-)terminal: an "n" typed while the program is still starting, before the
    question is shown, answers it. Before, the switch out of line mode dropped it: the "n" was
    shown on the screen and the question waited for another key."""
    main, child = pty.openpty()
    os.write(main, b"n")  # typed ahead, before the process even starts
    script = "from solemate.cli import safety_prompts; print('ANSWER', safety_prompts._key('Q?'))"
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdin=child, stdout=child, stderr=child, close_fds=True
    )
    os.close(child)
    shown = b""
    deadline = time.monotonic() + 30
    try:
        # Until the whole answer line is read: it can arrive in pieces ("ANSWER " first).
        while not re.search(rb"ANSWER[^\n]*\n", shown) and time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.1)
            if ready:
                try:
                    shown += os.read(main, 1024)
                except OSError:  # the process ended and closed the terminal
                    break
    finally:
        process.kill()
        process.wait()
        os.close(main)
    assert b"ANSWER n" in shown, shown
