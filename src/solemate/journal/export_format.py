"""The export format: its name, version, sections and one pydantic model per section.

A row of the export names itself and the rows it refers to by ``uid``; ``transfer.py`` writes and
reads these models. Checks shared with new entries (a session's state, a device night) live in
``checks.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StringConstraints,
    model_validator,
)

from solemate.journal.checks import session_state_problem

__all__ = [
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "SECTIONS",
    "ControlActivityOut",
    "DeviceNightOut",
    "DiaryOut",
    "ExportRow",
    "NapOut",
    "NoteOut",
    "PersonOut",
    "RatingOut",
    "SafetyScreenOut",
    "SessionOut",
]

EXPORT_FORMAT = "solemate-journal"
EXPORT_VERSION = 1

Uid = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Short = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Rating0to10 = Annotated[int, Field(ge=0, le=10)]
Minutes = Annotated[float, Field(ge=0, le=24 * 60)]


class ExportRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Uid


class PersonOut(ExportRow):
    name: Name
    created_at: AwareDatetime


class SafetyScreenOut(ExportRow):
    person: Uid
    screened_on: date
    answers: dict[str, JsonValue]
    level: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    reasons: list[str]
    created_at: AwareDatetime


class SessionOut(ExportRow):
    routine_id: Short
    routine_version: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    plan_options: dict[str, JsonValue]
    planned_seconds: Annotated[int, Field(ge=0)]
    status: Literal["planned", "in_progress", "completed", "skipped", "interrupted"]
    created_at: AwareDatetime
    started_at: AwareDatetime | None
    ended_at: AwareDatetime | None
    foot: Annotated[str, StringConstraints(min_length=1, max_length=20)] | None
    step_index: Annotated[int, Field(ge=0)] | None
    step_id: Short | None
    progress_at: AwareDatetime | None
    giver: Uid
    receiver: Uid
    played_seconds: Annotated[float, Field(ge=0, le=24 * 3600, allow_inf_nan=False)] | None = None
    """Absent in exports from before it was kept: unknown."""

    @model_validator(mode="after")
    def _consistent(self) -> SessionOut:
        problem = session_state_problem(self.status, self.started_at, self.ended_at)
        if problem:
            raise ValueError(problem)
        return self


class RatingOut(ExportRow):
    session: Uid | None
    person: Uid
    moment: Literal["before", "after"]
    stress: Rating0to10
    relaxation: Rating0to10 | None
    rated_at: AwareDatetime


class DiaryOut(ExportRow):
    person: Uid
    wake_date: date
    zone: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    into_bed: AwareDatetime
    tried_to_sleep: AwareDatetime
    sol_min: int
    awakenings: int
    waso_min: int
    final_awakening: AwareDatetime
    out_of_bed: AwareDatetime
    quality: int
    comments: str
    tib_min: int | None = None
    tst_min: int | None = None
    se_pct: float | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime


class DeviceNightOut(ExportRow):
    person: Uid
    source: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    device: Annotated[str, StringConstraints(max_length=200)]
    wake_date: date
    bed_start: AwareDatetime
    bed_end: AwareDatetime
    zone: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None
    tib_min: Minutes
    tst_min: Minutes | None
    sol_min: Minutes | None
    se_pct: Annotated[float, Field(ge=0, le=100)] | None
    is_nap: bool
    imported_at: AwareDatetime


class ControlActivityOut(ExportRow):
    person: Uid
    on_date: date
    activity: Short
    minutes: Annotated[int, Field(ge=1, le=600)]
    created_at: AwareDatetime


class NapOut(ExportRow):
    person: Uid
    on_date: date
    zone: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    start: AwareDatetime
    end: AwareDatetime
    minutes: Annotated[int, Field(ge=1, le=24 * 60)]
    created_at: AwareDatetime


class NoteOut(ExportRow):
    person: Uid
    session: Uid | None
    written_at: AwareDatetime
    text: Annotated[str, StringConstraints(min_length=1, max_length=10_000)]


#: The export's sections in dependency order (a row only refers to rows of earlier sections).
SECTIONS: tuple[str, ...] = (
    "people",
    "safety_screens",
    "sessions",
    "ratings",
    "diary",
    "device_nights",
    "control_activities",
    "notes",
    "naps",
)
