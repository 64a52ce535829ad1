"""What a plan is asked for and how it refuses: :class:`PlanOptions`, :class:`PlanError` and
its :class:`Alternative` lengths, and the constants of the fitting rule (the room kept for speech,
chimes and holds; :func:`speech_seconds`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

from solemate.safety import SafetyChanges
from solemate.timeline import Foot

Voice = Literal["self", "partner"]
FeetChoice = Literal["both", "left", "right"]
Preset = Literal["nightly", "full"]
Wording = Literal["full", "brief"]
Counts = Literal["voice", "ticks"]
WORDINGS: tuple[Wording, ...] = ("full", "brief")
COUNTS: tuple[Counts, ...] = ("voice", "ticks")


@dataclass(frozen=True)
class Choice:
    """A plan option chosen by name: its names (the default first) and what to say about it."""

    values: tuple[str, ...]
    help: str
    """The terminal's --help line."""
    about: str | None = None
    """The API's description of the field, where it has one."""

    @property
    def default(self) -> str:
        return self.values[0]


CHOICES: dict[str, Choice] = {
    "first_foot": Choice(("left", "right"), "Which foot comes first."),
    "feet": Choice(("both", "left", "right"), "Massage both feet or only one."),
    "wording": Choice(
        WORDINGS,
        "full: explain each part; brief: name it, give counts and holds, stay quiet otherwise.",
        "`full` explains each part; `brief` names it, gives counts and holds.",
    ),
    "counts": Choice(
        COUNTS,
        "voice: say each count; ticks: a soft tick instead.",
        "`voice` says each count; `ticks` ticks it softly.",
    ),
}
"""The plan options chosen by name, by their PlanOptions field: the terminal's --first-foot,
--foot, --wording and --counts and the web's ``first_foot``, ``feet``, ``wording`` and ``counts``
are built from these."""

FLAG_HELP: dict[str, str] = {
    "minutes": "Session length in minutes.",
    "nightly": "The nightly ritual: 12 minutes (the default).",
    "full": "The guide's longest durations on every step.",
    "partner": "Word the cues for massaging a partner.",
    "preparation": "Speak the preparation checklist first.",
    "gentle": "Gentle pressure only (as the safety screen may advise).",
    "skip_calf": "Strokes stop at the ankle (e.g. varicose veins).",
}
"""The --help line of each plan option given as a number or a yes/no flag."""

ABOUT: dict[str, str] = {
    "minutes": "Session length in minutes (12 is the nightly session; the guide speaks of 10–15).",
    "preset": "`nightly` (12 min) or `full` (the guide's longest).",
}
"""The API's description of the length fields (the web takes ``minutes`` or a ``preset``)."""

NIGHTLY_SECONDS = 12 * 60
MAX_TARGET_SECONDS = 4 * 60 * 60

SPEECH_RATE = 145
"""Words a minute of the default offline voice, the rate the plan leaves room for unless told."""
MIN_SPEECH_RATE, MAX_SPEECH_RATE = 80, 450

SPEECH_PAUSE = 0.2
"""Seconds of quiet kept after a cue before the next one is due."""

CHIME_ROOM = 2
"""Seconds at the start of a new step (or foot) kept for its chime before the instruction."""

END_ROOM = 4
"""Seconds kept after the closing words for the closing chime."""

HOLD_QUIET = 5
TICK_SECONDS = 0.3
"""How long a soft tick lasts, for the quiet that follows it."""
"""Seconds of quiet in every hold after its words (the guide: hold each point five to ten seconds)."""

WORDS_SHARE = 0.65
"""A part is explained only while its explanation takes at most this much of its share of the
session: a ritual with quiet hands-on time, not a lecture (a 12-minute session is under half voice)."""

MIN_SCALE = 0.7
"""Parts go over to their shortest form while the others would keep less than this share."""

SHARE_CAP = 1.5
"""A part is explained, and keeps all its points, while its least length is at most this many times
its proportional share of the session; every share then stays within 0.6–1.6× of the full routine's."""

FITTING_RULE = """\
How a session is fitted to its length: every part keeps its share of the full routine (the long
strokes, the heel, the solar plexus and the insomnia point keep their weight); only the pace moves
in counted parts, never a count the guide fixes; where the guide says "several" points, a short
session works fewer, spread along the ridge; every hold keeps at least 5 seconds of quiet after its
words; a part that has no room to be explained is only named (the screen shows it in full)."""
"""The rule in a person's words, for ``solemate routine show``."""

_SPEECH_MARKS = ".,;:!?…—"


def speech_seconds(text: str, rate: int = SPEECH_RATE) -> float:
    """About how long the default offline voice takes to say ``text`` at ``rate`` words a minute,
    erring long.

    A line fitted above the measured lengths of every cue the built-in routine can say, in every
    voice, option and length tier (138 phrases, from "two" at 0.46 s to a 52-word preparation at
    20.7 s): 0.06 s a character plus 0.45 s for each pause mark, plus 0.6 s. No measured phrase is
    longer than this estimate (the closest comes within 0.04 s).

    >>> round(speech_seconds("And release."), 2)
    1.77
    """
    marks = sum(text.count(mark) for mark in _SPEECH_MARKS)
    return (0.06 * len(text) + 0.45 * marks + 0.6) * SPEECH_RATE / rate


def room_to_say(text: str, rate: int = SPEECH_RATE) -> int:
    """Whole seconds to keep free for ``text``: its spoken length and a short pause after it.

    >>> room_to_say("And release.")
    3
    """
    return math.ceil(speech_seconds(text, rate) + SPEECH_PAUSE)


@dataclass(frozen=True)
class PlanOptions:
    """How to plan a session. Give ``minutes`` or a ``preset`` (``nightly`` when neither is given)."""

    minutes: float | None = None
    preset: Preset | None = None
    feet: FeetChoice = "both"
    first_foot: Foot = "left"
    voice: Voice = "self"
    preparation: bool = False
    language: str = "en"
    safety: SafetyChanges = field(default_factory=SafetyChanges)
    speech_rate: int = SPEECH_RATE
    """The voice's words a minute: a slower voice gets more room for its words."""
    wording: Wording = "full"
    """``full`` explains every part; ``brief`` names it, gives counts and holds, and stays quiet."""
    counts: Counts = "voice"
    """``voice`` says each count; ``ticks`` marks it with a soft tick (a ``tick`` cue, not said)."""

    def __post_init__(self) -> None:
        if self.wording not in WORDINGS:
            raise ValueError(f"wording must be one of {', '.join(WORDINGS)}, got {self.wording!r}")
        if self.counts not in COUNTS:
            raise ValueError(f"counts must be one of {', '.join(COUNTS)}, got {self.counts!r}")
        if not MIN_SPEECH_RATE <= self.speech_rate <= MAX_SPEECH_RATE:
            raise ValueError(
                f"speech rate must be {MIN_SPEECH_RATE}–{MAX_SPEECH_RATE} words a minute, "
                f"got {self.speech_rate}"
            )
        if self.minutes is not None and self.preset is not None:
            raise ValueError("give either minutes or a preset, not both")
        if self.minutes is not None and not (
            math.isfinite(self.minutes) and 0 < self.minutes * 60 <= MAX_TARGET_SECONDS
        ):
            raise ValueError(
                f"minutes must be above 0 and at most {MAX_TARGET_SECONDS // 60}, got {self.minutes}"
            )

    @property
    def foot_order(self) -> tuple[Foot, ...]:
        if self.feet != "both":
            return (self.feet,)
        return ("left", "right") if self.first_foot == "left" else ("right", "left")

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Alternative:
    """Other options that would fit a length the asked-for options cannot."""

    description: str
    shortest: int
    longest: int
    options: PlanOptions


class PlanError(ValueError):
    """The target cannot be met; says the feasible range and which other options would fit."""

    def __init__(
        self, message: str, shortest: int, longest: int, alternatives: Sequence[Alternative]
    ):
        self.shortest = shortest
        self.longest = longest
        self.alternatives = tuple(alternatives)
        super().__init__(message)
