"""``GET /api/plan``: the Timeline every player consumes, served from memory for a query seen before."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from solemate.plan import PlanOptions
from solemate.safety import SafetyChanges
from solemate.web.api.common import api_router
from solemate.web.models import (
    PlanQuery,
)
from solemate.web.services import Services

router = api_router()


def plan_options(q: PlanQuery) -> PlanOptions:
    return PlanOptions(
        minutes=q.minutes,
        preset=q.preset,
        feet=q.feet,
        first_foot=q.first_foot,
        voice=q.voice,
        preparation=q.preparation,
        safety=SafetyChanges(gentle_only=q.gentle, skip_calf=q.skip_calf),
        wording=q.wording,
        counts=q.counts,
    )


def _query_parameters(model: type[PlanQuery]) -> list[dict[str, Any]]:
    """The model's fields as OpenAPI query parameters (the route validates them itself)."""
    schema = model.model_json_schema()
    return [
        {"name": name, "in": "query", "required": False, "schema": prop}
        for name, prop in schema["properties"].items()
    ]


@router.get(
    "/plan",
    tags=["plan"],
    responses={
        200: {
            "description": "The Timeline (docs/timeline-format.md)",
            "content": {"application/json": {}},
        }
    },
    openapi_extra={"parameters": _query_parameters(PlanQuery)},
)
async def get_plan(request: Request) -> Response:
    """Plan a session: the Timeline every player consumes. Pure: nothing is recorded.

    The hottest route (every player asks for it), so the query is validated here with the model
    directly and the answer for a query string seen before is served from memory: the planner is
    pure, so the same query always gives the same bytes.
    """
    svc: Services = request.app.state.services  # no dependency to solve on the hot path
    raw = request.scope["query_string"]
    body = svc.plan_answers.get(raw)
    if body is None:
        try:
            query = PlanQuery.model_validate_strings(dict(request.query_params))
        except ValidationError as error:
            raise RequestValidationError(
                [{**e, "loc": ("query", *e["loc"])} for e in error.errors()]
            ) from None
        body = svc.planner.json(plan_options(query))
        if len(svc.plan_answers) < 1024 and len(raw) < 512:
            svc.plan_answers[raw] = body
    return Response(body, media_type="application/json")
