"""Tonight's one-key check in a terminal: keys typed together, and an Enter after the key."""

from __future__ import annotations

import sys

import click
import pytest

from solemate.cli import safety_prompts


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[float]]:
    """A terminal whose reads come from a list; records each drop of typed-ahead keys."""
    reads: list[str] = []
    drops: list[float] = []

    def getchar() -> str:
        assert reads, "asked again"
        return reads.pop(0)

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(click, "getchar", getchar)
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
