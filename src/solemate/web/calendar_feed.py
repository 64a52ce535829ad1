"""The nightly reminder as a calendar subscription, and the form that makes a new secret link.

* ``GET /calendar.ics``: the first person's reminder, on a loopback server only. A server opened
  to the network answers 404 here: calendar apps cannot sign in, so there the feed is reachable
  only through each person's secret link.
* ``GET /calendar/{secret}.ics``: the reminder of the person the link belongs to. The guard lets
  it through without the passphrase (the secret is the key); an unknown or revoked link is 404.
* ``POST /reminders/link``: a new link for the person, which revokes the old one (CSRF-checked
  like every form), answered with a page showing the link this once.
* ``POST /reminders/preferences``: the Reminders card's form (CSRF-checked): a time ``at``
  (HH:MM; empty: the suggestion) and ``days`` (one field per ticked day, MO … SU), saved for the
  person, then back to Tonight. Refused input answers 400 with Tonight, each problem beside its
  field and nothing stored.

The file is :func:`solemate.reminder_calendar.calendar_bytes`' — the same as ``solemate remind``
writes — with the person's saved time and days, else the time the diary suggests, every day; the
calendar app's refresh picks up a changed time, since the event keeps its UID.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from solemate.journal import JournalError
from solemate.journal.feeds import feed_person, new_feed_link
from solemate.journal.reminder_preferences import save_reminder
from solemate.reminder_calendar import calendar_bytes
from solemate.reminders import DAY_CODES, ReminderError, parse_at
from solemate.web.pages.common import Form, page
from solemate.web.reminders_card import feed_reminder, on_the_network, reminder_card
from solemate.web.services import Services, services

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Svc = Annotated[Services, Depends(services)]

MEDIA_TYPE = "text/calendar; charset=utf-8"


def _feed(svc: Services, person: str | None) -> Response:
    data = calendar_bytes(feed_reminder(svc, person).reminder, svc.now())
    return Response(
        data,
        media_type=MEDIA_TYPE,
        headers={"content-disposition": 'inline; filename="solemate-reminder.ics"'},
    )


@router.get("/calendar.ics")
def local_feed(svc: Svc) -> Response:
    if on_the_network(svc):
        raise HTTPException(
            404, "on the network the calendar feed is at your own link; make one on Tonight"
        )
    return _feed(svc, None)


@router.get("/calendar/{secret}.ics")
def private_feed(secret: str, svc: Svc) -> Response:
    person = feed_person(svc.journal, secret)
    if person is None:
        raise HTTPException(404, "no calendar feed here (the link was replaced or never made)")
    return _feed(svc, person)


@router.post("/reminders/link", response_class=HTMLResponse)
def make_link(request: Request, svc: Svc, form: Form) -> HTMLResponse:
    try:
        with svc.writing():
            secret = new_feed_link(svc.journal, svc.here.person)
    except JournalError as error:
        raise HTTPException(409, str(error)) from error
    return page(
        svc,
        request,
        "reminders_link.html",
        title="Your calendar link",
        reminders=reminder_card(svc, request, svc.here.person, new_link=secret),
    )


@router.post("/reminders/preferences", response_model=None)
def save_preferences(request: Request, svc: Svc, form: Form) -> Response:
    raw_at = form.get("at")
    at_text = raw_at.strip() if isinstance(raw_at, str) else ""
    days = tuple(value for value in form.getlist("days") if isinstance(value, str))
    errors: dict[str, str] = {}
    at = None
    if len(at_text) > 20:
        errors["at"] = "give HH:MM, 00:00 to 23:59, or leave it empty for the suggestion"
    elif at_text:
        try:
            at = parse_at(at_text)
        except ReminderError as error:
            errors["at"] = str(error).removeprefix("--at: ")
    unknown = [day for day in days if day not in DAY_CODES]
    if unknown:
        errors["days"] = f"unknown day {unknown[0][:10]!r}"
    elif not days:
        errors["days"] = "tick at least one day"
    if errors:
        from solemate.web.pages.tonight import module_page, tonight_state

        card = reminder_card(
            svc, request, svc.here.person, sent=(at_text[:20], days), errors=errors
        )
        return module_page(
            svc, request, "tonight.html", status=400, reminders=card, **tonight_state(svc)
        )
    try:
        with svc.writing():
            save_reminder(svc.journal, svc.here.person, at=at, days=days)
    except JournalError as error:
        raise HTTPException(409, str(error)) from error
    return RedirectResponse("/?saved=reminder#reminders-h", 303)
