"""Text in a terminal breaks between words: the wrapping itself, and the guide in tmux at 60 and 100
columns, where a line too long for the terminal used to be cut mid-word ("deep-ve" / "in")."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solemate.cli import terminal
from solemate.cli.terminal import wrap
from solemate.safety import QUESTIONS, TONIGHT_PROMPT, TONIGHT_QUESTIONS
from tests.cli.test_guide_commands import tmux

LONGEST = max((q.text("self") for q in QUESTIONS), key=len)


def test_a_long_question_breaks_between_words() -> None:
    text = f"{LONGEST} [y/n]"
    lines = wrap(text, 60).splitlines()
    assert len(lines) > 1
    assert all(len(line) <= 60 for line in lines)
    assert " ".join(lines) == text
    assert any("(deep-vein" in line.split() for line in lines)  # a hyphen is not a break


def test_the_last_line_keeps_room_for_the_prompts_colon() -> None:
    text = "x" * 10 + " " + "y" * 48  # 59 columns: the ": " after it would not fit in 60
    assert wrap(text, 60) == text
    assert wrap(text, 60, reserve=2) == "x" * 10 + "\n" + "y" * 48


def test_line_breaks_and_blank_lines_are_kept() -> None:
    assert wrap("A short safety check.\n\nFirst line", 60) == "A short safety check.\n\nFirst line"


words = st.text(alphabet="abcdefghij-'(),.?", min_size=1, max_size=14)


@given(st.lists(words, min_size=1, max_size=40), st.integers(min_value=15, max_value=200))
def test_no_word_is_ever_broken_or_lost(chosen: list[str], width: int) -> None:
    text = " ".join(chosen)
    lines = wrap(text, width).splitlines()
    assert [w for line in lines for w in line.split()] == chosen
    assert all(len(line) <= width for line in lines)


def test_a_pipe_gets_the_text_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert terminal.columns() is None
    assert terminal.wrapped(f"{LONGEST} [y/n]") == f"{LONGEST} [y/n]"


# --- in a real terminal -----------------------------------------------------------------------


def _screen(session: str) -> list[str]:
    """Every line the terminal shows or scrolled away, as the terminal laid them out."""
    return tmux("capture-pane", "-p", "-S", "-", "-t", session).splitlines()


def _joined(lines: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(lines))


def _wait_for(session: str, needle: str, timeout: float = 15.0) -> list[str]:
    """Wait until ``needle`` is on screen, read across line ends (a word the terminal cut at its
    edge reads as two, so a broken word is never found)."""
    deadline = time.monotonic() + timeout
    lines: list[str] = []
    while time.monotonic() < deadline:
        lines = _screen(session)
        if needle in _joined(lines):
            return lines
        time.sleep(0.05)
    shown = "\n".join(lines)
    raise AssertionError(f"{needle!r} never appeared whole; the screen was:\n{shown}")


@pytest.mark.slow
@pytest.mark.parametrize("width", [60, 100])
def test_the_safety_screen_breaks_no_word(tmp_path: Path, width: int) -> None:
    assert shutil.which("tmux"), "tmux is needed for this test (installed by .ci/run)"
    session = f"solemate-wrap-{width}-{os.getpid()}"
    env = f"env -u COLUMNS -u LINES SOLEMATE_DATA_DIR={tmp_path} TERM=xterm-256color"
    # Chimes on and no voice: no sound device here, and nothing may be said about it.
    command = f"{env} {sys.executable} -m solemate guide --nightly --no-voice --speed 60; echo EXIT=$?; sleep 60"
    tmux("new-session", "-d", "-s", session, "-x", str(width), "-y", "30", command)
    try:
        _wait_for(session, "A short safety check")
        for question in QUESTIONS:
            _wait_for(session, f"{question.text('self')} [y/n]:")
            tmux("send-keys", "-t", session, "n", "Enter")
        tonight = f"{TONIGHT_PROMPT} " + "; ".join(q.tonight or "" for q in TONIGHT_QUESTIONS)
        _wait_for(session, tonight)
        tmux("send-keys", "-t", session, "n")
        asked = _wait_for(session, "How stressed do you feel right now? 0 (not at all) to 10")
        tmux("send-keys", "-t", session, "Enter")
        _wait_for(session, "q end")
        tmux("send-keys", "-t", session, "q")
        _wait_for(session, "recorded as interrupted")
        tmux("send-keys", "-t", session, "Enter")
        lines = _wait_for(session, "EXIT=0")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    # Text fitted to the terminal leaves its last column free: a full line is one the terminal cut.
    cut = [line for line in asked if len(line) >= width]
    assert cut == [], f"the terminal cut these lines at {width} columns: {cut}"
    text = _joined(lines)
    assert "device" not in text.lower()
    screen = "\n".join(lines)  # shown whole when a question is missing (pytest cuts long text)
    for question in QUESTIONS:
        assert f"{question.text('self')} [y/n]: n" in text, f"not on the screen:\n{screen}"
