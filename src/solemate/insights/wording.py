"""Counts and sentences in the insights' own words: "1 night", "2 nights", a capital to start.

Every sentence the insights produce passes through here, so "1 mornings" or a sentence starting
in lower case cannot come back in one place while being fixed in another.
"""

from __future__ import annotations

__all__ = ["count", "sentence"]

_IRREGULAR = {"evening has": "evenings have", "morning has": "mornings have"}


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` and the noun in the right number.

    >>> count(1, "night"), count(0, "night"), count(2, "session"), count(1, "evening has")
    ('1 night', '0 nights', '2 sessions', '1 evening has')
    >>> count(3, "evening has")
    '3 evenings have'
    """
    if n == 1:
        return f"{n} {singular}"
    return f"{n} {plural or _IRREGULAR.get(singular) or singular + 's'}"


def sentence(text: str) -> str:
    """The text with a capital first letter, the rest untouched (so "SOL" stays "SOL").

    >>> sentence("no session yet: the habit starts with one")
    'No session yet: the habit starts with one'
    """
    return text[:1].upper() + text[1:]
