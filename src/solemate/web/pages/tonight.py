"""Tonight's page and the player."""

from __future__ import annotations

import functools
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from solemate import insights_service, tonight
from solemate.insights import ExperimentError
from solemate.journal import Journal
from solemate.plan import PlanOptions, full_seconds
from solemate.web.api.safety import safety_out
from solemate.web.models import SessionIn
from solemate.web.pages.common import Form, Svc, footmap, page
from solemate.web.people import Here
from solemate.web.reminders_card import reminder_card
from solemate.web.services import Services
from solemate.wording_service import BRIEF_NOTICE, tonight_wording

router = APIRouter(include_in_schema=False)


SHORTEST_MINUTES = 10
"""The slider's low end: the guide's nightly "ten to fifteen minutes before bed". A routine that
cannot fit a length is refused by the planner, with its message, when the session starts."""


@functools.cache
def _full_minutes(planner: tonight.Planner) -> int:
    """The full session's length: pure, planned once per app (it was most of a page's time)."""
    return round(full_seconds(planner.routine, PlanOptions(preset="full")) / 60)


def module_page(svc: Services, request: Request, name: str, **context: Any) -> HTMLResponse:
    """A page whose scripts import modules: it carries the import map, its policy allows it."""
    response = page(svc, request, name, import_map=svc.import_map, **context)
    response.headers["content-security-policy"] = svc.module_page_csp
    return response


def player_boot(svc: Services) -> dict[str, Any]:
    """What the player's script starts from (the page's ``boot`` JSON)."""
    routine = svc.planner.routine
    return {
        "testClock": svc.config.test_clock,
        "fullMinutes": _full_minutes(svc.planner),
        "shortestMinutes": SHORTEST_MINUTES,
        "evidence": routine.evidence["en"],
    }


def _wording(svc: Services) -> dict[str, Any]:
    """Tonight's wording when the person has not chosen one on this device (the page knows)."""
    choice = tonight_wording(svc.journal)
    return {"value": choice.wording, "offerFull": choice.offer_full}


CONTROL_MESSAGES = {
    "recorded": "Recorded: you did the control activity tonight.",
    "already": "Already recorded tonight; pressing again added nothing.",
}


#: How far back "same as last night" looks for a session the person here gave, among everyone's.
GIVEN_LOOKBACK = 60


def last_night(journal: Journal, here: Here | None = None) -> dict[str, Any] | None:
    """The last session's choices, to start again in one tap: the words for the button and the
    body for ``POST /api/sessions``; None before the first session (or if its options are not
    ones a session can start with any more). With several people (``here``), the last session
    the person here gave, to themselves or to the partner it names."""
    if here is not None and here.several:
        given = journal.sessions(everyone=True, last=GIVEN_LOOKBACK)
        sessions = [s for s in given if s.giver == here.person][-1:]
    else:
        sessions = journal.sessions(last=1)
    if not sessions:
        return None
    try:
        options = tonight.options_from_stored(sessions[0].plan_options)
        body: dict[str, Any] = {
            "voice": options.voice,
            "first_foot": options.first_foot,
            "feet": options.feet,
            "preparation": options.preparation,
            "wording": options.wording,
            "counts": options.counts,
        }
        if options.preset == "full":
            body["preset"] = "full"
            length = "the full routine"
        else:
            minutes = options.minutes if options.minutes is not None else 12
            body["minutes"] = minutes
            length = f"{minutes:g} min"
        SessionIn.model_validate(body)
    except (TypeError, ValueError):
        return None
    who = "me" if options.voice == "self" else "my partner"
    if here is not None and here.several and sessions[0].receiver != here.person:
        body["receiver"] = who = sessions[0].receiver
    feet = f"{options.first_foot} first" if options.feet == "both" else f"{options.feet} foot only"
    words = [length, who, feet]
    if options.wording == "brief":
        words.append("brief words")
    return {"label": f"Start: same as last night ({', '.join(words)})", "body": body}


def tonight_state(svc: Services, message: str | None = None) -> dict[str, Any]:
    """Presenter: what the Tonight page shows, as plain state for ``tonight.html``."""
    return {
        "title": "Tonight",
        "safety": safety_out(svc),
        "boot": {
            **player_boot(svc),
            "wording": _wording(svc),
            "lastNight": last_night(svc.journal, svc.here),
        },
        "brief_notice": BRIEF_NOTICE,
        "footmap": footmap(),
        "player_mode": False,
        "experiment": insights_service.tonight_assignment(svc.journal, svc.today()),
        "control_message": message,
    }


def tonight_response(
    request: Request, svc: Services, message: str | None = None, status: int = 200
) -> HTMLResponse:
    state = tonight_state(svc, message)
    return module_page(
        svc,
        request,
        "tonight.html",
        status=status,
        reminders=reminder_card(svc, request, svc.here.person),
        **state,
    )


def player_state(svc: Services) -> dict[str, Any]:
    """Presenter: the player page's plain state for ``play.html``."""
    return {"title": "Session", "boot": player_boot(svc), "footmap": footmap(), "player_mode": True}


@router.get("/", response_class=HTMLResponse)
def tonight_page(
    request: Request, svc: Svc, control: Annotated[str | None, Query(max_length=20)] = None
) -> HTMLResponse:
    return tonight_response(request, svc, CONTROL_MESSAGES.get(control or ""))


@router.post("/experiment/control", response_class=HTMLResponse)
def control_done(request: Request, svc: Svc, form: Form) -> Response:
    """``solemate experiment today --done`` from the Tonight page."""
    today = svc.today()
    already = insights_service.tonight_assignment(svc.journal, today)
    try:
        insights_service.log_control_tonight(svc.journal, today)
    except ExperimentError as error:
        return tonight_response(request, svc, f"Not recorded: {error}.", status=409)
    done = "already" if already is not None and already.control_done else "recorded"
    return RedirectResponse(f"/?control={done}#experiment-tonight-h", 303)


@router.get("/play", response_class=HTMLResponse)
async def player_page(request: Request, svc: Svc) -> HTMLResponse:
    # async: nothing here blocks (no journal), so no hop to the thread pool per request.
    return module_page(svc, request, "play.html", **player_state(svc))
