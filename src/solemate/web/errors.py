"""Every refusal as a 4xx answer that names the field to correct, in one JSON shape.

``{"detail": "minutes: Input should be greater than 0", "field": "minutes", "errors": [...]}``:
``detail`` is a sentence for a person, ``field`` the first field at fault (``body`` when the body is
not JSON at all), ``errors`` every problem when there are several. The services raise their own
exceptions (the journal's, the diary's, the planner's, the safety screen's); this module is the
one place that decides their status codes.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from solemate.diary import DiaryError
from solemate.journal import ImportRefused, JournalError
from solemate.plan import PlanError
from solemate.safety import AnswerError
from solemate.tonight import RoutineChanged, SafetyRefused
from solemate.web.cue_audio import SpeechUnavailable

_SOURCES = ("body", "query", "path", "header", "cookie")
_UNION_TAGS = frozenset({"time", "datetime", "date", "int", "float", "str", "bool", "none"})


class ApiError(Exception):
    """A refusal raised by a route itself."""

    def __init__(self, status: int, field: str | None, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.field = field
        self.message = message


def problem(status: int, field: str | None, message: str, **extra: Any) -> JSONResponse:
    detail = f"{field}: {message}" if field else message
    return JSONResponse({"detail": detail, "field": field, **extra}, status_code=status)


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("body", "answers", "fever")`` → ``answers.fever``; a bare ``("body",)`` → ``body``."""
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in _SOURCES:
        parts = parts[1:]
    # A union's errors are located under the member's type ("into_bed.time"): name the field only.
    parts = (
        [parts[0], *(p for p in parts[1:] if p not in _UNION_TAGS and "[" not in p)]
        if parts
        else []
    )
    return ".".join(parts) or "body"


def _journal_status(error: JournalError) -> int:
    text = error.message
    if text.startswith("no ") and (error.field in ("id", "wake_date", None)):
        return 404
    if "already" in text or "not in progress" in text:
        return 409
    return 422


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                # a body that is not JSON at all is located at a character offset: name the body
                "field": "body"
                if e.get("type") == "json_invalid"
                else field_name(e.get("loc", ())),
                "message": str(e.get("msg", "")),
                "type": e.get("type"),
            }
            for e in exc.errors()
        ]
        # A wrong value says more than the fields missing beside it: report it first.
        errors.sort(key=lambda e: e["type"] == "missing")
        first = errors[0] if errors else {"field": "body", "message": "invalid request"}
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return JSONResponse(
            {"detail": detail, "field": first["field"], "errors": errors}, status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        field = getattr(exc, "field", None)
        detail = str(exc.detail)
        if field is None and ":" in detail.split(" ", 1)[0]:
            field = detail.split(":", 1)[0]  # "csrf: ..." names what is wrong
            detail = detail.split(":", 1)[1].strip()
        return problem(exc.status_code, field, detail)

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        return problem(exc.status, exc.field, exc.message)

    @app.exception_handler(ImportRefused)
    async def _refused(request: Request, exc: ImportRefused) -> JSONResponse:
        rows = [str(p) for p in exc.problems]
        return problem(
            422,
            "data",
            f"import refused, nothing written; {len(rows)} bad rows: " + "; ".join(rows[:20]),
            problems=rows,
        )

    @app.exception_handler(JournalError)
    async def _journal(request: Request, exc: JournalError) -> JSONResponse:
        return problem(_journal_status(exc), exc.field, exc.message)

    @app.exception_handler(DiaryError)
    async def _diary(request: Request, exc: DiaryError) -> JSONResponse:
        return problem(422, exc.field, exc.message)

    @app.exception_handler(PlanError)
    async def _plan(request: Request, exc: PlanError) -> JSONResponse:
        return problem(422, "minutes", str(exc), shortest=exc.shortest, longest=exc.longest)

    @app.exception_handler(AnswerError)
    async def _answers(request: Request, exc: AnswerError) -> JSONResponse:
        return problem(422, "answers", str(exc))

    @app.exception_handler(SafetyRefused)
    async def _safety(request: Request, exc: SafetyRefused) -> JSONResponse:
        return problem(409, "safety", exc.message)

    @app.exception_handler(RoutineChanged)
    async def _routine(request: Request, exc: RoutineChanged) -> JSONResponse:
        return problem(409, "session_id", str(exc))

    @app.exception_handler(SpeechUnavailable)
    async def _speech(request: Request, exc: SpeechUnavailable) -> JSONResponse:
        return problem(503, None, f"the speech engine is not available here: {exc}")
