"""The Print page: the printable sheet inside the app's page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from solemate import safety_service
from solemate.plan import PlanError
from solemate.render.printable import SHEET_CSS, sheet_html
from solemate.web.api.plan import plan_options
from solemate.web.models import PlanQuery, PrintQuery
from solemate.web.pages.common import Svc, csp_hash, page
from solemate.web.pages.tonight import SHORTEST_MINUTES, player_boot
from solemate.web.security import CSP
from solemate.web.services import Services

router = APIRouter(include_in_schema=False)

# The sheet's own stylesheet is inline (the saved sheet carries it the same way): exactly it.
_PRINT_CSP = CSP.replace("style-src 'self'", f"style-src 'self' {csp_hash(SHEET_CSS)}")


PRINT_LENGTHS = (*(str(n) for n in range(SHORTEST_MINUTES, 16)), "full")
"""The lengths the Print page offers: the nightly range, and the full routine."""


def _print_length(asked: PrintQuery) -> PlanQuery:
    """The plan's query with the page's ``length`` choice (minutes, or ``full``) applied."""
    query = PlanQuery.model_validate(asked.model_dump(exclude={"length"}))
    length = asked.length
    if length is None:
        return query
    if query.minutes is not None or query.preset is not None:
        raise ValueError("length: give length, or minutes or preset, not both")
    if length not in PRINT_LENGTHS:
        raise ValueError(
            f"length: must be {', '.join(PRINT_LENGTHS[:-1])} (minutes) or full, got {length!r}"
        )
    update = {"preset": "full"} if length == "full" else {"minutes": int(length)}
    return PlanQuery.model_validate({**query.model_dump(), **update})


def _print_choice(query: PrintQuery) -> dict[str, str]:
    """What the page's form shows as chosen: the sheet on screen."""
    if query.length in PRINT_LENGTHS:
        length = query.length
    elif query.preset == "full":
        length = "full"
    elif query.minutes is not None and float(query.minutes).is_integer():
        length = str(int(query.minutes))
    else:
        length = "12"
    return {
        "length": length,
        "wording": query.wording,
        "voice": query.voice,
        "first_foot": query.first_foot,
    }


def print_state(svc: Services, asked: PrintQuery) -> tuple[int, dict[str, Any]]:
    """Presenter: the Print page's status and plain state for ``print.html``: the sheet for the
    asked options, or the problem that stops it (422 for a length that is not offered or cannot
    be planned, 409 when the safety screen does not allow a session tonight)."""

    def state(
        status: int, sheet: str | None = None, problem: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        return status, {
            "title": "Print",
            "sheet": sheet,
            "sheet_css": SHEET_CSS,
            "problem": problem,
            "choice": _print_choice(asked),
            "lengths": PRINT_LENGTHS,
            "full_minutes": player_boot(svc)["fullMinutes"],
        }

    try:
        query = _print_length(asked)
    except ValueError as error:
        return state(422, problem=str(error).removeprefix("Value error, "))
    try:
        options, _ = safety_service.prepare(svc.journal, svc.today(), plan_options(query), "print")
    except safety_service.SafetyRefused as refused:
        return state(409, problem=f"Not tonight: {refused.message}")
    try:
        timeline = svc.planner.timeline(options)
    except PlanError as error:
        return state(422, problem=f"Cannot plan this length: minutes: {error}")
    return state(200, sheet=sheet_html(timeline, heading_level=2))


@router.get("/print", response_class=HTMLResponse)
def print_page(
    request: Request,
    asked: Annotated[PrintQuery, Query()],
    svc: Svc,
) -> Response:
    """The printable sheet inside the app's page: a small form chooses the length and wording,
    the sheet follows the theme on screen, and prints dark on white (one A4 or Letter page)."""
    status, state = print_state(svc, asked)
    response = page(svc, request, "print.html", status=status, **state)
    response.headers["content-security-policy"] = _PRINT_CSP
    return response
