"""Whether tonight's session may go ahead, and how: one rule for every path that plays or writes one.

The terminal guide, the web player, ``solemate render`` and the print sheet all ask
:func:`prepare`, so none of them can drift from the others (the pure rules are in
:mod:`solemate.safety`):

- no current screen (none yet, older than :data:`SCREEN_VALID_DAYS`, or the questions changed):
  nothing is played or written;
- a "do not massage" answer, on the screen or in tonight's check: refused, with the reason;
- gentle pressure and strokes that leave out the calf are added to the plan on every path;
- the paths that play a session now (:data:`PLAYING`) also need tonight's short check
  ("Anything new tonight?") and, when an answer asks for a clinician's word first, the person's
  confirmation that they have had it. A rendered track or a printed sheet is made ahead of time:
  it follows the screen, and a "do not massage" from tonight's check when one was answered today.

Storage uses the journal's safety screens, so nothing new is kept anywhere else. A full screen is a
row with a yes or no for every question. Tonight's check is a row dated tonight whose answers hold
``"check": "tonight"`` and a yes or no for each of :data:`~solemate.safety.TONIGHT_QUESTIONS`. A
clinician's word is a copy of the full screen, with its date, that adds
``"clinician-confirmed": "<date>"``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from solemate.safety import (
    QUESTIONS,
    TONIGHT_PROMPT,
    AnswerError,
    Verdict,
    check_tonight,
    merge_changes,
    screen,
    screen_tonight,
)

if TYPE_CHECKING:
    from solemate.journal import Journal, SafetyScreen
    from solemate.plan import PlanOptions

__all__ = [
    "CONFIRM_QUESTION",
    "PLAYING",
    "SCREEN_VALID_DAYS",
    "Path",
    "SafetyRefused",
    "SafetyState",
    "confirm_clinician",
    "prepare",
    "record_screen",
    "record_tonight",
    "safety_state",
]

SCREEN_VALID_DAYS = 90
"""How long a full screen counts before it is asked again."""

Path = Literal["guide", "player", "render", "print"]
PLAYING: frozenset[Path] = frozenset({"guide", "player"})
"""The paths that play a session now, so ask tonight's check and a clinician's word first."""

CONFIRM_QUESTION = "Have you checked with a clinician that foot massage is right for you?"
TONIGHT_NEEDED = f"{TONIGHT_PROMPT} Answer tonight's short check before the session."
CONFIRM_NEEDED = (
    "Your answers ask you to check with a clinician first: "
    "confirm that you have before the first session."
)

_CHECK = "check"
_TONIGHT = "tonight"
_CONFIRMED = "clinician-confirmed"


class SafetyRefused(Exception):
    """No session on this path tonight: ``message`` says why, in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SafetyState:
    """The screen that applies now, tonight's check and the verdict they give together."""

    verdict: Verdict | None
    """The screen's verdict with tonight's new conditions added; None without a usable screen."""
    screened_on: dt.date | None
    answers: dict[str, bool]
    needs_screen: bool
    why: str
    checked_tonight: bool = False
    new_tonight: tuple[str, ...] = ()
    confirmed_on: dt.date | None = None

    @property
    def needs_confirm(self) -> bool:
        """An answer asks for a clinician's word, and the person has not yet confirmed it."""
        return (
            self.verdict is not None
            and self.verdict.check_clinician_first
            and self.confirmed_on is None
        )

    def refusal(self, path: Path) -> str | None:
        """Why ``path`` may not go ahead tonight, or None when it may."""
        if self.verdict is None or self.needs_screen:
            return self.why
        if not self.verdict.may_massage:
            return self.verdict.summary()
        if path in PLAYING:
            if not self.checked_tonight:
                return TONIGHT_NEEDED
            if self.needs_confirm:
                return CONFIRM_NEEDED
        return None

    @property
    def may_start(self) -> bool:
        return self.refusal("player") is None


def _is_tonight(row: SafetyScreen) -> bool:
    return row.answers.get(_CHECK) == _TONIGHT


def _bools(answers: Mapping[str, object]) -> dict[str, bool]:
    return {k: v for k, v in answers.items() if isinstance(v, bool)}


#: How many of the newest screens are read first: the latest full screen is nearly always among
#: them (a check a night for the 90 days a screen counts). Reading every screen ever kept, each
#: request grew slower and larger as the journal aged.
_RECENT = 128


def _latest_full(journal: Journal) -> tuple[list[SafetyScreen], SafetyScreen | None]:
    """The newest screens (oldest first; all of them when no full screen is among the newest) and
    the latest full screen, if any."""
    rows = journal.safety_screens(last=_RECENT)
    full = next((r for r in reversed(rows) if not _is_tonight(r)), None)
    if full is None and len(rows) == _RECENT:
        rows = journal.safety_screens()
        full = next((r for r in reversed(rows) if not _is_tonight(r)), None)
    return rows, full


def safety_state(journal: Journal, today: dt.date) -> SafetyState:
    """The latest full screen, tonight's check when answered today, and what they allow."""
    rows, full = _latest_full(journal)
    if full is None:
        return SafetyState(
            None, None, {}, True, "Answer the safety questions before the first massage."
        )
    answers = _bools(full.answers)
    tonight = next((r for r in reversed(rows) if _is_tonight(r) and r.screened_on == today), None)
    new = tuple(k for k, v in _bools(tonight.answers).items() if v) if tonight else ()
    confirmed = full.answers.get(_CONFIRMED)
    confirmed_on = dt.date.fromisoformat(confirmed) if isinstance(confirmed, str) else None
    try:
        screen(answers)
        verdict = screen_tonight(answers, new)
    except AnswerError:
        return SafetyState(
            None,
            full.screened_on,
            answers,
            True,
            "The safety questions have changed since you last answered them.",
        )
    stale = (today - full.screened_on).days > SCREEN_VALID_DAYS
    return SafetyState(
        verdict,
        full.screened_on,
        answers,
        needs_screen=stale,
        why=f"Your last safety check was on {full.screened_on}; please answer again."
        if stale
        else "",
        checked_tonight=tonight is not None,
        new_tonight=new,
        confirmed_on=confirmed_on,
    )


def record_screen(journal: Journal, today: dt.date, answers: Mapping[str, bool]) -> Verdict:
    """Judge a full screen's answers and keep them (AnswerError when any is missing or not yes/no)."""
    verdict = screen(answers)
    journal.record_screen(today, dict(answers), verdict.level.value, verdict.reasons)
    return verdict


def record_tonight(journal: Journal, today: dt.date, new: Sequence[str]) -> SafetyState:
    """Keep tonight's check: ``new`` names what is new tonight (empty: "nothing new")."""
    from solemate.safety import TONIGHT_QUESTIONS

    known = {q.id for q in TONIGHT_QUESTIONS}
    unknown = sorted(set(new) - known)
    if unknown:
        raise AnswerError(f"not a question for tonight: {', '.join(unknown)}")
    answers = {q.id: q.id in new for q in TONIGHT_QUESTIONS}
    check_tonight(answers)
    state = safety_state(journal, today)
    if state.verdict is None:
        level, reasons = "unscreened", [q.reason for q in QUESTIONS if q.id in new]
    else:
        verdict = screen_tonight(state.answers, new)
        level, reasons = verdict.level.value, list(verdict.reasons)
    journal.record_screen(today, {_CHECK: _TONIGHT, **answers}, level, reasons)
    return safety_state(journal, today)


def confirm_clinician(journal: Journal, today: dt.date) -> SafetyState:
    """Keep that the person has checked with a clinician, for the screen that asked them to."""
    _, full = _latest_full(journal)
    if full is None:
        raise SafetyRefused("Answer the safety questions first.")
    answers = {**full.answers, _CONFIRMED: today.isoformat()}
    journal.record_screen(full.screened_on, answers, full.level, full.reasons)
    return safety_state(journal, today)


def prepare(
    journal: Journal, today: dt.date, options: PlanOptions, path: Path
) -> tuple[PlanOptions, SafetyState]:
    """Tonight's plan options with the screen's changes, or :class:`SafetyRefused` with why not.

    Nothing is written here: a path writes its session (or file) only after this returns.
    """
    state = safety_state(journal, today)
    refused = state.refusal(path)
    if refused is not None:
        raise SafetyRefused(refused)
    assert state.verdict is not None
    return replace(options, safety=merge_changes(options.safety, state.verdict)), state
