"""The routine model: the pydantic classes a routine file is read into (:class:`Routine`, its
steps, actions, ranges, cues and phrases), with their field checks.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

FORMAT_VERSION = 1
MAX_FILE_BYTES = 1_000_000

ZONES = (
    "toes",
    "ball",
    "arch",
    "heel",
    "top",
    "ankle",
    "calf",
    "solar-plexus",
    "insomnia-point",
)
Zone = Literal[
    "toes", "ball", "arch", "heel", "top", "ankle", "calf", "solar-plexus", "insomnia-point"
]
ActionKind = Literal[
    "prepare",
    "stroke",
    "rotation",
    "circles",
    "thumb-walk",
    "traction",
    "squeeze-roll",
    "static-hold",
]
Pressure = Literal["light", "moderate", "firm"]
Who = Literal["both", "self", "partner"]


def _show_number(value: int) -> str:
    """A number as written, unless it is too long to show (or, past 4300 digits, to print at all)."""
    if abs(value) < 10**21:
        return str(value)
    return f"a number of about {int(value.bit_length() * 0.30103) + 1} digits"


def _bounded(lo: int, hi: int) -> AfterValidator:
    def check(value: int) -> int:
        if not lo <= value <= hi:
            raise PydanticCustomError(
                "out_of_range",
                "must be {lo}–{hi}, got {got}",
                {"lo": lo, "hi": hi, "got": _show_number(value)},
            )
        return value

    return AfterValidator(check)


Seconds = Annotated[int, _bounded(0, 3600)]
Id = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
_LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"
Language = Annotated[str, Field(pattern=_LANGUAGE_PATTERN)]
NonEmpty = Annotated[str, Field(min_length=1, max_length=2000)]
Text = dict[Language, NonEmpty]


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Range(_Model):
    """Bounds of a duration in seconds: ``min ≤ low ≤ high ≤ max``.

    ``low``–``high`` is the usual range: the guide's own when ``origin = "guide"``, solemate's choice
    when ``origin = "solemate"`` (the guide gives no figure). ``min`` and ``max`` are how far the
    planner may shorten or stretch the action to fit a session length.
    """

    min: Seconds
    low: Seconds
    high: Seconds
    max: Seconds
    origin: Literal["guide", "solemate"]

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.min <= self.low <= self.high <= self.max:
            raise PydanticCustomError(
                "range_order",
                "must satisfy min ≤ low ≤ high ≤ max, got {min} ≤ {low} ≤ {high} ≤ {max}",
                {"min": self.min, "low": self.low, "high": self.high, "max": self.max},
            )
        if self.min < 1:
            raise PydanticCustomError(
                "range_zero", "min must be at least 1 second: the planner never drops an action"
            )
        return self


class VoiceText(_Model):
    """The same instruction worded for massaging oneself and for massaging a partner."""

    self_: NonEmpty = Field(alias="self")
    partner: NonEmpty


class ActionCue(_Model):
    self_: NonEmpty = Field(alias="self")
    partner: NonEmpty
    pressure: NonEmpty | None = None
    self_no_calf: NonEmpty | None = None
    partner_no_calf: NonEmpty | None = None
    self_gentle: NonEmpty | None = None
    """Said instead of ``self`` when the safety screen asks for gentle pressure only."""
    partner_gentle: NonEmpty | None = None
    checkin: NonEmpty | None = None
    each: NonEmpty | None = None
    first: NonEmpty | None = None
    """Said instead of ``each`` at the first repetition of a set of several ("5 circles. One.")."""

    def for_pressure(self, gentle: bool) -> ActionCue:
        """This cue for tonight's pressure: with ``gentle``, its gentle wording in place of the
        usual one and no ``pressure`` advice (the planner says the routine's ``gentle_only``
        phrase instead), so no cue asks for deep or firm pressure while the screen asks for gentle.

        The calf-free wording (``self_no_calf``) still wins where the calf is left out: an action
        that reaches the calf is a stroke, worded without strong pressure in the first place.
        """
        if not gentle:
            return self
        return self.model_copy(
            update={
                "self_": self.self_gentle or self.self_,
                "partner": self.partner_gentle or self.partner,
                "pressure": None,
            }
        )


class RepeatSet(_Model):
    count: Annotated[int, _bounded(1, 100)]
    label: Text


class Repeat(_Model):
    """A counted action: after ``lead`` seconds of instruction, each repetition lasts ``seconds``,
    followed by ``rest`` seconds to let go and move on."""

    seconds: Range
    lead: Annotated[int, _bounded(0, 60)] = 5
    sets: Annotated[list[RepeatSet], Field(min_length=1, max_length=50)]
    rest: Annotated[int, _bounded(0, 60)] = 0
    countdown: bool = False
    fewest: Annotated[int, _bounded(1, 50)] | None = None
    """Where the guide says "several" (points along a ridge), the fewest sets a short session may
    keep; without it every set is always worked."""

    @cached_property
    def total(self) -> int:
        return sum(s.count for s in self.sets)

    @model_validator(mode="after")
    def _fewest_within_sets(self) -> Repeat:
        if self.fewest is not None and self.fewest > len(self.sets):
            raise PydanticCustomError(
                "fewest",
                "fewest ({fewest}) cannot be more than the {sets} sets",
                {"fewest": self.fewest, "sets": len(self.sets)},
            )
        return self


class Action(_Model):
    id: Id
    name: Text
    kind: ActionKind
    zones: Annotated[list[Zone], Field(min_length=1)]
    pressure: Pressure
    seconds: Range | None = None
    repeat: Repeat | None = None
    reaches_calf: bool = False
    breathe: bool = False
    cue: dict[Language, ActionCue]

    @model_validator(mode="after")
    def _one_timing(self) -> Action:
        if (self.seconds is None) == (self.repeat is None):
            raise PydanticCustomError(
                "timing",
                "needs exactly one of 'seconds' (a timed action) or 'repeat' (a counted one)",
            )
        return self


class Step(_Model):
    id: Id
    title: Text
    actions: Annotated[list[Action], Field(min_length=1, max_length=50)]


class PreparationItem(_Model):
    id: Id
    who: Who = "both"
    seconds: Range
    cue: dict[Language, VoiceText]


class Segue(_Model):
    """A spoken passage that is not a massage action: the opening, the towel wrap, the closing."""

    seconds: Range
    cue: dict[Language, VoiceText]


class ZoneInfo(_Model):
    name: Text
    where: Text
    tradition: Text | None = None


class Phrases(_Model):
    """Short phrases the planner assembles into cues, for one language."""

    your_left: NonEmpty
    your_right: NonEmpty
    their_left: NonEmpty
    their_right: NonEmpty
    left_foot: NonEmpty
    right_foot: NonEmpty
    step_intro: NonEmpty
    step_brief: NonEmpty | None = None
    """The step named by its number alone, for a brief second foot; ``step_intro`` without it."""
    countdown: Annotated[list[NonEmpty], Field(min_length=1, max_length=10)]
    release: NonEmpty
    breathe: NonEmpty
    checkin: NonEmpty
    gentle_only: NonEmpty
    opening_brief: NonEmpty | None = None
    """The opening in a brief session (the full opening without it)."""
    between_feet_brief: NonEmpty | None = None
    """The towel wrap in a brief session; may use ``{foot}`` and ``{other_foot}``."""
    closing_brief: NonEmpty | None = None
    """The closing in a brief session."""
    tradition: NonEmpty


class Timing(_Model):
    breathe_every: Annotated[int, _bounded(10, 600)] = 45
    countdown_from: Annotated[int, _bounded(0, 10)] = 3


class Routine(_Model):
    """A validated routine. Build one with :func:`load_routine` or :func:`parse_routine`."""

    format: Literal[1]
    id: Id
    version: Annotated[str, Field(min_length=1, max_length=40)]
    languages: Annotated[list[Language], Field(min_length=1)]
    title: Text
    source: Text
    evidence: Text
    timing: Timing = Timing()
    opening: Segue
    preparation: Annotated[list[PreparationItem], Field(max_length=50)] = []
    steps: Annotated[list[Step], Field(min_length=1, max_length=50)]
    between_feet: Segue
    closing: Segue
    zones: dict[Zone, ZoneInfo]
    phrases: dict[Language, Phrases]

    @cached_property
    def digest(self) -> str:
        """A short hash of the routine's content: the same routine gives the same digest anywhere."""
        canonical = json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def action(self, action_id: str) -> Action:
        for step in self.steps:
            for action in step.actions:
                if action.id == action_id:
                    return action
        raise KeyError(action_id)
