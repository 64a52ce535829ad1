"""The safety screen and tonight's short check: ``/api/safety``."""

from __future__ import annotations

from solemate import safety_service, tonight
from solemate.safety import TONIGHT_PROMPT, Verdict
from solemate.web.api.common import Svc, api_router
from solemate.web.models import (
    SafetyIn,
    SafetyOut,
    TonightIn,
    VerdictOut,
)
from solemate.web.services import Services

router = api_router()


def _verdict_out(verdict: Verdict | None) -> VerdictOut | None:
    if verdict is None:
        return None
    return VerdictOut(
        level=verdict.level.value,
        summary=verdict.summary(),
        reasons=list(verdict.reasons),
        advice=list(verdict.advice),
        gentle_only=verdict.changes.gentle_only,
        skip_calf=verdict.changes.skip_calf,
        patch_test=verdict.changes.patch_test,
    )


def safety_out(svc: Services) -> SafetyOut:
    state = tonight.safety_state(svc.journal, svc.today())
    return SafetyOut.model_validate(
        {
            "questions": tonight.questions(),
            "needs_screen": state.needs_screen,
            "why": state.why,
            "screened_on": state.screened_on,
            "answers": state.answers,
            "verdict": _verdict_out(state.verdict),
            "tonight_prompt": TONIGHT_PROMPT,
            "tonight_questions": tonight.tonight_questions(),
            "checked_tonight": state.checked_tonight,
            "new_tonight": list(state.new_tonight),
            "check_clinician": bool(state.verdict and state.verdict.check_clinician_first),
            "needs_confirm": state.needs_confirm,
            "confirmed_on": state.confirmed_on,
            "may_start": state.may_start,
            "refusal": state.refusal("player"),
        }
    )


@router.get("/safety", response_model=SafetyOut, tags=["safety"])
def get_safety(svc: Svc) -> SafetyOut:
    """The safety questions, the last answers and whether they still hold."""
    return safety_out(svc)


@router.post("/safety", response_model=SafetyOut, tags=["safety"])
def post_safety(body: SafetyIn, svc: Svc) -> SafetyOut:
    """Answer every safety question (yes/no); the verdict is kept with the answers."""
    with svc.writing():
        tonight.record_screen(svc.journal, svc.today(), body.as_dict())
    return safety_out(svc)


@router.post("/safety/tonight", response_model=SafetyOut, tags=["safety"])
def post_safety_tonight(body: TonightIn, svc: Svc) -> SafetyOut:
    """Tonight's short check before the session: what is new tonight (``[]``: nothing new)."""
    with svc.writing():
        safety_service.record_tonight(svc.journal, svc.today(), body.new)
    return safety_out(svc)


@router.post("/safety/confirm", response_model=SafetyOut, tags=["safety"])
def post_safety_confirm(svc: Svc) -> SafetyOut:
    """The person has checked with a clinician, as an answer asked them to."""
    with svc.writing():
        safety_service.confirm_clinician(svc.journal, svc.today())
    return safety_out(svc)
