"""Who gave how many sessions to whom over the last four weeks: a count, never a score.

Pure: sessions and "today" come in, plain rows go out. A session counts on the evening it started
(:func:`~solemate.insights.records.evening_of`); one only planned, never started, does not count.

>>> from datetime import UTC, datetime
>>> from types import SimpleNamespace as S
>>> day = datetime(2024, 3, 20, 20, tzinfo=UTC)
>>> given = [S(giver="Alex", receiver="Sam", started_at=day),
...          S(giver="Alex", receiver="Sam", started_at=day),
...          S(giver="Sam", receiver="Sam", started_at=day),
...          S(giver="Sam", receiver="Alex", started_at=None)]
>>> [couple_line(row) for row in who_gave(given, date(2024, 3, 21), UTC)]
['Alex gave Sam 2 sessions', 'Sam massaged their own feet once']

A journal's first person, still called "me", reads in the first person:

>>> couple_line(Given("me", "me", 2)), couple_line(Given("me", "Sam", 1))
('I massaged my own feet 2 times', 'I gave Sam 1 session')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Protocol

from solemate.insights.records import evening_of
from solemate.names import subject, their

__all__ = ["COUPLE_DAYS", "Given", "couple_line", "who_gave"]

#: How far back the couple view looks: the last four weeks, today included.
COUPLE_DAYS = 28


class GivenSession(Protocol):
    @property
    def giver(self) -> str: ...

    @property
    def receiver(self) -> str: ...

    @property
    def started_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class Given:
    """``sessions`` sessions ``giver`` gave ``receiver`` (the same name: self-massage)."""

    giver: str
    receiver: str
    sessions: int


def who_gave(sessions: Iterable[GivenSession], today: date, zone: tzinfo) -> list[Given]:
    """Started sessions of the last :data:`COUPLE_DAYS` evenings, counted by giver and receiver,
    most first (then by name)."""
    first = today - timedelta(days=COUPLE_DAYS - 1)
    counts = Counter(
        (s.giver, s.receiver)
        for s in sessions
        if s.started_at is not None and first <= evening_of(s.started_at, zone) <= today
    )
    rows = [Given(giver, receiver, n) for (giver, receiver), n in counts.items()]
    return sorted(rows, key=lambda g: (-g.sessions, g.giver, g.receiver))


def couple_line(given: Given) -> str:
    """One row in words."""
    times = "once" if given.sessions == 1 else f"{given.sessions} times"
    giver = subject(given.giver)
    if given.giver == given.receiver:
        return f"{giver} massaged {their(given.giver)} own feet {times}"
    count = "1 session" if given.sessions == 1 else f"{given.sessions} sessions"
    return f"{giver} gave {given.receiver} {count}"
