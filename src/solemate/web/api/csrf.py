"""The CSRF token a script sends back with every POST, PUT and DELETE."""

from __future__ import annotations

from fastapi import Request

from solemate.web.api.common import api_router
from solemate.web.models import (
    CsrfOut,
)

router = api_router()


@router.get("/csrf", response_model=CsrfOut, tags=["security"])
def csrf(request: Request) -> CsrfOut:
    """The token to send back in the X-CSRF-Token header with every POST, PUT and DELETE."""
    return CsrfOut(token=request.state.csrf)
