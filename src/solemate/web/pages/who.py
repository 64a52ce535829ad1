"""Who is here: choosing the person this device acts for, and adding one (``/who``)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from solemate.journal import JournalError, household
from solemate.web.pages.common import Form, Svc, page
from solemate.web.people import person_cookie
from solemate.web.services import Services

router = APIRouter(include_in_schema=False)


def who_state(
    svc: Services, added: str | None = None, problems: dict[str, str] | None = None
) -> dict[str, Any]:
    """Presenter: whom this device may choose, who is here, whether they share their diary (on a
    server opened to the network), and the forms' refusals if any."""
    people = [p.name for p in svc.people.all()]
    here = svc.here.person if svc.here.several else (people[0] if people else None)
    me = svc.here.own or here
    sharing = None
    if svc.auth is not None and svc.here.several:
        sharing = svc.people.uid_of(me or "") in svc.auth.sharing()
    return {
        "title": "Who is here",
        "people": list(svc.here.choices) if svc.here.several else people,
        "current": here,
        "me": me,
        "sharing": sharing,
        "can_add": not svc.here.fixed,
        "added": added if added in people else None,
        "problems": problems or {},
    }


def _who_page(request: Request, svc: Services, status: int = 200, **state: Any) -> HTMLResponse:
    return page(svc, request, "who.html", status, **who_state(svc, **state))


def _not_fixed(svc: Services) -> None:
    if svc.here.fixed:
        raise HTTPException(
            403, "person: signed in with your own passphrase; the household's adds people"
        )


@router.get("/who", response_class=HTMLResponse)
def who_page(
    request: Request, svc: Svc, added: Annotated[str | None, Query(max_length=200)] = None
) -> HTMLResponse:
    return _who_page(request, svc, added=added)


@router.post("/who", response_class=HTMLResponse)
def choose(request: Request, svc: Svc, form: Form) -> Response:
    name = form.get("person")
    allowed = isinstance(name, str) and (name in svc.here.choices or not svc.here.several)
    uid = svc.people.uid_of(name) if isinstance(name, str) and allowed else None
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


@router.post("/who/share", response_class=HTMLResponse)
def share(svc: Svc, form: Form) -> Response:
    """The person here (their own, when signed in with it) shares their diary, or stops."""
    me = svc.here.own or svc.here.person
    if svc.auth is None or me is None:
        raise HTTPException(404, "share: sharing is for a server opened to the network")
    ticked = form.get("share")
    if ticked not in (None, "on"):  # a checkbox sends "on" or nothing
        raise HTTPException(422, "share: tick the box or leave it empty")
    with svc.writing():
        household.set_sharing(svc.journal, me, ticked == "on")
    svc.auth.current()  # every request from now on sees the change
    return RedirectResponse("/who", 303)
