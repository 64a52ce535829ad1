"""A person's name in a sentence.

A journal names the person it creates first ``me`` (:data:`DEFAULT_PERSON`) until they choose a
name, so a sentence about a person must read right with that name too: "I massaged my own feet",
"Alex gave me 2 sessions", "session 3 is mine". Every other name is used as written.

>>> [f(name) for name in ("me", "Alex") for f in (subject, possessive, owned)]
['I', 'my', 'mine', 'Alex', "Alex's", "Alex's"]
"""

from __future__ import annotations

__all__ = ["DEFAULT_PERSON", "owned", "possessive", "subject", "their"]

#: The name given to the person a journal creates when someone first writes to it.
DEFAULT_PERSON = "me"


def subject(name: str) -> str:
    """``name`` as the subject of a sentence ("I gave Alex 2 sessions")."""
    return "I" if name == DEFAULT_PERSON else name


def possessive(name: str) -> str:
    """``name``'s, before what is theirs ("my pages", "Alex's pages")."""
    return "my" if name == DEFAULT_PERSON else f"{name}'s"


def owned(name: str) -> str:
    """``name``'s, standing alone ("session 3 is mine", "… is Alex's")."""
    return "mine" if name == DEFAULT_PERSON else f"{name}'s"


def their(name: str) -> str:
    """The word for "their" after ``name`` as the subject ("I massaged my own feet")."""
    return "my" if name == DEFAULT_PERSON else "their"
