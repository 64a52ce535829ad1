"""What every API module shares: its router's prefix and error answers, and the parameter types."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam

from solemate.web.models import Problem
from solemate.web.services import Services, services

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem} for code in (400, 403, 404, 409, 413, 422)
}
Svc = Annotated[Services, Depends(services)]
SessionId = Annotated[int, PathParam(ge=1, le=2_147_483_647, description="A session's id.")]
Last = Annotated[int | None, Query(ge=1, le=100_000, description="Only the most recent N.")]
ZONE_LANG = "en"  # the language the web app shows (the routine's texts in it)


def api_router() -> APIRouter:
    """A router for one family of the API: under ``/api/``, its errors documented as Problems."""
    return APIRouter(prefix="/api", responses=ERRORS)
