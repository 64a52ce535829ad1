"""The journal's tables as typed SQLAlchemy models: the schema at the newest migration.

The migrations in ``migrations/versions`` build this schema step by step; a test compares the two.
Every row has an integer ``id`` (the handle the program and the command line use) and a ``uid``
(a UUID that stays the same through export and import, so a re-imported row is recognised).

Instants are stored in UTC (``timestamptz`` on PostgreSQL, ISO text on SQLite) and come back as
aware UTC datetimes. The diary keeps its zone beside the instants, which is what turns them back
into the wall times the person wrote.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from pydantic import JsonValue
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeEngine

__all__ = [
    "SESSION_STATUSES",
    "Base",
    "CalendarFeedRow",
    "ControlActivityRow",
    "DeviceNightRow",
    "DiaryRow",
    "ExperimentNightRow",
    "ExperimentRow",
    "Keyed",
    "NapRow",
    "NoteRow",
    "PairingCodeRow",
    "PassphraseRow",
    "PersonRow",
    "RatingRow",
    "SafetyScreenRow",
    "SessionRow",
    "SignInFailuresRow",
    "UTCDateTime",
    "new_uid",
]


def new_uid() -> str:
    """A fresh ``uid``: the identity a row keeps through export and import."""
    return str(uuid.uuid4())


SESSION_STATUSES = ("planned", "in_progress", "completed", "interrupted")

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC; refuses naive values, which would be ambiguous."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(DateTime(timezone=dialect.name == "postgresql"))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: the journal stores instants only")
        utc = value.astimezone(UTC)
        return utc if dialect.name == "postgresql" else utc.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _person() -> Mapped[int]:
    return mapped_column(ForeignKey("people.id", ondelete="CASCADE"))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, JsonValue]: JSON(),
    }


class Keyed(Base):
    """Every table's two identities: ``id`` for this database, ``uid`` for everywhere."""

    __abstract__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-2)
    uid: Mapped[str] = mapped_column(String(36), unique=True, sort_order=-1)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Ids are shown and sent back (a page's session id), so SQLite must never hand out a
        # deleted row's id again: AUTOINCREMENT on every keyed table (migration 0005).
        args = cls.__dict__.get("__table_args__", ())
        if isinstance(args, dict):
            args = (args,)
        options = args[-1] if args and isinstance(args[-1], dict) else {}
        positional = args[:-1] if options else args
        cls.__table_args__ = (*positional, {**options, "sqlite_autoincrement": True})
        super().__init_subclass__(**kwargs)


class PersonRow(Keyed):
    """Someone whose sessions and nights are kept: one by default, two for a couple."""

    __tablename__ = "people"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime]


class SafetyScreenRow(Keyed):
    """One answered safety screen, with the verdict it gave, so a later change can be noticed."""

    __tablename__ = "safety_screens"

    person_id: Mapped[int] = _person()
    screened_on: Mapped[date]
    answers: Mapped[dict[str, JsonValue]]
    level: Mapped[str] = mapped_column(String(40))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime]

    __table_args__ = (Index(None, "person_id", "screened_on"),)


class SessionRow(Keyed):
    """A massage session and how far it got.

    ``owner`` names the process running an in-progress session (host, pid, process start), so a
    later open can tell a session whose process died from one still running elsewhere.
    """

    __tablename__ = "sessions"

    routine_id: Mapped[str] = mapped_column(String(100))
    routine_version: Mapped[str] = mapped_column(String(64))
    plan_options: Mapped[dict[str, JsonValue]]
    planned_seconds: Mapped[int]
    played_seconds: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12), index=True)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    foot: Mapped[str | None] = mapped_column(String(20))
    step_index: Mapped[int | None]
    step_id: Mapped[str | None] = mapped_column(String(100))
    progress_at: Mapped[datetime | None]
    owner: Mapped[str | None] = mapped_column(String(300))
    giver_id: Mapped[int] = _person()
    receiver_id: Mapped[int] = _person()

    __table_args__ = (
        CheckConstraint(
            "status IN ('planned', 'in_progress', 'completed', 'skipped', 'interrupted')",
            name="status",
        ),
        CheckConstraint("planned_seconds >= 0", name="planned_seconds"),
        CheckConstraint("played_seconds >= 0", name="played_seconds"),
        CheckConstraint("step_index >= 0", name="step_index"),
    )


class RatingRow(Keyed):
    """A stress rating (0–10) before or after a session, with an optional relaxation rating."""

    __tablename__ = "ratings"

    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    person_id: Mapped[int] = _person()
    moment: Mapped[str] = mapped_column(String(6))
    stress: Mapped[int]
    relaxation: Mapped[int | None]
    rated_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("session_id", "person_id", "moment"),
        CheckConstraint("moment IN ('before', 'after')", name="moment"),
        CheckConstraint("stress BETWEEN 0 AND 10", name="stress"),
        CheckConstraint("relaxation BETWEEN 0 AND 10", name="relaxation"),
    )


class DiaryRow(Keyed):
    """One morning's Consensus Sleep Diary, with the derived figures stored for queries."""

    __tablename__ = "diary_entries"

    person_id: Mapped[int] = _person()
    wake_date: Mapped[date]
    zone: Mapped[str] = mapped_column(String(64))
    into_bed: Mapped[datetime]
    tried_to_sleep: Mapped[datetime]
    sol_min: Mapped[int]
    awakenings: Mapped[int]
    waso_min: Mapped[int]
    final_awakening: Mapped[datetime]
    out_of_bed: Mapped[datetime]
    quality: Mapped[int]
    comments: Mapped[str] = mapped_column(Text)
    tib_min: Mapped[int]
    tst_min: Mapped[int]
    se_pct: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("person_id", "wake_date"),
        CheckConstraint("quality BETWEEN 1 AND 5", name="quality"),
        CheckConstraint("tst_min >= 0 AND tst_min <= tib_min", name="tst_min"),
    )


class DeviceNightRow(Keyed):
    """A wearable's estimate of one night or nap, kept apart from the diary the person wrote."""

    __tablename__ = "device_nights"

    person_id: Mapped[int] = _person()
    source: Mapped[str] = mapped_column(String(50))
    device: Mapped[str] = mapped_column(String(200))
    wake_date: Mapped[date]
    bed_start: Mapped[datetime]
    bed_end: Mapped[datetime]
    zone: Mapped[str | None] = mapped_column(String(64))
    #: The UTC offsets the file wrote the two times with (minutes east), so a night is shown on
    #: the clock it was slept by; None for nights imported before they were kept.
    bed_start_offset_min: Mapped[int | None] = mapped_column(Integer)
    bed_end_offset_min: Mapped[int | None] = mapped_column(Integer)
    tib_min: Mapped[float] = mapped_column(Float)
    tst_min: Mapped[float | None] = mapped_column(Float)
    sol_min: Mapped[float | None] = mapped_column(Float)
    se_pct: Mapped[float | None] = mapped_column(Float)
    is_nap: Mapped[bool] = mapped_column(Boolean)
    imported_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("person_id", "source", "device", "bed_start"),
        Index(None, "person_id", "wake_date"),
    )


class NapRow(Keyed):
    """A daytime nap the person wrote down: kept apart from the diary's nights and their figures."""

    __tablename__ = "naps"

    person_id: Mapped[int] = _person()
    on_date: Mapped[date]
    zone: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime]
    minutes: Mapped[int]
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("person_id", "started_at"),
        CheckConstraint("minutes > 0", name="minutes"),
        Index(None, "person_id", "on_date"),
    )


class ControlActivityRow(Keyed):
    """An evening's control activity (reading, say) for the personal experiment's other arm."""

    __tablename__ = "control_activities"

    person_id: Mapped[int] = _person()
    on_date: Mapped[date]
    activity: Mapped[str] = mapped_column(String(100))
    minutes: Mapped[int]
    created_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("minutes BETWEEN 1 AND 600", name="minutes"),
        Index(None, "person_id", "on_date"),
    )


class NoteRow(Keyed):
    """A free-text note, optionally about one session."""

    __tablename__ = "notes"

    person_id: Mapped[int] = _person()
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    written_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)


class ReminderPreferenceRow(Base):
    """A person's nightly reminder: a time (None: the one suggested from the diary) and days.

    Not exported either: it is a setting of the reminder, like the feed link, not a record.
    """

    __tablename__ = "reminder_preferences"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    at: Mapped[str | None] = mapped_column(String(5))
    days: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime]


# --- the personal experiment: its plan and every night's arm, written once ---


class ExperimentRow(Keyed):
    """A personal experiment's plan: outcome, design, length, seed, control and minimum."""

    __tablename__ = "experiments"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    outcome: Mapped[str] = mapped_column(String(20))
    design: Mapped[str] = mapped_column(String(10))
    nights: Mapped[int]
    first_evening: Mapped[date] = mapped_column(Date)
    # Text, not an integer column: a 64-bit seed does not fit every backend's signed integer.
    seed: Mapped[str] = mapped_column(String(40))
    control: Mapped[str] = mapped_column(String(100))
    minimum: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime]
    stopped_at: Mapped[datetime | None]
    stop_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("design IN ('pairs', 'weeks')", name="design"),
        CheckConstraint("nights BETWEEN 2 AND 3660", name="nights"),
        CheckConstraint("minimum > 0", name="minimum"),
        Index(None, "person_id"),
    )


class ExperimentNightRow(Keyed):
    """One planned night: its position, its evening and its arm (M massage, C control)."""

    __tablename__ = "experiment_nights"

    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"))
    night: Mapped[int]
    evening: Mapped[date] = mapped_column(Date)
    arm: Mapped[str] = mapped_column(String(1))

    __table_args__ = (
        CheckConstraint("arm IN ('M', 'C')", name="arm"),
        CheckConstraint("night >= 0", name="night"),
        UniqueConstraint("experiment_id", "night"),
    )


# --- who may sign in to a server opened to the network (not exported) ---


class PassphraseRow(Base):
    """The one passphrase record (a hash, its salt and parameters, the cookie key)."""

    __tablename__ = "web_passphrase"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    record: Mapped[dict[str, JsonValue]]
    changed_at: Mapped[datetime]

    __table_args__ = (CheckConstraint("id = 1", name="single"),)


class SignInFailuresRow(Base):
    """Wrong passphrases counted per scope (one client, or everyone together)."""

    __tablename__ = "sign_in_failures"

    scope: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int]
    last_failure_at: Mapped[datetime]
    blocked_until: Mapped[datetime | None]


class PairingCodeRow(Base):
    """A one-time pairing code, kept as its SHA-256: it signs one browser in, once."""

    __tablename__ = "pairing_codes"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class HouseholdMemberRow(Base):
    """A person's own passphrase record (None: only the household's), and whether the others in
    the household may see their diary, journal and insights."""

    __tablename__ = "household_members"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    record: Mapped[dict[str, JsonValue] | None]
    shares_diary: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime]


# --- calendar feed links (not exported: a link is for one device's calendar, not a record) ---


class CalendarFeedRow(Base):
    """A person's calendar feed link, kept as its SHA-256; a new link replaces (revokes) it."""

    __tablename__ = "calendar_feeds"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
