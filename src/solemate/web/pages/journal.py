"""The journal page: sessions and nights, their deletion and ratings, and import."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from solemate import tonight
from solemate.journal import ImportRefused, JournalError, Moment
from solemate.web.api.common import SessionId
from solemate.web.api.sessions import sessions_out
from solemate.web.api.sleep import sleep_out
from solemate.web.pages.common import Form, Svc, page
from solemate.web.people import check_own, check_whole_journal
from solemate.web.services import Services

router = APIRouter(include_in_schema=False)


MESSAGES = {
    "session-deleted": "The session was deleted.",
    "night-deleted": "The night was deleted.",
    "rating-saved": "The rating was saved.",
}


def journal_state(
    svc: Services, message: str | None = None, problem: str | None = None
) -> dict[str, Any]:
    """Presenter: the last 60 sessions and nights, newest first, as plain state for
    ``journal.html`` (sessions left open for six hours are closed first)."""
    with svc.writing():  # sessions left open for six hours are closed first
        listed = tonight.sessions(svc.journal, last=60)
    sessions = sessions_out(svc.journal, listed)[::-1]
    nights = [sleep_out(r) for r in svc.journal.diary(last=60)][::-1]
    return {
        "title": "Journal",
        "sessions": sessions,
        "played_text": tonight.played_text,
        "nights": nights,
        "message": message,
        "problem": problem,
        "backup_kind": "SQLite file" if svc.journal.dialect == "sqlite" else "JSON export",
    }


def journal_page_response(
    request: Request,
    svc: Services,
    message: str | None = None,
    problem: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    return page(svc, request, "journal.html", status=status, **journal_state(svc, message, problem))


@router.get("/journal", response_class=HTMLResponse)
def journal_page(
    request: Request, svc: Svc, done: Annotated[str | None, Query(max_length=40)] = None
) -> HTMLResponse:
    return journal_page_response(request, svc, MESSAGES.get(done or ""))


@router.post("/journal/sessions/{session_id}/delete")
def journal_delete_session(session_id: SessionId, svc: Svc, form: Form) -> Response:
    check_own(svc.journal, svc.here, "session", session_id)
    svc.journal.delete_entry("session", session_id)
    svc.session_timelines.pop(session_id, None)
    return RedirectResponse("/journal?done=session-deleted", 303)


@router.post("/journal/sleep/{wake_date}/delete")
def journal_delete_night(wake_date: dt.date, svc: Svc, form: Form) -> Response:
    svc.journal.delete_diary(wake_date)
    return RedirectResponse("/journal?done=night-deleted", 303)


@router.post("/journal/sessions/{session_id}/rating")
def journal_rate(session_id: SessionId, request: Request, svc: Svc, form: Form) -> Response:
    check_own(svc.journal, svc.here, "session", session_id)
    problems = []
    given: dict[Moment, int] = {}
    moments: tuple[Moment, ...] = ("before", "after")
    for moment in moments:
        raw = form.get(moment)
        try:
            stress = tonight.stress_answer(raw if isinstance(raw, str) else "")
        except ValueError:
            problems.append(f"{moment}: give a whole number from 0 to 10")
            continue
        if stress is not None:
            given[moment] = stress
    if problems:  # both answers are checked before either is written
        return journal_page_response(request, svc, problem="; ".join(problems), status=422)
    svc.journal.rate_session(session_id, given)  # both in one transaction
    return RedirectResponse("/journal?done=rating-saved", 303)


@router.post("/journal/import", response_class=HTMLResponse)
async def journal_import(request: Request, svc: Svc, form: Form) -> HTMLResponse:
    check_whole_journal(svc.here)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return journal_page_response(
            request, svc, problem="file: choose an export file", status=422
        )
    raw = await upload.read()
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as error:
        return journal_page_response(
            request, svc, problem=f"file: not a solemate export (not JSON: {error})", status=422
        )
    try:
        report = svc.journal.import_export(data)
    except ImportRefused as refused:
        rows = "; ".join(str(p) for p in refused.problems[:10])
        return journal_page_response(
            request, svc, problem=f"file: import refused, nothing written: {rows}", status=422
        )
    except JournalError as error:
        return journal_page_response(request, svc, problem=f"file: {error}", status=422)
    added = sum(report.added.values())
    unchanged = sum(report.unchanged.values())
    return journal_page_response(
        request, svc, message=f"Imported: {added} new entries, {unchanged} already here."
    )
