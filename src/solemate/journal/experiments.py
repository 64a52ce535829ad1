"""The personal experiment's storage: the plan, its seed and its whole allocation.

An experiment is written once, in one transaction, before its first night: the plan and every
night's arm together, so there is never a plan without its allocation or half an allocation.
Stopping it early records when and why, and keeps everything else; nothing here ever changes an
allocation. The statistics live in :mod:`solemate.insights.experiment`; this module only keeps
and returns what was planned.

The tables are in ``schema.py``. These functions take the :class:`~solemate.journal.Journal` and
use only its small public surface (``writing()``, ``reading()``, ``now()``) and ``people.py``, so
they share its transactions, its clock and its rule that all SQL stays in this package.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from solemate.journal.experiment_records import StoredExperiment
from solemate.journal.people import existing_person_id, names, person_id
from solemate.journal.reading import latest_experiment, running_experiment
from solemate.journal.records import JournalError
from solemate.journal.schema import ExperimentNightRow, ExperimentRow, new_uid
from solemate.text import text_problem

if TYPE_CHECKING:
    from solemate.journal.core import JournalCore as Journal

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
    with journal.writing() as s:
        pid = person_id(s, journal.whose(person), journal.now)
        for row in _rows(s, pid):
            current = _record(s, row)
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
            created_at=journal.now(),
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
        return _record(s, row)


def stop_experiment(
    journal: Journal, experiment_id: int, reason: str = "", *, stopped_at: datetime | None = None
) -> StoredExperiment:
    """Record that an experiment stopped early, and why; its nights and allocation stay."""
    if len(reason) > 2000:
        raise JournalError("must be at most 2000 characters", field="reason")
    problem = text_problem(reason, multiline=True)
    if problem is not None:
        raise JournalError(problem, field="reason")
    with journal.writing() as s:
        row = s.get(ExperimentRow, experiment_id)
        if row is None:
            raise JournalError(f"no experiment with id {experiment_id}", field="id")
        if row.stopped_at is not None:
            raise JournalError(f"experiment {experiment_id} was already stopped", field="id")
        row.stopped_at = stopped_at or journal.now()
        row.stop_reason = reason.strip() or None
        s.flush()
        return _record(s, row)


def experiments(journal: Journal, *, person: str | None = None) -> list[StoredExperiment]:
    """A person's experiments, oldest first."""
    with journal.reading() as s:
        pid = existing_person_id(s, journal.whose(person))
        if pid is None:
            return []
        return [_record(s, row) for row in _rows(s, pid)]


def _rows(s: Session, person_id: int) -> Sequence[ExperimentRow]:
    query = (
        select(ExperimentRow)
        .where(ExperimentRow.person_id == person_id)
        .order_by(ExperimentRow.created_at, ExperimentRow.id)
    )
    return s.scalars(query).all()


def _record(s: Session, row: ExperimentRow) -> StoredExperiment:
    nights = s.scalars(
        select(ExperimentNightRow)
        .where(ExperimentNightRow.experiment_id == row.id)
        .order_by(ExperimentNightRow.night)
    ).all()
    return StoredExperiment(
        id=row.id,
        uid=row.uid,
        person=names(s)[row.person_id],
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
