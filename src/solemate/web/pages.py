"""The pages: tonight, the player, the morning diary, the journal, the printable guide, sign-in.

Pages are rendered on the server (Jinja2, autoescaped) and work as plain HTML forms; the small
scripts in ``static/`` add the player and the API calls on top. Form posts carry the CSRF token in
a hidden field, checked here (the guard checks it for script requests).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import json
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from solemate import insights_service, safety_service, tonight
from solemate.diary import (
    QUESTION,
    DiaryAnswers,
    DiaryError,
    parse_answer,
    parse_wake_date,
    read_answers,
    show_answer,
)
from solemate.insights import METRICS, ExperimentError, Insights
from solemate.journal import ImportRefused, Journal, JournalError
from solemate.plan import PlanError, PlanOptions, full_seconds
from solemate.render.charts import CHART_CSS, SVG_STYLE
from solemate.render.experiment_view import CSS as REPORT_CSS
from solemate.render.experiment_view import report_html
from solemate.render.footmap import foot_map_svg
from solemate.render.insights_view import figure, insights_charts
from solemate.render.printable import SHEET_CSS, sheet_html
from solemate.tonight import Planner
from solemate.web import api, experiment_form
from solemate.web.models import IsoDate, PlanQuery, PrintQuery, SessionIn
from solemate.web.passphrase import COOKIE_DAYS, COOKIE_NAME
from solemate.web.security import CSP, CSRF_FIELD, csrf_matches
from solemate.web.services import STATIC_DIR, Services, services
from solemate.wording_service import BRIEF_NOTICE, tonight_wording

router = APIRouter(include_in_schema=False)
Svc = Annotated[Services, Depends(services)]

NAV = (
    ("/", "Tonight"),
    ("/morning", "Morning"),
    ("/journal", "Journal"),
    ("/insights", "Insights"),
    ("/print", "Print"),
)
DIARY_INTS = ("sol_min", "awakenings", "waso_min", "quality")
#: The diary's own hint for each answer, shown in its empty field.
HINTS = {q.field: q.hint for q in QUESTION.values()}
DIARY_TIMES = ("into_bed", "tried_to_sleep", "final_awakening", "out_of_bed")
QUALITY = ((1, "Very poor"), (2, "Poor"), (3, "Fair"), (4, "Good"), (5, "Very good"))


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# The sheet's own stylesheet is inline (the saved sheet carries it the same way): exactly it.
_PRINT_CSP = CSP.replace("style-src 'self'", f"style-src 'self' {_sha256(SHEET_CSS)}")
# The charts carry one fixed style attribute; exactly that one is allowed, nothing else inline.
_INSIGHTS_CSP = CSP.replace(
    "style-src 'self'",
    f"style-src 'self' {_sha256(CHART_CSS)} 'unsafe-hashes' {_sha256(SVG_STYLE)}",
)
_REPORT_CSP = CSP.replace(
    "style-src 'self'",
    f"style-src {_sha256(REPORT_CSS)} {_sha256(CHART_CSS)} 'unsafe-hashes' {_sha256(SVG_STYLE)}",
)


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
            **context,
        },
        status_code=status,
    )


@functools.cache
def _footmap() -> str:
    return foot_map_svg(prefix="player", title="Foot map: the sole and the top of the foot")


# --- tonight and the player ------------------------------------------------------------------------


SHORTEST_MINUTES = 10
"""The slider's low end: the guide's nightly "ten to fifteen minutes before bed". A routine that
cannot fit a length is refused by the planner, with its message, when the session starts."""


@functools.cache
def _full_minutes(planner: Planner) -> int:
    """The full session's length: pure, planned once per app (it was most of a page's time)."""
    return round(full_seconds(planner.routine, PlanOptions(preset="full")) / 60)


def _boot(svc: Services, request: Request) -> dict[str, Any]:
    routine = svc.planner.routine
    return {
        "testClock": svc.config.test_clock,
        "fullMinutes": _full_minutes(svc.planner),
        "shortestMinutes": SHORTEST_MINUTES,
        "evidence": routine.evidence["en"],
    }


def _wording(svc: Services) -> dict[str, Any]:
    """Tonight's wording when the person has not chosen one on this device (the page knows)."""
    choice = tonight_wording(svc.journal)
    return {"value": choice.wording, "offerFull": choice.offer_full}


CONTROL_MESSAGES = {
    "recorded": "Recorded: you did the control activity tonight.",
    "already": "Already recorded tonight; pressing again added nothing.",
}


def last_night(journal: Journal) -> dict[str, Any] | None:
    """The last session's choices, to start again in one tap: the words for the button and the
    body for ``POST /api/sessions``; None before the first session (or if its options are not
    ones a session can start with any more)."""
    sessions = journal.sessions(last=1)
    if not sessions:
        return None
    try:
        options = tonight.options_from_stored(sessions[0].plan_options)
        body: dict[str, Any] = {
            "voice": options.voice,
            "first_foot": options.first_foot,
            "feet": options.feet,
            "preparation": options.preparation,
            "wording": options.wording,
            "counts": options.counts,
        }
        if options.preset == "full":
            body["preset"] = "full"
            length = "the full routine"
        else:
            minutes = options.minutes if options.minutes is not None else 12
            body["minutes"] = minutes
            length = f"{minutes:g} min"
        SessionIn.model_validate(body)
    except (TypeError, ValueError):
        return None
    who = "me" if options.voice == "self" else "my partner"
    feet = f"{options.first_foot} first" if options.feet == "both" else f"{options.feet} foot only"
    words = [length, who, feet]
    if options.wording == "brief":
        words.append("brief words")
    return {"label": f"Start: same as last night ({', '.join(words)})", "body": body}


def module_page(svc: Services, request: Request, name: str, **context: Any) -> HTMLResponse:
    """A page whose scripts import modules: it carries the import map, its policy allows it."""
    response = page(svc, request, name, import_map=svc.import_map, **context)
    response.headers["content-security-policy"] = svc.module_page_csp
    return response


def tonight_response(
    request: Request, svc: Services, message: str | None = None, status: int = 200
) -> HTMLResponse:
    return module_page(
        svc,
        request,
        "tonight.html",
        status=status,
        title="Tonight",
        safety=api.safety_out(svc),
        boot={
            **_boot(svc, request),
            "wording": _wording(svc),
            "lastNight": last_night(svc.journal),
        },
        brief_notice=BRIEF_NOTICE,
        footmap=_footmap(),
        player_mode=False,
        experiment=insights_service.tonight_assignment(svc.journal, svc.today()),
        control_message=message,
    )


@router.get("/", response_class=HTMLResponse)
def tonight_page(
    request: Request, svc: Svc, control: Annotated[str | None, Query(max_length=20)] = None
) -> HTMLResponse:
    return tonight_response(request, svc, CONTROL_MESSAGES.get(control or ""))


@router.post("/experiment/control", response_class=HTMLResponse)
def control_done(request: Request, svc: Svc, form: Form) -> Response:
    """``solemate experiment today --done`` from the Tonight page."""
    today = svc.today()
    already = insights_service.tonight_assignment(svc.journal, today)
    try:
        insights_service.log_control_tonight(svc.journal, today)
    except ExperimentError as error:
        return tonight_response(request, svc, f"Not recorded: {error}.", status=409)
    done = "already" if already is not None and already.control_done else "recorded"
    return RedirectResponse(f"/?control={done}#experiment-tonight-h", 303)


@router.get("/play", response_class=HTMLResponse)
async def player_page(request: Request, svc: Svc) -> HTMLResponse:
    # async: nothing here blocks (no journal), so no hop to the thread pool per request.
    return module_page(
        svc,
        request,
        "play.html",
        title="Session",
        boot=_boot(svc, request),
        footmap=_footmap(),
        player_mode=True,
    )


# --- morning ---------------------------------------------------------------------------------------


def _server_zone() -> str:
    try:
        target = Path("/etc/localtime").resolve()
        return str(target).split("/zoneinfo/", 1)[1]
    except (OSError, IndexError):
        return "UTC"


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
        k: "" if v is None else v
        for k, v in api.sleep_defaults(svc, wake_date).model_dump().items()
    }
    defaults["wake_date"] = wake_date.isoformat()
    defaults["zone"] = _server_zone()
    defaults["comments"] = ""
    return defaults, False


@router.get("/morning", response_class=HTMLResponse)
def morning_page(
    request: Request,
    svc: Svc,
    date: Annotated[IsoDate | None, Query()] = None,
    saved: Annotated[IsoDate | None, Query()] = None,
) -> HTMLResponse:
    wake_date = date or saved or svc.today()
    values, editing = _diary_values(svc, wake_date)
    record = svc.journal.diary_entry(saved) if saved else None
    return page(
        svc,
        request,
        "morning.html",
        title="Morning",
        values=values,
        editing=wake_date.isoformat() if editing else "",
        errors={},
        quality=QUALITY,
        hints=HINTS,
        saved=api.sleep_out(record) if record else None,
        defaults_from=None if editing else values.get("from_date"),
    )


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
    return page(
        svc,
        request,
        "morning.html",
        status=422,
        title="Morning",
        values=values,
        editing=editing,
        errors=errors,
        quality=QUALITY,
        hints=HINTS,
        saved=None,
        defaults_from=None,
    )


# --- journal ---------------------------------------------------------------------------------------

MESSAGES = {
    "session-deleted": "The session was deleted.",
    "night-deleted": "The night was deleted.",
    "rating-saved": "The rating was saved.",
}


def journal_page_response(
    request: Request,
    svc: Svc,
    message: str | None = None,
    problem: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    with svc.writing():  # sessions left open for six hours are closed first
        listed = tonight.sessions(svc.journal, last=60)
    ratings = svc.journal.ratings()
    sessions = [api.session_out(s, ratings) for s in listed][::-1]
    nights = [api.sleep_out(r) for r in svc.journal.diary(last=60)][::-1]
    return page(
        svc,
        request,
        "journal.html",
        status=status,
        title="Journal",
        sessions=sessions,
        played_text=tonight.played_text,
        nights=nights,
        message=message,
        problem=problem,
        backup_kind="SQLite file" if svc.journal.dialect == "sqlite" else "JSON export",
    )


@router.get("/journal", response_class=HTMLResponse)
def journal_page(
    request: Request, svc: Svc, done: Annotated[str | None, Query(max_length=40)] = None
) -> HTMLResponse:
    return journal_page_response(request, svc, MESSAGES.get(done or ""))


@router.post("/journal/sessions/{session_id}/delete")
def journal_delete_session(session_id: api.SessionId, svc: Svc, form: Form) -> Response:
    svc.journal.delete_entry("session", session_id)
    svc.session_timelines.pop(session_id, None)
    return RedirectResponse("/journal?done=session-deleted", 303)


@router.post("/journal/sleep/{wake_date}/delete")
def journal_delete_night(wake_date: dt.date, svc: Svc, form: Form) -> Response:
    svc.journal.delete_diary(wake_date)
    return RedirectResponse("/journal?done=night-deleted", 303)


@router.post("/journal/sessions/{session_id}/rating")
def journal_rate(session_id: api.SessionId, request: Request, svc: Svc, form: Form) -> Response:
    problems = []
    for moment in ("before", "after"):
        raw = form.get(moment)
        if not isinstance(raw, str) or raw == "":
            continue
        if not raw.isdigit() or not 0 <= int(raw) <= 10:
            problems.append(f"{moment}: give a whole number from 0 to 10")
            continue
        svc.journal.rate_stress(moment, int(raw), session_id=session_id)
    if problems:
        return journal_page_response(request, svc, problem="; ".join(problems), status=422)
    return RedirectResponse("/journal?done=rating-saved", 303)


@router.post("/journal/import", response_class=HTMLResponse)
async def journal_import(request: Request, svc: Svc, form: Form) -> HTMLResponse:
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


# --- insights --------------------------------------------------------------------------------------

WEEKS_CHOICES = (4, 6, 12, 26)
DEFAULT_WEEKS = 6
#: Drawn this wide, a chart keeps its text legible when a phone scales it to its screen.
CHART_WIDTH = 400
TABLE_FIGURES = ("sol", "waso", "tst", "se", "quality")
FIGURE_HEADINGS = {
    "sol": ("SOL", "min"),
    "waso": ("WASO", "min"),
    "tst": ("TST", "h:mm"),
    "se": ("SE", "%"),
    "quality": ("Quality", "1–5"),
}


def parse_weeks(raw: str | None) -> int:
    """The ``weeks`` query parameter: a whole number from 1 to 520 (ValueError otherwise)."""
    if raw is None or raw.strip() == "":
        return DEFAULT_WEEKS
    text = raw.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 3) or not (
        1 <= int(text) <= api.MAX_WEEKS
    ):
        raise ValueError(
            f"weeks: give a whole number of weeks from 1 to {api.MAX_WEEKS}, not {raw[:20]!r}"
        )
    return int(text)


def _is_empty(state: Insights) -> bool:
    return not state.nights and state.sessions == 0 and state.habit is None


def _experiment(svc: Services, today: dt.date) -> dict[str, Any] | None:
    try:
        status = insights_service.experiment_status(svc.journal, today)
    except ExperimentError:
        return None
    kept = status.massage_kept + status.control_kept
    try:
        insights_service.experiment_report(svc.journal, today)
        not_ready = None
    except ExperimentError as error:
        not_ready = str(error)
    return {
        "status": status,
        "metric": METRICS[status.stored.outcome],
        "planned_massage": status.stored.arms.count("M"),
        "planned_control": status.stored.arms.count("C"),
        "kept": kept,
        "adherence": round(100 * kept / status.nights_done) if status.nights_done else None,
        "not_ready": not_ready,
        "running": status.stored.running_on(today),
        "warnings": insights_service.plan_of(status.stored).warnings(),
    }


EXPERIMENT_MESSAGES = {
    "started": "Experiment started: the whole plan is stored now.",
    "stopped": "Experiment stopped. Its nights so far are kept and can be reported.",
}


def _start_form(
    today: dt.date,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
) -> dict[str, Any]:
    return {
        "fields": values or experiment_form.start_defaults(today),
        "errors": errors or {},
        "problem": problem,
        "outcomes": experiment_form.OUTCOME_CHOICES,
        "designs": experiment_form.DESIGNS,
        "minimum_help": experiment_form.minimum_help(),
    }


def insights_response(
    request: Request,
    svc: Services,
    count: int = DEFAULT_WEEKS,
    status: int = 200,
    start_form: dict[str, Any] | None = None,
    stop_form: dict[str, Any] | None = None,
    message: str | None = None,
    alert: str | None = None,
) -> HTMLResponse:
    today = svc.today()
    state = insights_service.insights(svc.journal, today, count)
    experiment = _experiment(svc, today)
    response = page(
        svc,
        request,
        "insights.html",
        status=status,
        title="Insights",
        problem=None,
        choices=WEEKS_CHOICES,
        weeks=count,
        state=state,
        empty=_is_empty(state),
        charts=insights_charts(state, width=CHART_WIDTH),
        figures=TABLE_FIGURES,
        headings=FIGURE_HEADINGS,
        metrics=METRICS,
        figure=figure,
        experiment=experiment,
        start_form=start_form or _start_form(today),
        power=experiment_form.power_lines(
            svc.journal, today, (start_form or _start_form(today))["fields"]
        ),
        stop_form=stop_form or {"fields": {"reason": ""}, "errors": {}},
        message=message,
        alert=alert,
    )
    response.headers["content-security-policy"] = _INSIGHTS_CSP
    return response


@router.get("/insights", response_class=HTMLResponse)
def insights_page(
    request: Request,
    svc: Svc,
    weeks: Annotated[str | None, Query()] = None,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    try:
        count = parse_weeks(weeks)
    except ValueError as error:
        response = page(
            svc,
            request,
            "insights.html",
            status=422,
            title="Insights",
            problem=str(error),
            choices=WEEKS_CHOICES,
            weeks=None,
        )
        response.headers["content-security-policy"] = _INSIGHTS_CSP
        return response
    return insights_response(request, svc, count, message=EXPERIMENT_MESSAGES.get(done or ""))


#: Fields the journal names in its refusals, as the form calls them.
_JOURNAL_FIELDS = {"arms": "nights", "seed": "nights"}


@router.post("/insights/experiment", response_class=HTMLResponse)
def experiment_start(request: Request, svc: Svc, form: Form) -> Response:
    """``solemate experiment start`` from the Insights page."""
    today = svc.today()
    posted = experiment_form.parse_start(form)
    if posted.arguments is None:
        start = _start_form(today, posted.values, posted.errors)
        return insights_response(request, svc, status=422, start_form=start)
    try:
        insights_service.start(svc.journal, today=today, **posted.arguments)
    except ExperimentError as error:
        errors, problem = ({error.field: str(error)}, None) if error.field else ({}, str(error))
        start = _start_form(today, posted.values, errors, problem)
        return insights_response(request, svc, status=422, start_form=start)
    except JournalError as error:
        if error.field == "experiment":
            alert = f"Nothing started: {error.message}."
            return insights_response(request, svc, status=409, alert=alert)
        name = _JOURNAL_FIELDS.get(error.field or "", "nights")
        start = _start_form(today, posted.values, {name: error.message})
        return insights_response(request, svc, status=422, start_form=start)
    return RedirectResponse("/insights?done=started#experiment-h", 303)


@router.post("/insights/experiment/stop", response_class=HTMLResponse)
def experiment_stop(request: Request, svc: Svc, form: Form) -> Response:
    """``solemate experiment stop --reason …`` from the Insights page, once confirmed."""
    raw = form.get("reason")
    reason = raw if isinstance(raw, str) else ""
    values = {"reason": reason[:2000]}
    if form.get("confirm") != "yes":
        errors = {"confirm": "tick the box to confirm: a stopped experiment cannot be resumed"}
        stop = {"fields": values, "errors": errors}
        return insights_response(request, svc, status=422, stop_form=stop)
    try:
        insights_service.stop(svc.journal, svc.today(), reason)
    except ExperimentError as error:
        return insights_response(request, svc, status=409, alert=f"Nothing stopped: {error}.")
    except JournalError as error:
        stop = {"fields": values, "errors": {error.field or "confirm": error.message}}
        return insights_response(request, svc, status=422, stop_form=stop)
    return RedirectResponse("/insights?done=stopped#experiment-h", 303)


@router.get("/insights/report", response_class=HTMLResponse)
def experiment_report_page(request: Request, svc: Svc) -> HTMLResponse:
    """The experiment's self-contained report, as ``solemate experiment report --html`` writes it."""
    today = svc.today()
    try:
        report = insights_service.experiment_report(svc.journal, today)
        status = insights_service.experiment_status(svc.journal, today)
    except ExperimentError as error:
        return page(
            svc, request, "report_missing.html", status=409, title="Report", problem=str(error)
        )
    stopped = None
    if status.stored.stopped_at is not None:
        stopped = status.stored.stop_reason or "no reason given"
    return HTMLResponse(
        report_html(report, stopped), headers={"content-security-policy": _REPORT_CSP}
    )


# --- print -----------------------------------------------------------------------------------------


PRINT_LENGTHS = (*(str(n) for n in range(SHORTEST_MINUTES, 16)), "full")
"""The lengths the Print page offers: the nightly range, and the full routine."""


def _print_length(asked: PrintQuery) -> PlanQuery:
    """The plan's query with the page's ``length`` choice (minutes, or ``full``) applied."""
    query = PlanQuery.model_validate(asked.model_dump(exclude={"length"}))
    length = asked.length
    if length is None:
        return query
    if query.minutes is not None or query.preset is not None:
        raise ValueError("length: give length, or minutes or preset, not both")
    if length not in PRINT_LENGTHS:
        raise ValueError(
            f"length: must be {', '.join(PRINT_LENGTHS[:-1])} (minutes) or full, got {length!r}"
        )
    update = {"preset": "full"} if length == "full" else {"minutes": int(length)}
    return PlanQuery.model_validate({**query.model_dump(), **update})


def _print_choice(query: PrintQuery) -> dict[str, str]:
    """What the page's form shows as chosen: the sheet on screen."""
    if query.length in PRINT_LENGTHS:
        length = query.length
    elif query.preset == "full":
        length = "full"
    elif query.minutes is not None and float(query.minutes).is_integer():
        length = str(int(query.minutes))
    else:
        length = "12"
    return {
        "length": length,
        "wording": query.wording,
        "voice": query.voice,
        "first_foot": query.first_foot,
    }


@router.get("/print", response_class=HTMLResponse)
def print_page(
    request: Request,
    asked: Annotated[PrintQuery, Query()],
    svc: Svc,
) -> Response:
    """The printable sheet inside the app's page: a small form chooses the length and wording,
    the sheet follows the theme on screen, and prints dark on white (one A4 or Letter page)."""

    def answer(status: int, sheet: str | None = None, problem: str | None = None) -> Response:
        response = page(
            svc,
            request,
            "print.html",
            status=status,
            title="Print",
            sheet=sheet,
            sheet_css=SHEET_CSS,
            problem=problem,
            choice=_print_choice(asked),
            lengths=PRINT_LENGTHS,
            full_minutes=_boot(svc, request)["fullMinutes"],
        )
        response.headers["content-security-policy"] = _PRINT_CSP
        return response

    try:
        query = _print_length(asked)
    except ValueError as error:
        return answer(422, problem=str(error).removeprefix("Value error, "))
    try:
        options, _ = safety_service.prepare(
            svc.journal, svc.today(), api.plan_options(query), "print"
        )
    except safety_service.SafetyRefused as refused:
        return answer(409, problem=f"Not tonight: {refused.message}")
    try:
        timeline = svc.planner.timeline(options)
    except PlanError as error:
        return answer(422, problem=f"Cannot plan this length: minutes: {error}")
    return answer(200, sheet=sheet_html(timeline, heading_level=2))


# --- sign-in ---------------------------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _signed_in(response: Response, svc: Services, request: Request) -> Response:
    assert svc.auth is not None
    response.set_cookie(
        COOKIE_NAME,
        svc.auth.cookie(),
        max_age=COOKIE_DAYS * 86400,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, svc: Svc, next: Annotated[str | None, Query(max_length=2000)] = None
) -> HTMLResponse:
    return page(svc, request, "login.html", title="Sign in", next=_safe_next(next), problem=None)


@router.post("/login", response_class=HTMLResponse)
def login_submit(request: Request, svc: Svc, form: Form) -> Response:
    target = _safe_next(str(form.get("next") or "/"))
    if svc.auth is None:
        return RedirectResponse(target, 303)
    attempt = svc.auth.attempt(
        form.get("passphrase"), request.client.host if request.client else None
    )
    if attempt.ok:
        return _signed_in(RedirectResponse(target, 303), svc, request)
    response = page(
        svc,
        request,
        "login.html",
        status=429 if attempt.retry_after else 403,
        title="Sign in",
        next=target,
        problem=attempt.message,
    )
    if attempt.retry_after:
        response.headers["retry-after"] = str(attempt.retry_after)
    return response


@router.get("/pair/{token}")
def pair(token: str, request: Request, svc: Svc) -> Response:
    if svc.auth is None or not svc.auth.pair(token):
        return RedirectResponse("/login?next=" + quote("/"), 303)
    return _signed_in(RedirectResponse("/", 303), svc, request)


# --- app shell -------------------------------------------------------------------------------------


@router.get("/manifest.webmanifest")
def manifest(svc: Svc) -> Response:
    body = {
        "name": "solemate",
        "short_name": "solemate",
        "description": "A spoken, timed foot massage before bed, and a sleep journal.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#000000",
        "theme_color": "#000000",
        "icons": [
            {"src": svc.static_url("icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": svc.static_url("icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": svc.static_url("icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return Response(json.dumps(body), media_type="application/manifest+json")


SHELL_PAGES = ("/", "/play")


@router.get("/sw.js")
def service_worker(svc: Svc) -> Response:
    """The service worker, with this build's cache name and the shell files to keep."""
    shell = [*SHELL_PAGES, "/manifest.webmanifest"] + [
        svc.static_url(name) for name in sorted(svc.versions) if name != "sw.js"
    ]
    source = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    source = source.replace("__VERSION__", svc.shell_version).replace(
        "__SHELL__", json.dumps(shell)
    )
    return Response(
        source,
        media_type="text/javascript",
        headers={"cache-control": "no-cache", "service-worker-allowed": "/"},
    )


@router.get("/favicon.ico")
def favicon(svc: Svc) -> Response:
    return RedirectResponse(svc.static_url("icon.svg"), 301)
