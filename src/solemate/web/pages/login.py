"""Sign-in: the passphrase form and pairing a device by its link."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from solemate.web.pages.common import Form, Svc, page
from solemate.web.passphrase import COOKIE_DAYS, COOKIE_NAME
from solemate.web.services import Services

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _signed_in(
    response: Response, svc: Services, request: Request, person_uid: str | None = None
) -> Response:
    """Sign the browser in: with the household's cookie, or ``person_uid``'s own."""
    assert svc.auth is not None
    response.set_cookie(
        COOKIE_NAME,
        svc.auth.cookie() if person_uid is None else svc.auth.person_cookie(person_uid),
        max_age=COOKIE_DAYS * 86400,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def login_state(target: str | None, problem: str | None = None) -> dict[str, Any]:
    """Presenter: the sign-in form, sending the person on to ``target`` (only a path on this
    server: anything else goes to Tonight) once signed in."""
    return {"title": "Sign in", "next": _safe_next(target), "problem": problem}


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, svc: Svc, next: Annotated[str | None, Query(max_length=2000)] = None
) -> HTMLResponse:
    return page(svc, request, "login.html", **login_state(next))


@router.post("/login", response_class=HTMLResponse)
def login_submit(request: Request, svc: Svc, form: Form) -> Response:
    target = _safe_next(str(form.get("next") or "/"))
    if svc.auth is None:
        return RedirectResponse(target, 303)
    attempt = svc.auth.attempt(
        form.get("passphrase"), request.client.host if request.client else None
    )
    if attempt.ok:
        return _signed_in(RedirectResponse(target, 303), svc, request, attempt.person_uid)
    status = 429 if attempt.retry_after else 403
    response = page(svc, request, "login.html", status, **login_state(target, attempt.message))
    if attempt.retry_after:
        response.headers["retry-after"] = str(attempt.retry_after)
    return response


@router.get("/pair/{token}")
def pair(token: str, request: Request, svc: Svc) -> Response:
    if svc.auth is None or not svc.auth.pair(token):
        return RedirectResponse("/login?next=" + quote("/"), 303)
    return _signed_in(RedirectResponse("/", 303), svc, request)
