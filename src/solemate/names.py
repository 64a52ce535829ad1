"""A person's name in a sentence.

A journal names the person it creates first ``me`` (:data:`DEFAULT_PERSON`) until they choose a
name, so a sentence about a person must read right with that name too: "I massaged my own feet",
"Alex gave me 2 sessions", "session 3 is mine". Every other name is used as written.

>>> [f(name) for name in ("me", "Alex") for f in (subject, possessive, owned)]
['I', 'my', 'mine', 'Alex', "Alex's", "Alex's"]
>>> possessive("me", starts_sentence=True), unnamed("me"), unnamed("Alex")
('My', True, False)
"""

from __future__ import annotations

__all__ = ["DEFAULT_PERSON", "owned", "possessive", "subject", "their", "unnamed"]

#: The name given to the person a journal creates when someone first writes to it.
DEFAULT_PERSON = "me"


def unnamed(name: str) -> bool:
    """Whether ``name`` is the first person's ``me``, no name to show anyone else (they would
    read it as themself)."""
    return name == DEFAULT_PERSON


def subject(name: str) -> str:
    """``name`` as the subject of a sentence ("I gave Alex 2 sessions")."""
    return "I" if name == DEFAULT_PERSON else name


def possessive(name: str, *, starts_sentence: bool = False) -> str:
    """``name``'s, before what is theirs ("my pages", "Alex's pages"; "My pages" to start one)."""
    if name == DEFAULT_PERSON:
        return "My" if starts_sentence else "my"
    return f"{name}'s"


def owned(name: str) -> str:
    """``name``'s, standing alone ("session 3 is mine", "… is Alex's")."""
    return "mine" if name == DEFAULT_PERSON else f"{name}'s"


def their(name: str) -> str:
    """The word for "their" after ``name`` as the subject ("I massaged my own feet")."""
    return "my" if name == DEFAULT_PERSON else "their"
