"""Who is here: choosing the person this device acts for, and adding one (``/who``)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from solemate.journal import JournalError
from solemate.web.pages.common import Form, Svc, page
from solemate.web.people import person_cookie
from solemate.web.services import Services

router = APIRouter(include_in_schema=False)


def who_state(
    svc: Services, added: str | None = None, problems: dict[str, str] | None = None
) -> dict[str, Any]:
    """Presenter: everyone in the journal, who is here, and the add form's refusal if any."""
    people = [p.name for p in svc.people.all()]
    here = svc.here.person if svc.here.several else (people[0] if people else None)
    return {
        "title": "Who is here",
        "people": people,
        "current": here,
        "added": added if added in people else None,
        "problems": problems or {},
    }


def _who_page(request: Request, svc: Services, status: int = 200, **state: Any) -> HTMLResponse:
    return page(svc, request, "who.html", status, **who_state(svc, **state))


def _not_fixed(svc: Services) -> None:
    if svc.here.fixed:
        raise HTTPException(
            403, "person: this device signed in with your own passphrase, so it stays yours"
        )


@router.get("/who", response_class=HTMLResponse)
def who_page(
    request: Request, svc: Svc, added: Annotated[str | None, Query(max_length=200)] = None
) -> HTMLResponse:
    return _who_page(request, svc, added=added)


@router.post("/who", response_class=HTMLResponse)
def choose(request: Request, svc: Svc, form: Form) -> Response:
    _not_fixed(svc)
    name = form.get("person")
    uid = svc.people.uid_of(name) if isinstance(name, str) else None
    if uid is None:
        problem = f"person: nobody here is called {str(name or '')[:100]!r}; choose one listed"
        return _who_page(request, svc, 422, problems={"person": problem})
    response = RedirectResponse("/", 303)
    response.headers.append("set-cookie", person_cookie(uid))
    return response


@router.post("/who/add", response_class=HTMLResponse)
def add(request: Request, svc: Svc, form: Form) -> Response:
    _not_fixed(svc)
    name = form.get("name")
    if not isinstance(name, str):
        return _who_page(request, svc, 422, problems={"name": "name: give the new person's name"})
    try:
        with svc.writing():
            person = svc.journal.add_person(name)
    except JournalError as error:
        return _who_page(request, svc, 422, problems={"name": f"name: {error}"})
    svc.people.changed()
    return RedirectResponse(f"/who?added={quote(person.name)}", 303)
