from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solemate import safety
from solemate.safety import QUESTIONS, AnswerError, Level, screen

NO = {q.id: False for q in QUESTIONS}


def test_docstring_examples() -> None:
    assert doctest.testmod(safety).failed == 0


def test_all_clear_is_go_with_the_standing_advice() -> None:
    verdict = screen(NO)
    assert verdict.level is Level.GO
    assert not verdict.changes.any
    assert "hurts, goes numb or tingles" in verdict.summary()


@pytest.mark.parametrize(
    "question", [q for q in QUESTIONS if q.effect == "stop"], ids=lambda q: q.id
)
def test_each_stop_condition_means_do_not_massage(question: safety.Question) -> None:
    verdict = screen({**NO, question.id: True})
    assert verdict.level is Level.DO_NOT_MASSAGE
    assert not verdict.may_massage
    assert question.reason in verdict.reasons
    assert "clinician" in verdict.summary()


@pytest.mark.parametrize(
    "question", [q for q in QUESTIONS if q.effect == "gentle"], ids=lambda q: q.id
)
def test_each_caution_means_gentle_pressure_and_a_clinician(question: safety.Question) -> None:
    verdict = screen({**NO, question.id: True})
    assert verdict.level is Level.GO_WITH_CHANGES
    assert verdict.changes.gentle_only
    assert not verdict.changes.skip_calf
    assert safety.CHECK_CLINICIAN in verdict.advice


def test_varicose_veins_skip_the_calf_only() -> None:
    verdict = screen({**NO, "varicose-veins": True})
    assert verdict.changes.skip_calf
    assert not verdict.changes.gentle_only


def test_oil_allergy_asks_for_a_patch_test() -> None:
    verdict = screen({**NO, "oil-allergy": True})
    assert verdict.level is Level.GO_WITH_CHANGES
    assert verdict.changes.patch_test


def test_science_notes_conditions_are_all_asked() -> None:
    text = " ".join(q.self_text for q in QUESTIONS).lower()
    for condition in (
        "calf", "swelling", "warmth", "redness", "thrombosis", "open wound", "infection",
        "athlete's foot", "verruca", "gout", "fracture", "sprain", "surgery", "6 weeks", "fever",
        "diabetes", "numbness", "blood thinners", "bleeding disorder", "pregnant", "cancer",
        "heart disease", "varicose veins", "allergic",
    ):  # fmt: skip
        assert condition in text, condition


def test_partner_wording_speaks_of_them() -> None:
    for q in QUESTIONS:
        assert "they" in q.partner_text.lower() or "their" in q.partner_text.lower(), q.id


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({}, "unanswered: calf-clot"),
        ({**NO, "shoe-size": False}, "unknown question(s): shoe-size"),
        ({**NO, "fever": "yes"}, "not a yes/no answer: fever"),
        ({**NO, "fever": 1}, "not a yes/no answer: fever"),
    ],
)
def test_bad_answers_are_refused_by_name(answers: dict[str, object], message: str) -> None:
    with pytest.raises(AnswerError, match=message.replace("(", r"\(").replace(")", r"\)")):
        screen(answers)  # type: ignore[arg-type]


TONIGHT_NO = {q.id: False for q in safety.TONIGHT_QUESTIONS}


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"fever": False}, "unanswered: calf-clot, foot-skin, gout, recent-injury"),
        ({**TONIGHT_NO, "heart": False}, "not a question for tonight: heart"),
        ({**TONIGHT_NO, "gout": "no"}, "not a yes/no answer: gout"),
        (
            {"fever": None, "shoe-size": True},
            "unanswered: calf-clot, foot-skin, gout, recent-injury; "
            "not a question for tonight: shoe-size; not a yes/no answer: fever",
        ),
    ],
)
def test_bad_answers_tonight_are_refused_by_name(answers: dict[str, object], message: str) -> None:
    with pytest.raises(AnswerError) as refused:
        safety.check_tonight(answers)  # type: ignore[arg-type]
    assert str(refused.value) == message


@given(st.fixed_dictionaries({q.id: st.booleans() for q in QUESTIONS}))
def test_verdict_follows_the_strongest_answer(answers: dict[str, bool]) -> None:
    verdict = screen(answers)
    effects = {q.effect for q in QUESTIONS if answers[q.id]}
    if "stop" in effects:
        assert verdict.level is Level.DO_NOT_MASSAGE
    elif effects:
        assert verdict.level is Level.GO_WITH_CHANGES
        assert verdict.changes.gentle_only == ("gentle" in effects)
        assert verdict.changes.skip_calf == ("skip-calf" in effects)
    else:
        assert verdict.level is Level.GO
