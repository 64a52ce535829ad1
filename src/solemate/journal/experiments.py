"""The personal experiment's storage: the plan, its seed and its whole allocation.

An experiment is written once, in one transaction, before its first night: the plan and every
night's arm together, so there is never a plan without its allocation or half an allocation.
Stopping it early records when and why, and keeps everything else; nothing here ever changes an
allocation. The statistics live in :mod:`solemate.insights.experiment`; this module only keeps
and returns what was planned.

These functions take the :class:`~solemate.journal.Journal` and use its sessions, so they share
its transactions, its clock and its rule that all SQL stays in this package.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from solemate.journal.reading import latest_experiment, running_experiment
from solemate.journal.records import JournalError, StoredExperiment
from solemate.journal.schema import Keyed
from solemate.journal.transfer import new_uid
from solemate.text import text_problem

if TYPE_CHECKING:
    from solemate.journal.service import Journal

__all__ = [
    "ExperimentNightRow",
    "ExperimentRow",
    "StoredExperiment",
    "experiments",
    "latest_experiment",
    "running_experiment",
    "start_experiment",
    "stop_experiment",
]


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


def start_experiment(
    journal: Journal,
    *,
    outcome: str,
    design: str,
    first_evening: date,
    seed: int,
    control: str,
    minimum: float,
    arms: Sequence[str],
    person: str | None = None,
) -> StoredExperiment:
    """Store a new experiment and its allocation, refusing one over a running experiment.

    The check and the write are one transaction (SQLite takes the write lock at its start), so
    two starts at once cannot both succeed.
    """
    if any(arm not in ("M", "C") for arm in arms) or not 2 <= len(arms) <= 3660:
        raise JournalError("must be 2 to 3660 nights, each 'M' or 'C'", field="arms")
    if not 0 <= seed < 2**64:
        raise JournalError("must be a whole number from 0 to 2^64 − 1", field="seed")
    if not 1900 <= first_evening.year <= 2200:
        raise JournalError(f"{first_evening} is not a plausible date", field="first_evening")
    with journal._writer.begin() as s:
        pid = journal._person_id(s, person)
        for row in _rows(s, pid):
            current = _record(s, journal, row)
            if current.running_on(first_evening):
                raise JournalError(
                    f"experiment {current.id} is still running (until the evening of "
                    f"{current.last_evening}); stop it first with 'solemate experiment stop'",
                    field="experiment",
                )
        row = ExperimentRow(
            uid=new_uid(),
            person_id=pid,
            outcome=outcome,
            design=design,
            nights=len(arms),
            first_evening=first_evening,
            seed=str(seed),
            control=control,
            minimum=float(minimum),
            created_at=journal._now(),
            stopped_at=None,
            stop_reason=None,
        )
        s.add(row)
        s.flush()
        s.add_all(
            ExperimentNightRow(
                uid=new_uid(),
                experiment_id=row.id,
                night=index,
                evening=first_evening + timedelta(days=index),
                arm=arm,
            )
            for index, arm in enumerate(arms)
        )
        s.flush()
        return _record(s, journal, row)


def stop_experiment(
    journal: Journal, experiment_id: int, reason: str = "", *, stopped_at: datetime | None = None
) -> StoredExperiment:
    """Record that an experiment stopped early, and why; its nights and allocation stay."""
    if len(reason) > 2000:
        raise JournalError("must be at most 2000 characters", field="reason")
    problem = text_problem(reason, multiline=True)
    if problem is not None:
        raise JournalError(problem, field="reason")
    with journal._writer.begin() as s:
        row = s.get(ExperimentRow, experiment_id)
        if row is None:
            raise JournalError(f"no experiment with id {experiment_id}", field="id")
        if row.stopped_at is not None:
            raise JournalError(f"experiment {experiment_id} was already stopped", field="id")
        row.stopped_at = stopped_at or journal._now()
        row.stop_reason = reason.strip() or None
        s.flush()
        return _record(s, journal, row)


def experiments(journal: Journal, *, person: str | None = None) -> list[StoredExperiment]:
    """A person's experiments, oldest first."""
    with journal._reader() as s:
        pid = journal._existing_person_id(s, person)
        if pid is None:
            return []
        return [_record(s, journal, row) for row in _rows(s, pid)]


def _rows(s: Session, person_id: int) -> Sequence[ExperimentRow]:
    query = (
        select(ExperimentRow)
        .where(ExperimentRow.person_id == person_id)
        .order_by(ExperimentRow.created_at, ExperimentRow.id)
    )
    return s.scalars(query).all()


def _record(s: Session, journal: Journal, row: ExperimentRow) -> StoredExperiment:
    nights = s.scalars(
        select(ExperimentNightRow)
        .where(ExperimentNightRow.experiment_id == row.id)
        .order_by(ExperimentNightRow.night)
    ).all()
    return StoredExperiment(
        id=row.id,
        uid=row.uid,
        person=journal._names(s)[row.person_id],
        outcome=row.outcome,
        design=row.design,
        nights=row.nights,
        first_evening=row.first_evening,
        seed=int(row.seed),
        control=row.control,
        minimum=row.minimum,
        arms=tuple(n.arm for n in nights),
        created_at=row.created_at,
        stopped_at=row.stopped_at,
        stop_reason=row.stop_reason,
    )
