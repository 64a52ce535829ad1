"""The morning diary page."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from solemate.diary import (
    QUESTION,
    DiaryAnswers,
    DiaryError,
    parse_answer,
    parse_wake_date,
    read_answers,
    show_answer,
)
from solemate.journal import JournalError
from solemate.web.api.sleep import sleep_defaults, sleep_out
from solemate.web.models import IsoDate
from solemate.web.pages.common import Form, Svc, page
from solemate.web.security import CSRF_FIELD
from solemate.web.services import Services, server_zone

router = APIRouter(include_in_schema=False)

DIARY_INTS = ("sol_min", "awakenings", "waso_min", "quality")
#: The diary's own hint for each answer, shown in its empty field.
HINTS = {q.field: q.hint for q in QUESTION.values()}
DIARY_TIMES = ("into_bed", "tried_to_sleep", "final_awakening", "out_of_bed")
QUALITY = ((1, "Very poor"), (2, "Poor"), (3, "Fair"), (4, "Good"), (5, "Very good"))


def _diary_values(svc: Services, wake_date: dt.date) -> tuple[dict[str, Any], bool]:
    record = svc.journal.diary_entry(wake_date)
    if record is not None:
        e = record.entry
        values: dict[str, Any] = {
            "wake_date": e.wake_date.isoformat(),
            "zone": e.zone,
            **{f: show_answer(getattr(e, f)) for f in DIARY_TIMES},
            **{f: getattr(e, f) for f in DIARY_INTS},
            "comments": e.comments,
        }
        return values, True
    defaults = {
        k: "" if v is None else v for k, v in sleep_defaults(svc, wake_date).model_dump().items()
    }
    defaults["wake_date"] = wake_date.isoformat()
    defaults["zone"] = server_zone()
    defaults["comments"] = ""
    return defaults, False


def morning_state(
    svc: Services, date: dt.date | None = None, saved: dt.date | None = None
) -> dict[str, Any]:
    """Presenter: the diary form for ``date`` (or the night just ``saved``, or today): the
    night's answers when it is kept, else the answers to start from; and the night just saved."""
    wake_date = date or saved or svc.today()
    values, editing = _diary_values(svc, wake_date)
    record = svc.journal.diary_entry(saved) if saved else None
    return {
        **form_state(values, wake_date.isoformat() if editing else "", {}),
        "saved": sleep_out(record) if record else None,
        "defaults_from": None if editing else values.get("from_date"),
    }


def form_state(values: dict[str, Any], editing: str, errors: dict[str, str]) -> dict[str, Any]:
    """Presenter: the diary form with these answers and errors (a refused post shows it again)."""
    return {
        "title": "Morning",
        "values": values,
        "editing": editing,
        "errors": errors,
        "quality": QUALITY,
        "hints": HINTS,
        "saved": None,
        "defaults_from": None,
    }


@router.get("/morning", response_class=HTMLResponse)
def morning_page(
    request: Request,
    svc: Svc,
    date: Annotated[IsoDate | None, Query()] = None,
    saved: Annotated[IsoDate | None, Query()] = None,
) -> HTMLResponse:
    return page(svc, request, "morning.html", **morning_state(svc, date, saved))


def _parse_diary(
    form: FormData, today: dt.date
) -> tuple[dict[str, Any], DiaryAnswers | None, dict[str, str]]:
    """The form's answers, read by the diary as the terminal's are; errors keyed by field."""
    values: dict[str, Any] = {
        k: v for k, v in form.items() if isinstance(v, str) and k != CSRF_FIELD
    }
    errors: dict[str, str] = {}
    try:
        wake_date = parse_wake_date(str(values.get("wake_date", "")), today)
    except ValueError:
        errors["wake_date"] = "give the date you woke up (YYYY-MM-DD)"
    texts = {f: str(values.get(f, "")).strip() for f in QUESTION}
    for field, raw in texts.items():
        if not raw:
            errors[field] = "choose how well you slept" if field == "quality" else "needs an answer"
            continue
        try:
            parse_answer(field, raw)
        except DiaryError as error:
            errors[field] = error.message
    zone = str(values.get("zone", "")).strip()[:64] or "UTC"
    comments = str(values.get("comments", ""))
    if errors:
        return values, None, errors
    answers = read_answers(texts, wake_date=wake_date, zone=zone, comments=comments)
    return values, answers, {}


@router.post("/morning", response_class=HTMLResponse)
def morning_submit(request: Request, svc: Svc, form: Form) -> Response:
    values, answers, errors = _parse_diary(form, svc.today())
    editing = str(values.get("editing", ""))
    if answers is not None:
        try:
            if editing:
                record = svc.journal.edit_diary(dt.date.fromisoformat(editing), answers)
            else:
                record = svc.journal.add_diary(answers)
            return RedirectResponse(f"/morning?saved={record.entry.wake_date.isoformat()}", 303)
        except DiaryError as error:
            errors[error.field] = error.message
        except JournalError as error:
            errors[error.field or "wake_date"] = error.message
        except ValueError:
            errors["editing"] = "the entry being edited is not a date"
    return page(svc, request, "morning.html", status=422, **form_state(values, editing, errors))
