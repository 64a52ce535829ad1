"""The safety screen: questions asked before the first massage, and the verdict their answers give.

The questions and rules follow the precautions collected in the project's science notes (University of
Minnesota "Taking Charge", the American Reflexology Certification Board, NIH/NCCIH-style massage safety
sheets). This module only decides; asking the questions and keeping the answers belong to the front
ends and the journal. The planner applies :class:`SafetyChanges`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Effect = Literal["stop", "gentle", "skip-calf", "patch-test"]


class Level(StrEnum):
    GO = "go"
    GO_WITH_CHANGES = "go-with-changes"
    DO_NOT_MASSAGE = "do-not-massage"


@dataclass(frozen=True)
class Question:
    """One question of the safety screen and what a yes to it changes."""

    id: str
    self_text: str
    partner_text: str
    effect: Effect
    reason: str
    tonight: str | None = None
    """For a condition that can arise on any day: the few words the nightly check names it by."""

    def text(self, voice: Literal["self", "partner"] = "self") -> str:
        return self.self_text if voice == "self" else self.partner_text


QUESTIONS: tuple[Question, ...] = (
    Question(
        "calf-clot",
        "Do you have pain, swelling, warmth or redness in a calf, or a known or suspected blood clot "
        "(deep-vein thrombosis)?",
        "Do they have pain, swelling, warmth or redness in a calf, or a known or suspected blood clot "
        "(deep-vein thrombosis)?",
        "stop",
        "calf pain, swelling, warmth or redness, or a possible blood clot, needs a clinician first; "
        "massage could move a clot",
        tonight="calf pain, swelling or warmth",
    ),
    Question(
        "foot-skin",
        "Is there an open wound, an infection, athlete's foot or a verruca on your feet?",
        "Is there an open wound, an infection, athlete's foot or a verruca on their feet?",
        "stop",
        "broken or infected skin on the feet should heal before it is massaged",
        tonight="a new wound or infection on the feet",
    ),
    Question(
        "gout",
        "Are you having a gout flare right now?",
        "Are they having a gout flare right now?",
        "stop",
        "a joint in a gout flare should not be massaged",
        tonight="a gout flare",
    ),
    Question(
        "recent-injury",
        "Have you had a fracture, a sprain or surgery of the foot or ankle in the last 6 weeks?",
        "Have they had a fracture, a sprain or surgery of the foot or ankle in the last 6 weeks?",
        "stop",
        "a recent fracture, sprain or operation of the foot or ankle needs to heal first",
        tonight="a new injury to a foot or ankle",
    ),
    Question(
        "fever",
        "Do you have a fever?",
        "Do they have a fever?",
        "stop",
        "rest rather than massage while there is a fever",
        tonight="a fever",
    ),
    Question(
        "diabetes-numbness",
        "Do you have diabetes, or numbness in your feet (neuropathy)?",
        "Do they have diabetes, or numbness in their feet (neuropathy)?",
        "gentle",
        "with diabetes or numb feet, pressure that is too strong may not be felt",
    ),
    Question(
        "bleeding",
        "Do you take blood thinners, or have a bleeding disorder?",
        "Do they take blood thinners, or have a bleeding disorder?",
        "gentle",
        "blood thinners or a bleeding disorder make bruising easier",
    ),
    Question(
        "pregnancy",
        "Are you pregnant (especially in the first trimester, or a high-risk pregnancy)?",
        "Are they pregnant (especially in the first trimester, or a high-risk pregnancy)?",
        "gentle",
        "in pregnancy, especially early or high-risk, keep to gentle pressure",
    ),
    Question(
        "cancer",
        "Do you have cancer, or are you being treated for it?",
        "Do they have cancer, or are they being treated for it?",
        "gentle",
        "with cancer or its treatment, keep to gentle pressure",
    ),
    Question(
        "heart",
        "Do you have heart disease?",
        "Do they have heart disease?",
        "gentle",
        "with heart disease, keep to gentle pressure",
    ),
    Question(
        "varicose-veins",
        "Do you have varicose veins in your legs?",
        "Do they have varicose veins in their legs?",
        "skip-calf",
        "with varicose veins the strokes stop at the ankle and leave out the calf",
    ),
    Question(
        "oil-allergy",
        "Are you allergic to any oil or lotion, or using this one for the first time?",
        "Are they allergic to any oil or lotion, or using this one for the first time?",
        "patch-test",
        "test the oil or lotion on a small patch of skin first",
    ),
)

ALWAYS = "Stop at once if anything hurts, goes numb or tingles."
SEE_CLINICIAN = "Please see a clinician before massaging."
CHECK_CLINICIAN = "Check with a clinician first that foot massage is right for you."


@dataclass(frozen=True)
class SafetyChanges:
    """What the planner changes for safety: gentle pressure everywhere, strokes that skip the calf."""

    gentle_only: bool = False
    skip_calf: bool = False
    patch_test: bool = False

    @property
    def any(self) -> bool:
        return self.gentle_only or self.skip_calf or self.patch_test


@dataclass(frozen=True)
class Verdict:
    """What the screen's answers allow: the level, its reasons, the changes and the advice."""

    level: Level
    reasons: tuple[str, ...]
    changes: SafetyChanges
    advice: tuple[str, ...]

    @property
    def may_massage(self) -> bool:
        return self.level is not Level.DO_NOT_MASSAGE

    @property
    def check_clinician_first(self) -> bool:
        """An answer that asks for a clinician's word before the first massage."""
        return self.may_massage and CHECK_CLINICIAN in self.advice

    def summary(self) -> str:
        """One paragraph in plain words, for a screen or a voice."""
        if self.level is Level.GO:
            return f"Nothing in your answers stands in the way. {ALWAYS}"
        lines = [
            "Do not massage tonight."
            if self.level is Level.DO_NOT_MASSAGE
            else "Go ahead, with changes.",
            *(reason[0].upper() + reason[1:] + "." for reason in self.reasons),
            *self.advice,
        ]
        return " ".join(lines)


class AnswerError(ValueError):
    """Answers that are missing, unknown or not yes/no."""


def _check_answers(answers: Mapping[str, object], asked: list[str], unknown_is: str) -> None:
    """Refuse ``answers`` unless each question ``asked`` (ids, in order) has a yes or no and
    nothing else is answered; the :class:`AnswerError` names every problem, ``unknown_is``
    saying what an answer to no asked question is."""
    known = set(asked)
    missing = [q for q in asked if q not in answers]
    unknown = sorted(set(answers) - known)
    wrong = sorted(k for k, v in answers.items() if k in known and not isinstance(v, bool))
    parts = []
    if missing:
        parts.append(f"unanswered: {', '.join(missing)}")
    if unknown:
        parts.append(f"{unknown_is}: {', '.join(unknown)}")
    if wrong:
        parts.append(f"not a yes/no answer: {', '.join(wrong)}")
    if parts:
        raise AnswerError("; ".join(parts))


def screen(answers: Mapping[str, bool]) -> Verdict:
    """Turn yes/no answers to every question in :data:`QUESTIONS` into a verdict.

    >>> screen({q.id: False for q in QUESTIONS}).level
    <Level.GO: 'go'>
    >>> v = screen({**{q.id: False for q in QUESTIONS}, "varicose-veins": True, "heart": True})
    >>> v.level, v.changes.gentle_only, v.changes.skip_calf
    (<Level.GO_WITH_CHANGES: 'go-with-changes'>, True, True)
    >>> screen({**{q.id: False for q in QUESTIONS}, "fever": True, "heart": True}).level
    <Level.DO_NOT_MASSAGE: 'do-not-massage'>
    """
    _check_answers(answers, [q.id for q in QUESTIONS], "unknown question(s)")
    yes = [q for q in QUESTIONS if answers[q.id]]
    stops = [q for q in yes if q.effect == "stop"]
    if stops:
        return Verdict(
            Level.DO_NOT_MASSAGE,
            tuple(q.reason for q in stops),
            SafetyChanges(),
            (SEE_CLINICIAN, ALWAYS),
        )
    changes = SafetyChanges(
        gentle_only=any(q.effect == "gentle" for q in yes),
        skip_calf=any(q.effect == "skip-calf" for q in yes),
        patch_test=any(q.effect == "patch-test" for q in yes),
    )
    if not changes.any:
        return Verdict(Level.GO, (), changes, (ALWAYS,))
    advice = [CHECK_CLINICIAN] if changes.gentle_only else []
    return Verdict(Level.GO_WITH_CHANGES, tuple(q.reason for q in yes), changes, (*advice, ALWAYS))


# --- before every session --------------------------------------------------------------------------

TONIGHT_QUESTIONS: tuple[Question, ...] = tuple(q for q in QUESTIONS if q.tonight)
"""The "do not massage" conditions that can arise on any day, asked again before every session."""

TONIGHT_PROMPT = "Anything new tonight?"


def tonight_list() -> str:
    """The nightly check's conditions in one line.

    >>> tonight_list()
    'calf pain, swelling or warmth; a new wound or infection on the feet; a gout flare; a new injury to a foot or ankle; a fever'
    """
    return "; ".join(q.tonight or "" for q in TONIGHT_QUESTIONS)


def check_tonight(answers: Mapping[str, bool]) -> tuple[str, ...]:
    """The nightly check's yes answers, by question id; every nightly question needs a yes or no.

    "Nothing new" is a no to each of them.

    >>> check_tonight({q.id: q.id == "fever" for q in TONIGHT_QUESTIONS})
    ('fever',)
    >>> check_tonight({"fever": True})
    Traceback (most recent call last):
    ...
    solemate.safety.AnswerError: unanswered: calf-clot, foot-skin, gout, recent-injury
    """
    _check_answers(answers, [q.id for q in TONIGHT_QUESTIONS], "not a question for tonight")
    return tuple(q.id for q in TONIGHT_QUESTIONS if answers[q.id])


def screen_tonight(answers: Mapping[str, bool], new_tonight: Iterable[str] = ()) -> Verdict:
    """The screen's verdict with tonight's new conditions added (tonight only adds, never clears).

    >>> no = {q.id: False for q in QUESTIONS}
    >>> screen_tonight(no, ["gout"]).level
    <Level.DO_NOT_MASSAGE: 'do-not-massage'>
    >>> screen_tonight({**no, "fever": True}, []).level
    <Level.DO_NOT_MASSAGE: 'do-not-massage'>
    """
    new = set(new_tonight)
    return screen({k: v or (k in new) for k, v in answers.items()})


def merge_changes(chosen: SafetyChanges, verdict: Verdict) -> SafetyChanges:
    """The changes a person chose with the verdict's added (a verdict never removes one)."""
    return SafetyChanges(
        gentle_only=chosen.gentle_only or verdict.changes.gentle_only,
        skip_calf=chosen.skip_calf or verdict.changes.skip_calf,
        patch_test=chosen.patch_test or verdict.changes.patch_test,
    )
