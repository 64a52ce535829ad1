"""The experiment's records: a stored experiment (its plan, allocation and stop) and a control
evening's activity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

__all__ = ["ControlActivity", "ExperimentPhase", "StoredExperiment"]

ExperimentPhase = Literal["upcoming", "running", "finished", "stopped"]
"""Where an experiment stands on an evening (:meth:`StoredExperiment.phase`)."""


@dataclass(frozen=True)
class ControlActivity:
    """What a person did instead of the massage on an experiment's control evening."""

    id: int
    uid: str
    person: str
    on_date: date
    activity: str
    minutes: int
    created_at: datetime


@dataclass(frozen=True)
class StoredExperiment:
    """An experiment as stored: the plan, the allocation in night order, and whether it stopped."""

    id: int
    uid: str
    person: str
    outcome: str
    design: str
    nights: int
    first_evening: date
    seed: int
    control: str
    minimum: float
    arms: tuple[str, ...]
    created_at: datetime
    stopped_at: datetime | None
    stop_reason: str | None

    @property
    def last_evening(self) -> date:
        return self.first_evening + timedelta(days=self.nights - 1)

    def running_on(self, evening: date) -> bool:
        """Not stopped, and ``evening`` is not after its last night."""
        return self.stopped_at is None and evening <= self.last_evening

    def phase(self, evening: date) -> ExperimentPhase:
        """Stopped (early, for good, even before its first night), else upcoming before its first
        evening, running up to its last night, finished after it."""
        if self.stopped_at is not None:
            return "stopped"
        if evening < self.first_evening:
            return "upcoming"
        return "running" if evening <= self.last_evening else "finished"
