"""``GET /api/insights``: the insights state, as ``solemate insights --format json`` prints it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from solemate import insights_service
from solemate.render.insights_view import insights_json
from solemate.web.api.common import Svc, api_router

router = api_router()


MAX_WEEKS = 520


@router.get(
    "/insights",
    tags=["insights"],
    responses={
        200: {
            "description": "The insights state, as `solemate insights --format json` prints it",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def get_insights(
    svc: Svc,
    weeks: Annotated[
        int, Query(ge=1, le=MAX_WEEKS, description="How many calendar weeks to look back.")
    ] = 6,
) -> Response:
    """Weekly means and trends of the diary, stress change, habit strength, minutes to
    lights-out, nights with and without a session (an observation, not proof), and device
    estimates kept apart from the diary."""
    state = insights_service.insights(svc.journal, svc.today(), weeks)
    return Response(insights_json(state), media_type="application/json")
