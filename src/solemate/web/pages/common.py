"""What every page shares: the layout's context, the CSRF-checked form, the CSP's hashes."""

from __future__ import annotations

import base64
import functools
import hashlib
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from solemate.render.footmap import foot_map_svg
from solemate.web.security import CSRF_FIELD, csrf_matches
from solemate.web.services import Services, services

Svc = Annotated[Services, Depends(services)]

NAV = (
    ("/", "Tonight"),
    ("/morning", "Morning"),
    ("/journal", "Journal"),
    ("/insights", "Insights"),
    ("/print", "Print"),
)


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


async def form_csrf(request: Request) -> FormData:
    """The posted form, once its csrf_token field matches this browser's cookie."""
    form = await request.form()
    expected = getattr(request.state, "csrf_form", None)
    if expected is not None:
        sent = form.get(CSRF_FIELD)
        if not isinstance(sent, str) or not csrf_matches(expected, sent):
            raise HTTPException(
                403, "csrf: this form is stale or came from elsewhere; reload the page"
            )
    return form


Form = Annotated[FormData, Depends(form_csrf)]


def page(
    svc: Services, request: Request, name: str, status: int = 200, **context: Any
) -> HTMLResponse:
    context.setdefault("title", "solemate")
    return svc.templates.TemplateResponse(
        request,
        name,
        {
            "csrf": request.state.csrf,
            "nav": NAV,
            "path": request.url.path,
            "login": svc.config.require_login,
            "here": svc.here,
            **context,
        },
        status_code=status,
    )


@functools.cache
def footmap() -> str:
    return foot_map_svg(prefix="player", title="Foot map: the sole and the top of the foot")
