"""The shapes of the API's requests and answers (they are also its OpenAPI schema).

Every request model forbids unknown fields and takes numbers and yes/no answers strictly, so a
client's mistake ("5" for 5, "yes" for true, a misspelt field) is reported by name instead of
being guessed at. Range checks that belong to the journal or the diary stay there; these models
only make sure each value has the right type and a sane size before it reaches them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationInfo,
    create_model,
    field_validator,
)

from solemate.diary import check_year
from solemate.plan import ABOUT, CHOICES, Counts, Preset, Voice, Wording
from solemate.plan import FeetChoice as Feet
from solemate.safety import QUESTIONS, TONIGHT_QUESTIONS
from solemate.text import text_problem
from solemate.timeline import Foot

Minutes = Annotated[float, Field(gt=0, le=240, allow_inf_nan=False)]
Score = Annotated[StrictInt, Field(ge=0, le=10)]


#: Fields whose text may span lines (a tab or a line break allowed); see :mod:`solemate.text`.
MULTILINE_FIELDS = frozenset({"comments"})


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _storable_text(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            problem = text_problem(value, multiline=info.field_name in MULTILINE_FIELDS)
            if problem is not None:
                raise ValueError(problem)
        return value


def _default(name: str) -> Any:
    """The default of a plan option chosen by name, as the plan's table gives it."""
    return CHOICES[name].default


class _OneLength(_In):
    minutes: Minutes | None = Field(None, description=ABOUT["minutes"])
    preset: Preset | None = Field(None, description=ABOUT["preset"])

    @field_validator("preset")
    @classmethod
    def _not_both(cls, preset: str | None, info: ValidationInfo) -> str | None:
        if preset is not None and info.data.get("minutes") is not None:
            raise ValueError("give minutes or preset, not both")
        return preset


class PlanQuery(_OneLength):
    """The plan's options, as query parameters of ``GET /api/plan``."""

    voice: Voice = "self"
    first_foot: Foot = _default("first_foot")
    feet: Feet = _default("feet")
    preparation: bool = False
    gentle: bool = False
    skip_calf: bool = False
    wording: Wording = Field(_default("wording"), description=CHOICES["wording"].about)
    counts: Counts = Field(_default("counts"), description=CHOICES["counts"].about)


class PrintQuery(PlanQuery):
    """The Print page's query: the plan's options, or the page's own ``length`` choice."""

    length: str | None = Field(
        None, max_length=20, description="Minutes (10–15) or `full`, as the page's form sends it."
    )


class SessionIn(_OneLength):
    """Start tonight's session: the plan's options and the before-stress rating (optional)."""

    voice: Voice = "self"
    first_foot: Foot = _default("first_foot")
    feet: Feet = _default("feet")
    preparation: StrictBool = False
    wording: Wording | None = Field(
        None,
        description="`full` or `brief`; null: full at first, brief after five completed sessions.",
    )
    counts: Counts = Field(_default("counts"), description=CHOICES["counts"].about)
    before_stress: Score | None = Field(
        None, description="How stressed right now, 0–10; null skips."
    )
    receiver: str | None = Field(
        None,
        max_length=40,
        description="Who is massaged, by name, when it is another person of the journal (with "
        "`voice` `partner`); null: the person here. The giver is the person here.",
    )


# Strict: a number, never a string or a yes/no that happens to convert.
PlayedSeconds = Annotated[
    float,
    Strict(),
    Field(
        ge=0,
        le=86_400,
        allow_inf_nan=False,
        description="Seconds of the session actually played so far: not paused, not skipped.",
    ),
]


class ProgressIn(_In):
    segment: Annotated[
        StrictInt, Field(ge=0, le=10_000, description="Index of the segment reached.")
    ]
    played_seconds: PlayedSeconds | None = None


class FinishIn(_In):
    status: Literal["completed", "interrupted"] = Field(
        "completed",
        description="`completed`: the player reached the end; `interrupted`: stopped early. "
        "The server records a session that reached its end with under 80 % of its planned "
        "time played as `skipped`.",
    )
    played_seconds: PlayedSeconds | None = None


class RatingIn(_In):
    moment: Literal["before", "after"]
    stress: Score
    relaxation: Score | None = None


# One field per safety question, named by its id ("calf-clot"), each a strict yes/no.
_question_fields: dict[str, Any] = {
    q.id.replace("-", "_"): (StrictBool, Field(..., alias=q.id, description=q.self_text))
    for q in QUESTIONS
}
SafetyAnswers = create_model(
    "SafetyAnswers",
    __config__=ConfigDict(extra="forbid", populate_by_name=False),
    **_question_fields,
)


class SafetyIn(_In):
    answers: SafetyAnswers

    def as_dict(self) -> dict[str, bool]:
        return {q.id: bool(getattr(self.answers, q.id.replace("-", "_"))) for q in QUESTIONS}


TonightId = Literal["calf-clot", "foot-skin", "gout", "recent-injury", "fever"]
"""The ids of :data:`~solemate.safety.TONIGHT_QUESTIONS` (a test keeps the two the same)."""


class TonightIn(_In):
    """Tonight's short check: what is new tonight; an empty list is "nothing new"."""

    new: Annotated[list[TonightId], Field(max_length=len(TONIGHT_QUESTIONS))] = Field(
        ..., description="Ids of the conditions that are new tonight; [] for nothing new."
    )


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date_text(value: Any) -> Any:
    """Only ``YYYY-MM-DD``: pydantic would read ``0`` or ``-1.19e-07`` as 1970-01-01."""
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("give a date as YYYY-MM-DD")


def _plausible(value: dt.date) -> dt.date:
    return check_year(value)


#: A date in the API: ISO text only, in the years the diary can hold.
IsoDate = Annotated[dt.date, BeforeValidator(_date_text), AfterValidator(_plausible)]
#: A diary time as text, read by the diary itself (as the terminal's answers are).
WallTime = Annotated[
    StrictStr,
    Field(
        max_length=40,
        description="23:05, 0705, 2024-11-01T23:05, 01:45+1 (second pass of a repeated hour) "
        "or 2024-11-03T01:45-05:00",
    ),
]

#: A diary number: a JSON number, or the text the terminal would accept ("15").
DiaryNumber = StrictInt | Annotated[StrictStr, Field(max_length=12)]


class SleepIn(_In):
    """A morning's diary answers. Times are local wall times (``23:05``), or a local date and time
    (``2024-11-01T23:05``) when the date must be explicit; in a repeated hour add ``+0`` or ``+1``
    (first or second pass) or the UTC offset. The same answers the terminal accepts."""

    wake_date: IsoDate
    zone: Annotated[
        str, Field(min_length=1, max_length=64, description="IANA time zone, e.g. Europe/Berlin")
    ]
    into_bed: WallTime
    tried_to_sleep: WallTime
    sol_min: DiaryNumber
    awakenings: DiaryNumber
    waso_min: DiaryNumber
    final_awakening: WallTime
    out_of_bed: WallTime
    quality: Annotated[DiaryNumber, Field(description="1 very poor … 5 very good")]
    comments: Annotated[str, Field(max_length=2000)] = ""


# --- answers ---------------------------------------------------------------------------------------


class Problem(BaseModel):
    detail: str
    field: str | None = None


class VerdictOut(BaseModel):
    level: str
    summary: str
    reasons: list[str]
    advice: list[str]
    gentle_only: bool
    skip_calf: bool
    patch_test: bool


class QuestionOut(BaseModel):
    id: str
    self: str
    partner: str
    effect: str


class TonightQuestionOut(BaseModel):
    id: str
    text: str


class SafetyOut(BaseModel):
    questions: list[QuestionOut]
    needs_screen: bool
    why: str
    screened_on: dt.date | None
    answers: dict[str, bool]
    verdict: VerdictOut | None
    tonight_prompt: str
    tonight_questions: list[TonightQuestionOut]
    checked_tonight: bool = Field(description="Tonight's short check is answered.")
    new_tonight: list[str]
    check_clinician: bool = Field(description="An answer asks for a clinician's word first.")
    needs_confirm: bool = Field(description="...and the person has not yet confirmed it.")
    confirmed_on: dt.date | None
    may_start: bool
    refusal: str | None = Field(description="Why the player may not start tonight, or null.")


class SessionOut(BaseModel):
    id: int
    status: str
    routine_id: str
    routine_version: str
    planned_seconds: int
    played_seconds: float | None = Field(
        description="Seconds actually played (not paused, not skipped); null: unknown."
    )
    created_at: dt.datetime
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    foot: str | None
    step: int | None
    step_id: str | None
    progress_at: dt.datetime | None
    options: dict[str, Any]
    before_stress: int | None
    after_stress: int | None
    giver: str | None = Field(None, description="Who massaged (the receiver: self-massage).")
    receiver: str | None = Field(None, description="Whose feet; the stress ratings are theirs.")


class TrackOut(BaseModel):
    url: str = Field(description="GET: the track (audio/mpeg, range requests); 409 until ready.")
    status_url: str = Field(description="GET: where its rendering stands.")
    state: Literal["ready", "rendering", "failed"]
    detail: str = ""


class SessionDetail(BaseModel):
    session: SessionOut
    timeline: dict[str, Any] | None = Field(description="The Timeline (docs/timeline-format.md).")
    audio: dict[str, str] = Field(
        default_factory=dict,
        description="Cue text → digest for GET /api/speech/{digest}.{ogg|wav}.",
    )
    track: TrackOut | None = Field(
        default=None,
        description="The whole session as one audio file, rendered by the server (GET its url).",
    )
    zones: dict[str, str] = Field(default_factory=dict, description="Zone id → display name.")
    evidence: str = ""
    note: str | None = None


class ProgressOut(BaseModel):
    id: int
    status: str
    recorded: bool
    foot: str | None
    step: int | None


class RatingOut(BaseModel):
    id: int
    session_id: int | None
    moment: str
    stress: int
    relaxation: int | None
    rated_at: dt.datetime


class NapIn(_In):
    """A daytime nap: its day and zone, and the two times as the diary reads them (``14:20``)."""

    on_date: IsoDate
    zone: Annotated[
        str, Field(min_length=1, max_length=64, description="IANA time zone, e.g. Europe/Berlin")
    ]
    start: WallTime
    end: WallTime


class NapOut(BaseModel):
    id: int
    on_date: dt.date
    zone: str
    start: dt.datetime
    end: dt.datetime
    minutes: int


class SleepOut(BaseModel):
    id: int
    wake_date: dt.date
    zone: str
    into_bed: dt.datetime
    tried_to_sleep: dt.datetime
    sol_min: int
    awakenings: int
    waso_min: int
    final_awakening: dt.datetime
    out_of_bed: dt.datetime
    quality: int
    quality_label: str
    comments: str
    tib_min: int
    tst_min: int
    se_pct: float


class SleepDefaults(BaseModel):
    """The answers a morning starts from: the last night's, or none at all (``null``) on the
    first morning, with a hint for each question."""

    wake_date: dt.date
    into_bed: str | None
    tried_to_sleep: str | None
    sol_min: int | None
    awakenings: int | None
    waso_min: int | None
    final_awakening: str | None
    out_of_bed: str | None
    quality: int | None
    hints: dict[str, str]
    from_date: dt.date | None = Field(description="The entry the defaults come from, if any.")


class ImportOut(BaseModel):
    added: dict[str, int]
    unchanged: dict[str, int]
    skipped: list[str]


class CsrfOut(BaseModel):
    token: str
    header: str = "X-CSRF-Token"
