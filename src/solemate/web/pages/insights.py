"""The insights page, the experiment's forms and its report."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from solemate import insights_service
from solemate.insights import METRICS, ExperimentError, Insights
from solemate.insights.couple import couple_line, who_gave
from solemate.insights_service import journal_zone
from solemate.journal import JournalError
from solemate.journal.reading import latest_experiment
from solemate.render.charts import CHART_CSS, SVG_STYLE
from solemate.render.experiment_view import CSS as REPORT_CSS
from solemate.render.experiment_view import report_html
from solemate.render.insights_view import figure, insights_charts
from solemate.web import experiment_form
from solemate.web.api.insights import MAX_WEEKS
from solemate.web.pages.common import Form, Svc, csp_hash, page
from solemate.web.security import CSP
from solemate.web.services import Services

router = APIRouter(include_in_schema=False)

# The charts carry one fixed style attribute; exactly that one is allowed, nothing else inline.
_INSIGHTS_CSP = CSP.replace(
    "style-src 'self'",
    f"style-src 'self' {csp_hash(CHART_CSS)} 'unsafe-hashes' {csp_hash(SVG_STYLE)}",
)
_REPORT_CSP = CSP.replace(
    "style-src 'self'",
    f"style-src {csp_hash(REPORT_CSS)} {csp_hash(CHART_CSS)} 'unsafe-hashes' {csp_hash(SVG_STYLE)}",
)

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
        1 <= int(text) <= MAX_WEEKS
    ):
        raise ValueError(
            f"weeks: give a whole number of weeks from 1 to {MAX_WEEKS}, not {raw[:20]!r}"
        )
    return int(text)


def _is_empty(state: Insights) -> bool:
    return not state.nights and state.sessions == 0 and state.habit is None


def _experiment(svc: Services, today: dt.date) -> dict[str, Any] | None:
    try:
        status, report = insights_service.experiment_overview(svc.journal, today)
    except ExperimentError:
        return None
    kept = status.massage_kept + status.control_kept
    not_ready = str(report) if isinstance(report, ExperimentError) else None
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


def insights_state(
    svc: Services,
    count: int = DEFAULT_WEEKS,
    start_form: dict[str, Any] | None = None,
    stop_form: dict[str, Any] | None = None,
    message: str | None = None,
    alert: str | None = None,
) -> dict[str, Any]:
    """Presenter: ``count`` weeks of insights, their charts, and the experiment with its start
    and stop forms (as posted, with their errors, when a post was refused), for ``insights.html``."""
    today = svc.today()
    state = insights_service.insights(svc.journal, today, count)
    start = start_form or _start_form(today)
    return {
        "title": "Insights",
        "problem": None,
        "choices": WEEKS_CHOICES,
        "weeks": count,
        "state": state,
        "empty": _is_empty(state),
        "charts": insights_charts(state, width=CHART_WIDTH),
        "figures": TABLE_FIGURES,
        "headings": FIGURE_HEADINGS,
        "metrics": METRICS,
        "figure": figure,
        "experiment": _experiment(svc, today),
        "start_form": start,
        "power": experiment_form.power_lines(svc.journal, today, start["fields"]),
        "stop_form": stop_form or {"fields": {"reason": ""}, "errors": {}},
        "message": message,
        "alert": alert,
        "couple": couple_lines(svc, today),
    }


def couple_lines(svc: Services, today: dt.date) -> list[str]:
    """Who gave how many sessions to whom over the last four weeks, with two or more people (a
    count, never a score). A person signed in with their own passphrase sees only the sessions
    they gave or received."""
    if not svc.here.several:
        return []
    rows = who_gave(svc.journal.sessions(everyone=True), today, journal_zone(svc.journal))
    if svc.here.fixed:
        rows = [r for r in rows if svc.here.person in (r.giver, r.receiver)]
    return [couple_line(row) for row in rows]


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
    state = insights_state(svc, count, start_form, stop_form, message, alert)
    response = page(svc, request, "insights.html", status=status, **state)
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
    except ExperimentError as error:
        return page(
            svc, request, "report_missing.html", status=409, title="Report", problem=str(error)
        )
    stopped = insights_service.stop_note(latest_experiment(svc.journal))
    return HTMLResponse(
        report_html(report, stopped), headers={"content-security-policy": _REPORT_CSP}
    )
