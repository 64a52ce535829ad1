"""What the journal hands back: immutable records, never live database objects.

Callers (the command line, the web app, insights) read these and cannot change the database by
accident or keep a connection alive by holding one. The records `solemate journal` lists are here;
people, safety screens, naps and session times are in ``other_records.py``, the experiment's in
``experiment_records.py`` and an import's outcome in ``import_reports.py``, so listing the journal
does not build their classes (a frozen dataclass costs most of a millisecond to define).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Literal, Protocol

from solemate.diary.entry import DiaryEntry
from solemate.names import owned

if TYPE_CHECKING:  # pydantic is not imported to read a journal
    from collections.abc import Iterable

    from pydantic import JsonValue

__all__ = [
    "COMPLETED_SHARE",
    "DeviceNightLike",
    "DeviceNightRecord",
    "DiaryRecord",
    "JournalError",
    "MassageSession",
    "Moment",
    "NotTheirs",
    "Note",
    "Rating",
    "SessionStatus",
    "as_recorded",
    "ended_status",
    "offset_minutes",
    "receivers_stress",
    "same_name",
]

SessionStatus = Literal["planned", "in_progress", "completed", "skipped", "interrupted"]

COMPLETED_SHARE = 0.8
"""A session run to its end is completed when at least this share of its planned time was played."""


def ended_status(
    reached_end: bool, played_seconds: float | None, planned_seconds: int
) -> SessionStatus:
    """How a session that ended is recorded: the 80 % rule.

    Stopped early: ``interrupted``. Run to its end: ``completed`` when at least
    :data:`COMPLETED_SHARE` of the planned time was played (or the played time is unknown, as from
    a player that never reported it), else ``skipped``.
    """
    if not reached_end:
        return "interrupted"
    if played_seconds is not None and played_seconds < COMPLETED_SHARE * planned_seconds:
        return "skipped"
    return "completed"


Moment = Literal["before", "after"]


def same_name(one: str, other: str) -> bool:
    """Whether two names are one person's: equal without regard to case, in any alphabet.

    >>> same_name("Jonas Æbelø", "JONAS æBELØ"), same_name("Alex", "Alexa")
    (True, False)
    """
    return one.casefold() == other.casefold()


class JournalError(Exception):
    """A request the journal refuses (bad value, unknown id, wrong state, duplicate).

    Nothing was written. ``field`` names the argument or answer to correct, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


class NotTheirs(JournalError):
    """An entry asked for on behalf of someone it does not belong to; nothing was changed.

    ``owners``: whose it is (a session's receiver first, then its giver).
    """

    def __init__(self, what: str, entry_id: int, owners: tuple[str, ...], person: str) -> None:
        whose = " and ".join(owned(name) for name in owners)
        super().__init__(f"{what} {entry_id} is {whose}, not {owned(person)}", field="person")
        self.owners = owners


@dataclass(frozen=True)
class MassageSession:
    """A session; ``foot``/``step_index``/``step_id`` are the last step boundary written.

    ``played_seconds`` is the time actually played (not paused, not skipped), None when unknown
    (sessions recorded before it was kept, or planned ones).
    """

    id: int
    uid: str
    routine_id: str
    routine_version: str
    plan_options: dict[str, JsonValue]
    planned_seconds: int
    status: SessionStatus
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    foot: str | None
    step_index: int | None
    step_id: str | None
    progress_at: datetime | None
    giver: str
    receiver: str
    played_seconds: float | None = None

    def stress(self, ratings: Iterable[Rating]) -> dict[Moment, int]:
        """This session's stress by moment among ``ratings`` (:func:`receivers_stress`)."""
        return receivers_stress(self.id, self.receiver, ratings)


def receivers_stress(
    session_id: int, receiver: str, ratings: Iterable[Rating]
) -> dict[Moment, int]:
    """A session's stress by moment among ``ratings``: its receiver's, the last answer of each
    moment (a partner who gave the massage may rate their own stress too, beside it)."""
    return {
        r.moment: r.stress for r in ratings if r.session_id == session_id and r.person == receiver
    }


@dataclass(frozen=True)
class Rating:
    """A stress (0–10) and relaxation rating, ``moment`` before or after; ``session_id`` is None
    for one not tied to a session."""

    id: int
    uid: str
    session_id: int | None
    person: str
    moment: Moment
    stress: int
    relaxation: int | None
    rated_at: datetime


@dataclass(frozen=True)
class DiaryRecord:
    """A stored diary entry; the entry itself carries the items and the derived TIB/TST/SE."""

    id: int
    uid: str
    person: str
    entry: DiaryEntry
    created_at: datetime
    updated_at: datetime


class DeviceNightLike(Protocol):
    """A wearable's nightly estimate, as ``solemate.wearables`` produces ``DeviceNight`` records.

    A protocol rather than an import keeps the journal independent of the parsers; any object with
    these attributes can be stored.
    """

    @property
    def source(self) -> str: ...
    @property
    def device(self) -> str: ...
    @property
    def wake_date(self) -> date: ...
    @property
    def bed_start(self) -> datetime: ...
    @property
    def bed_end(self) -> datetime: ...
    @property
    def zone(self) -> str | None: ...
    @property
    def tib_min(self) -> float: ...
    @property
    def tst_min(self) -> float | None: ...
    @property
    def sol_min(self) -> float | None: ...
    @property
    def se_pct(self) -> float | None: ...
    @property
    def is_nap(self) -> bool: ...


@dataclass(frozen=True)
class DeviceNightRecord:
    """A wearable's estimate of one night, as imported (kept apart from the sleep diary)."""

    id: int
    uid: str
    person: str
    source: str
    device: str
    wake_date: date
    bed_start: datetime
    bed_end: datetime
    zone: str | None
    tib_min: float
    tst_min: float | None
    sol_min: float | None
    se_pct: float | None
    is_nap: bool
    imported_at: datetime


@dataclass(frozen=True)
class Note:
    """A free-text note, about a session or about the day."""

    id: int
    uid: str
    person: str
    session_id: int | None
    written_at: datetime
    text: str


def offset_minutes(value: datetime) -> int | None:
    """The UTC offset ``value`` was written with, in whole minutes (None for a naive value)."""
    offset = value.utcoffset()
    return None if offset is None else int(offset.total_seconds() // 60)


def as_recorded(instant: datetime, offset_min: int | None, zone: str | None) -> datetime:
    """``instant`` on the clock it was recorded on, whatever this machine's zone is.

    The recorded UTC offset when the file gave one, else the offset the recorded zone had at
    that instant, else UTC (a night imported before offsets were kept, with no zone).
    """
    if offset_min is not None:
        return instant.astimezone(timezone(timedelta(minutes=offset_min)))
    if zone:
        from zoneinfo import ZoneInfo

        local = instant.astimezone(ZoneInfo(zone))
        offset = local.utcoffset()
        assert offset is not None
        return local.replace(tzinfo=timezone(offset))
    return instant.astimezone(UTC)
