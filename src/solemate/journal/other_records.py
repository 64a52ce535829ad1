"""Records `solemate journal` does not list: people, safety screens, naps and session times.

Apart from ``records.py`` so that listing the journal does not define their classes (a frozen
dataclass costs most of a millisecond to define, and every command pays it at start).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pydantic is not imported to read a journal
    from pydantic import JsonValue

    from solemate.journal.records import SessionStatus

__all__ = ["NapRecord", "Person", "SafetyScreen", "SessionTimes"]


@dataclass(frozen=True)
class Person:
    """A person the journal keeps records about; ``uid`` names them across exports."""

    id: int
    uid: str
    name: str
    created_at: datetime


@dataclass(frozen=True)
class SafetyScreen:
    """One safety screen as answered on ``screened_on``: the answers, the level and its reasons."""

    id: int
    uid: str
    person: str
    screened_on: date
    answers: dict[str, JsonValue]
    level: str
    reasons: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class SessionTimes:
    """When a session was and how it ended, without its plan: what the habit and the experiment
    count (reading ten years of whole sessions for them took several times as long)."""

    id: int
    receiver: str
    status: SessionStatus
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True)
class NapRecord:
    """A stored nap: its day, zone, start and end (aware, in that zone) and real minutes."""

    id: int
    uid: str
    person: str
    on_date: date
    zone: str
    start: datetime
    end: datetime
    minutes: int
    created_at: datetime
