"""The one text rule: no NUL, no control characters, valid Unicode; terminal output escaped."""

from __future__ import annotations

import doctest

import pytest

from solemate import text
from solemate.text import for_terminal, text_problem


def test_worked_examples() -> None:
    result = doctest.testmod(text)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize(
    ("value", "multiline", "problem"),
    [
        ("a\x00b", True, "contains a NUL character"),
        ("bell\x07", True, "contains a control character (U+0007)"),
        ("\x1b[2J", True, "contains a control character (U+001B)"),
        ("del\x7f", True, "contains a control character (U+007F)"),
        ("csi\x9b", True, "contains a control character (U+009B)"),
        ("\udcff", True, "is not valid text (bytes that are not UTF-8)"),
        ("one\nline", False, "contains a line break"),
        ("tab\there", False, "contains a tab"),
        ("one\r\ntwo\tthree", True, None),
        ("Grüße, 睡眠 🦶", False, None),
        ("", False, None),
    ],
)
def test_the_rule(value: str, multiline: bool, problem: str | None) -> None:
    found = text_problem(value, multiline=multiline)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert found.startswith(problem)


def test_terminal_output_shows_escapes_instead_of_running_them() -> None:
    shown = for_terminal("\x1b[31mred\x1b[0m\r\x07 ok\n\tnext")
    assert "\x1b" not in shown
    assert "\r" not in shown
    assert shown == "\\x1b[31mred\\x1b[0m\\x0d\\x07 ok\n\tnext"
