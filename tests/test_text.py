"""The one text rule: no NUL, no control characters, valid Unicode; terminal output escaped."""

from __future__ import annotations

import doctest
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


@settings(max_examples=400)
@given(st.text(), st.booleans())
def test_the_quick_path_for_printable_text_agrees_with_the_patterns(
    value: str, multiline: bool
) -> None:
    """Printable text skips the patterns; any text gets what the patterns alone would give."""
    never = re.search(text._NEVER, value)
    breaks = None if multiline else re.search(text._LINE_BREAKS, value)
    assert (text_problem(value, multiline=multiline) is None) == (never is None and breaks is None)
    escaped = re.sub(text._SHOWN_ESCAPED, lambda m: f"\\x{ord(m.group()):02x}", value)
    assert for_terminal(value) == escaped
