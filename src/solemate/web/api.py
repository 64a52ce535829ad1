"""The JSON API under ``/api/``: plan, safety, sessions, ratings, sleep, insights, export, import,
backup.

Each route parses (the models in ``models.py``), calls the journal or :mod:`solemate.tonight`, and
formats;
refusals are raised as the services' own exceptions and turned into 4xx answers naming the field
by the handlers in ``errors.py``.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from pydantic import ValidationError
from starlette.background import BackgroundTask

from solemate import insights_service, safety_service, tonight
from solemate.diary import (
    QUESTION,
    QUESTIONS,
    DiaryAnswers,
    is_zone_name,
    read_answers,
    read_nap,
    starting_answers,
)
from solemate.journal import (
    DiaryRecord,
    ImportRefused,
    JournalError,
    MassageSession,
    NapRecord,
    Rating,
)
from solemate.plan import PlanOptions
from solemate.render.insights_view import insights_json
from solemate.safety import TONIGHT_PROMPT, SafetyChanges, Verdict
from solemate.web.cue_audio import MEDIA_TYPES, AudioFormat
from solemate.web.errors import ApiError
from solemate.web.models import (
    CsrfOut,
    FinishIn,
    ImportOut,
    IsoDate,
    NapIn,
    NapOut,
    PlanQuery,
    Problem,
    ProgressIn,
    ProgressOut,
    RatingIn,
    RatingOut,
    SafetyIn,
    SafetyOut,
    SessionDetail,
    SessionIn,
    SessionOut,
    SleepDefaults,
    SleepIn,
    SleepOut,
    TonightIn,
    TrackOut,
    VerdictOut,
)
from solemate.web.services import Services, services
from solemate.web.track import TRACK_FORMAT, TRACK_MEDIA_TYPE, TrackState
from solemate.wording_service import tonight_wording

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem} for code in (400, 403, 404, 409, 413, 422)
}
router = APIRouter(prefix="/api", responses=ERRORS)
Svc = Annotated[Services, Depends(services)]
SessionId = Annotated[int, PathParam(ge=1, le=2_147_483_647, description="A session's id.")]
Last = Annotated[int | None, Query(ge=1, le=100_000, description="Only the most recent N.")]
ZONE_LANG = "en"  # the language the web app shows (the routine's texts in it)


@router.get("/csrf", response_model=CsrfOut, tags=["security"])
def csrf(request: Request) -> CsrfOut:
    """The token to send back in the X-CSRF-Token header with every POST, PUT and DELETE."""
    return CsrfOut(token=request.state.csrf)


# --- plan ------------------------------------------------------------------------------------------


def plan_options(q: PlanQuery) -> PlanOptions:
    return PlanOptions(
        minutes=q.minutes,
        preset=q.preset,
        feet=q.feet,
        first_foot=q.first_foot,
        voice=q.voice,
        preparation=q.preparation,
        safety=SafetyChanges(gentle_only=q.gentle, skip_calf=q.skip_calf),
        wording=q.wording,
        counts=q.counts,
    )


def _query_parameters(model: type[PlanQuery]) -> list[dict[str, Any]]:
    """The model's fields as OpenAPI query parameters (the route validates them itself)."""
    schema = model.model_json_schema()
    return [
        {"name": name, "in": "query", "required": False, "schema": prop}
        for name, prop in schema["properties"].items()
    ]


@router.get(
    "/plan",
    tags=["plan"],
    responses={
        200: {
            "description": "The Timeline (docs/timeline-format.md)",
            "content": {"application/json": {}},
        }
    },
    openapi_extra={"parameters": _query_parameters(PlanQuery)},
)
async def get_plan(request: Request) -> Response:
    """Plan a session: the Timeline every player consumes. Pure: nothing is recorded.

    The hottest route (every player asks for it), so the query is validated here with the model
    directly and the answer for a query string seen before is served from memory: the planner is
    pure, so the same query always gives the same bytes.
    """
    svc: Services = request.app.state.services  # no dependency to solve on the hot path
    raw = request.scope["query_string"]
    body = svc.plan_answers.get(raw)
    if body is None:
        try:
            query = PlanQuery.model_validate_strings(dict(request.query_params))
        except ValidationError as error:
            raise RequestValidationError(
                [{**e, "loc": ("query", *e["loc"])} for e in error.errors()]
            ) from None
        body = svc.planner.json(plan_options(query))
        if len(svc.plan_answers) < 1024 and len(raw) < 512:
            svc.plan_answers[raw] = body
    return Response(body, media_type="application/json")


# --- safety ----------------------------------------------------------------------------------------


def _verdict_out(verdict: Verdict | None) -> VerdictOut | None:
    if verdict is None:
        return None
    return VerdictOut(
        level=verdict.level.value,
        summary=verdict.summary(),
        reasons=list(verdict.reasons),
        advice=list(verdict.advice),
        gentle_only=verdict.changes.gentle_only,
        skip_calf=verdict.changes.skip_calf,
        patch_test=verdict.changes.patch_test,
    )


def safety_out(svc: Services) -> SafetyOut:
    state = tonight.safety_state(svc.journal, svc.today())
    return SafetyOut.model_validate(
        {
            "questions": tonight.questions(),
            "needs_screen": state.needs_screen,
            "why": state.why,
            "screened_on": state.screened_on,
            "answers": state.answers,
            "verdict": _verdict_out(state.verdict),
            "tonight_prompt": TONIGHT_PROMPT,
            "tonight_questions": tonight.tonight_questions(),
            "checked_tonight": state.checked_tonight,
            "new_tonight": list(state.new_tonight),
            "check_clinician": bool(state.verdict and state.verdict.check_clinician_first),
            "needs_confirm": state.needs_confirm,
            "confirmed_on": state.confirmed_on,
            "may_start": state.may_start,
            "refusal": state.refusal("player"),
        }
    )


@router.get("/safety", response_model=SafetyOut, tags=["safety"])
def get_safety(svc: Svc) -> SafetyOut:
    """The safety questions, the last answers and whether they still hold."""
    return safety_out(svc)


@router.post("/safety", response_model=SafetyOut, tags=["safety"])
def post_safety(body: SafetyIn, svc: Svc) -> SafetyOut:
    """Answer every safety question (yes/no); the verdict is kept with the answers."""
    with svc.writing():
        tonight.record_screen(svc.journal, svc.today(), body.as_dict())
    return safety_out(svc)


@router.post("/safety/tonight", response_model=SafetyOut, tags=["safety"])
def post_safety_tonight(body: TonightIn, svc: Svc) -> SafetyOut:
    """Tonight's short check before the session: what is new tonight (``[]``: nothing new)."""
    with svc.writing():
        safety_service.record_tonight(svc.journal, svc.today(), body.new)
    return safety_out(svc)


@router.post("/safety/confirm", response_model=SafetyOut, tags=["safety"])
def post_safety_confirm(svc: Svc) -> SafetyOut:
    """The person has checked with a clinician, as an answer asked them to."""
    with svc.writing():
        safety_service.confirm_clinician(svc.journal, svc.today())
    return safety_out(svc)


# --- sessions --------------------------------------------------------------------------------------


def session_out(session: MassageSession, ratings: list[Rating]) -> SessionOut:
    own = {r.moment: r.stress for r in ratings if r.session_id == session.id}
    return SessionOut(
        id=session.id,
        status=session.status,
        routine_id=session.routine_id,
        routine_version=session.routine_version,
        planned_seconds=session.planned_seconds,
        played_seconds=session.played_seconds,
        created_at=session.created_at,
        started_at=session.started_at,
        ended_at=session.ended_at,
        foot=session.foot,
        step=session.step_index,
        step_id=session.step_id,
        progress_at=session.progress_at,
        options=dict(session.plan_options),
        before_stress=own.get("before"),
        after_stress=own.get("after"),
    )


def session_detail(svc: Services, session_id: int) -> SessionDetail:
    session = svc.journal.session(session_id)
    out = session_out(session, svc.journal.ratings(session_id=session_id))
    zones = {zone: info.name[ZONE_LANG] for zone, info in svc.planner.routine.zones.items()}
    evidence = svc.planner.routine.evidence[ZONE_LANG]
    try:
        timeline = tonight.session_timeline(svc.planner, session)
    except tonight.RoutineChanged as changed:
        return SessionDetail(
            session=out, timeline=None, zones=zones, evidence=evidence, note=str(changed)
        )
    audio = svc.cue_audio.register(timeline)
    track = None
    if session.status == "in_progress":
        track = track_out(svc.tracks.prepare(timeline))
    return SessionDetail(
        session=out,
        timeline=timeline.to_dict(),
        audio=audio,
        track=track,
        zones=zones,
        evidence=evidence,
    )


def track_out(state: TrackState) -> TrackOut:
    return TrackOut(
        url=f"/api/tracks/{state.digest}.{TRACK_FORMAT}",
        status_url=f"/api/tracks/{state.digest}",
        state=state.state,
        detail=state.detail,
    )


def _speed(svc: Services) -> float:
    """How much faster than the wall clock a page may play: a test server lets the player run
    ``?speed=`` times fast, so its played time is only held to the planned length."""
    return 1000.0 if svc.config.test_clock else 1.0


@router.get("/sessions", response_model=list[SessionOut], tags=["sessions"])
def list_sessions(svc: Svc, last: Last = None) -> list[SessionOut]:
    """Sessions, oldest first, with their before and after stress ratings."""
    with svc.writing():  # sessions left open for six hours are closed first
        listed = tonight.sessions(svc.journal, last=last)
    ratings = svc.journal.ratings()
    return [session_out(s, ratings) for s in listed]


@router.post("/sessions", response_model=SessionDetail, status_code=201, tags=["sessions"])
def start_session(body: SessionIn, svc: Svc) -> SessionDetail:
    """Start tonight's session (needs a current safety screen that allows it).

    Without a wording, the rule the terminal guide follows chooses: brief once the journal holds
    five completed sessions.
    """
    options = PlanOptions(
        minutes=body.minutes,
        preset=body.preset,
        feet=body.feet,
        first_foot=body.first_foot,
        voice=body.voice,
        preparation=body.preparation,
        wording=tonight_wording(svc.journal, body.wording).wording,
        counts=body.counts,
    )
    with svc.writing():
        session_id, _ = tonight.start_session(
            svc.journal, svc.planner, options, svc.today(), body.before_stress
        )
    svc.session_timelines.pop(session_id, None)  # an id can come back after a delete
    return session_detail(svc, session_id)


@router.get("/sessions/{session_id}", response_model=SessionDetail, tags=["sessions"])
def get_session(session_id: SessionId, svc: Svc) -> SessionDetail:
    """A session with its Timeline, planned again from its stored options."""
    return session_detail(svc, session_id)


@router.post("/sessions/{session_id}/progress", response_model=ProgressOut, tags=["sessions"])
def post_progress(session_id: SessionId, body: ProgressIn, svc: Svc) -> ProgressOut:
    """The player reached segment ``segment``: a step boundary is written to the journal.

    ``played_seconds``, when given, is the time played so far (clamped to the time since the start
    and to the planned length; the largest value seen is kept).
    """
    timeline = svc.session_timelines.get(session_id)
    if timeline is None:
        session = svc.journal.session(session_id)
        if session.status != "in_progress":
            raise ApiError(
                409,
                "session_id",
                f"session {session_id} is {session.status.replace('_', ' ')}, not in progress",
            )
        try:
            timeline = tonight.session_timeline(svc.planner, session)
        except tonight.RoutineChanged as changed:
            raise ApiError(409, "session_id", str(changed)) from None
        if len(svc.session_timelines) > 256:
            svc.session_timelines.clear()
        svc.session_timelines[session_id] = timeline
    if body.segment >= len(timeline.segments):
        raise ApiError(
            422,
            "segment",
            f"{body.segment} is past the last segment ({len(timeline.segments) - 1})",
        )
    with svc.writing():  # the journal refuses a session that is no longer in progress
        recorded = tonight.record_boundary(
            svc.journal, session_id, timeline, body.segment, body.played_seconds, _speed(svc)
        )
    segment = timeline.segments[body.segment]
    return ProgressOut(
        id=session_id, status="in_progress", recorded=recorded, foot=segment.foot, step=segment.step
    )


@router.post("/sessions/{session_id}/finish", response_model=SessionOut, tags=["sessions"])
def finish_session(session_id: SessionId, body: FinishIn, svc: Svc) -> SessionOut:
    """End the session: ``completed`` (the player reached the end) or ``interrupted`` (stopped early).

    A session that reached its end is recorded as completed only when at least 80 % of its planned
    time was played (``played_seconds``, the client's count); otherwise as ``skipped``.
    """
    with svc.writing():
        session = tonight.finish(
            svc.journal,
            session_id,
            body.status == "completed",
            body.played_seconds,
            _speed(svc),
        )
    return session_out(session, svc.journal.ratings(session_id=session_id))


@router.post("/sessions/{session_id}/ratings", response_model=RatingOut, tags=["ratings"])
def rate(session_id: SessionId, body: RatingIn, svc: Svc) -> RatingOut:
    """ "How stressed do you feel right now?" 0–10, before or after; a second answer replaces the first."""
    with svc.writing():
        rating = svc.journal.rate_stress(
            body.moment, body.stress, session_id=session_id, relaxation=body.relaxation
        )
    return RatingOut(
        id=rating.id,
        session_id=rating.session_id,
        moment=rating.moment,
        stress=rating.stress,
        relaxation=rating.relaxation,
        rated_at=rating.rated_at,
    )


@router.delete("/sessions/{session_id}", status_code=204, tags=["sessions"])
def delete_session(session_id: SessionId, svc: Svc) -> Response:
    """Delete a session and its ratings."""
    svc.journal.delete_entry("session", session_id)
    svc.session_timelines.pop(session_id, None)
    return Response(status_code=204)


@router.delete("/ratings/{rating_id}", status_code=204, tags=["ratings"])
def delete_rating(
    rating_id: Annotated[int, PathParam(ge=1, le=2_147_483_647)], svc: Svc
) -> Response:
    svc.journal.delete_entry("rating", rating_id)
    return Response(status_code=204)


# --- sleep diary -----------------------------------------------------------------------------------


def sleep_out(record: DiaryRecord) -> SleepOut:
    e = record.entry
    return SleepOut(
        id=record.id,
        wake_date=e.wake_date,
        zone=e.zone,
        into_bed=e.into_bed,
        tried_to_sleep=e.tried_to_sleep,
        sol_min=e.sol_min,
        awakenings=e.awakenings,
        waso_min=e.waso_min,
        final_awakening=e.final_awakening,
        out_of_bed=e.out_of_bed,
        quality=e.quality,
        quality_label=e.quality_label,
        comments=e.comments,
        tib_min=e.tib_min,
        tst_min=e.tst_min,
        se_pct=round(e.se_pct, 1),
    )


def diary_answers(body: SleepIn) -> DiaryAnswers:
    """The body's answers, read by the diary as the terminal's are (a malformed one is a 422)."""
    texts = {f: getattr(body, f) for f in QUESTION}
    return read_answers(texts, wake_date=body.wake_date, zone=body.zone, comments=body.comments)


def sleep_defaults(svc: Services, wake_date: dt.date) -> SleepDefaults:
    """Yesterday's answers (the latest entry before ``wake_date``); none on the first morning."""
    earlier = [r for r in svc.journal.diary(last=14) if r.entry.wake_date < wake_date]
    last = earlier[-1].entry if earlier else None
    start = starting_answers(last)
    return SleepDefaults(
        wake_date=wake_date,
        **{
            f: (start[f] or None) if q.kind == "time" else _whole(start[f])
            for f, q in QUESTION.items()
        },
        hints={q.field: q.hint for q in QUESTIONS},
        from_date=last.wake_date if last else None,
    )


def _whole(text: str) -> int | None:
    return int(text) if text else None


def nap_out(record: NapRecord) -> NapOut:
    return NapOut(
        id=record.id,
        on_date=record.on_date,
        zone=record.zone,
        start=record.start,
        end=record.end,
        minutes=record.minutes,
    )


@router.get("/naps", response_model=list[NapOut], tags=["sleep"])
def list_naps(svc: Svc, last: Last = None) -> list[NapOut]:
    """Daytime naps, oldest first: kept apart from the nights and never in their figures."""
    return [nap_out(r) for r in svc.journal.naps(last=last)]


@router.post("/naps", response_model=NapOut, status_code=201, tags=["sleep"])
def add_nap(body: NapIn, svc: Svc) -> NapOut:
    """A daytime nap (in and out of bed on one day between 09:00 and 20:00)."""
    today = svc.journal.today_in(body.zone) if is_zone_name(body.zone) else svc.today()
    nap = read_nap(body.on_date, body.zone, body.start, body.end, today=today)
    return nap_out(svc.journal.add_nap(nap))


@router.delete("/naps/{nap_id}", status_code=204, tags=["sleep"])
def delete_nap(nap_id: Annotated[int, PathParam(ge=1, le=2_147_483_647)], svc: Svc) -> Response:
    svc.journal.delete_entry("nap", nap_id)
    return Response(status_code=204)


@router.get("/sleep", response_model=list[SleepOut], tags=["sleep"])
def list_sleep(svc: Svc, last: Last = None) -> list[SleepOut]:
    """Diary entries by wake date, oldest first, with TIB, TST and SE."""
    return [sleep_out(r) for r in svc.journal.diary(last=last)]


@router.get("/sleep/defaults", response_model=SleepDefaults, tags=["sleep"])
def get_sleep_defaults(
    svc: Svc, wake_date: Annotated[IsoDate | None, Query()] = None
) -> SleepDefaults:
    """Sensible answers to start from: the last night's, or a typical night's."""
    return sleep_defaults(svc, wake_date or svc.today())


@router.post("/sleep", response_model=SleepOut, status_code=201, tags=["sleep"])
def add_sleep(body: SleepIn, svc: Svc) -> SleepOut:
    """This morning's diary (one entry per wake date)."""
    return sleep_out(svc.journal.add_diary(diary_answers(body)))


@router.get("/sleep/{wake_date}", response_model=SleepOut, tags=["sleep"])
def get_sleep(wake_date: IsoDate, svc: Svc) -> SleepOut:
    record = svc.journal.diary_entry(wake_date)
    if record is None:
        raise ApiError(404, "wake_date", f"no diary entry for {wake_date}")
    return sleep_out(record)


@router.put("/sleep/{wake_date}", response_model=SleepOut, tags=["sleep"])
def edit_sleep(wake_date: IsoDate, body: SleepIn, svc: Svc) -> SleepOut:
    """Replace the answers of a night (they may move it to another wake date)."""
    return sleep_out(svc.journal.edit_diary(wake_date, diary_answers(body)))


@router.delete("/sleep/{wake_date}", status_code=204, tags=["sleep"])
def delete_sleep(wake_date: IsoDate, svc: Svc) -> Response:
    svc.journal.delete_diary(wake_date)
    return Response(status_code=204)


# --- insights --------------------------------------------------------------------------------------

MAX_WEEKS = 520


@router.get(
    "/insights",
    tags=["insights"],
    responses={
        200: {
            "description": "The insights state, as `solemate insights --format json` prints it",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def get_insights(
    svc: Svc,
    weeks: Annotated[
        int, Query(ge=1, le=MAX_WEEKS, description="How many calendar weeks to look back.")
    ] = 6,
) -> Response:
    """Weekly means and trends of the diary, stress change, habit strength, minutes to
    lights-out, nights with and without a session (an observation, not proof), and device
    estimates kept apart from the diary."""
    state = insights_service.insights(svc.journal, svc.today(), weeks)
    return Response(insights_json(state), media_type="application/json")


# --- export, import, backup ------------------------------------------------------------------------


@router.get("/export", tags=["journal"])
def export(svc: Svc, download: bool = False) -> JSONResponse:
    """Everything in the journal as one versioned JSON document (import takes it back)."""
    response = JSONResponse(svc.journal.export())
    if download:
        name = f"solemate-export-{svc.today().isoformat()}.json"
        response.headers["content-disposition"] = f'attachment; filename="{name}"'
    return response


@router.post("/import", response_model=ImportOut, tags=["journal"])
def import_(
    svc: Svc,
    data: Annotated[dict[str, Any], Body(description="A document from GET /api/export.")],
    skip_bad: bool = False,
) -> ImportOut:
    """Import an export, all or nothing (or only its good rows with ``skip_bad``)."""
    try:
        report = svc.journal.import_export(data, skip_bad=skip_bad)
    except ImportRefused:
        raise
    except JournalError as error:
        raise ApiError(422, "data", error.message) from None
    return ImportOut(
        added=dict(report.added),
        unchanged=dict(report.unchanged),
        skipped=[str(p) for p in report.skipped],
    )


@router.get(
    "/backup",
    tags=["journal"],
    responses={
        200: {"description": "A SQLite database file, or the JSON export on other databases."}
    },
)
def backup(svc: Svc) -> FileResponse:
    """A consistent copy of the journal to download and keep."""
    folder = Path(tempfile.mkdtemp(prefix="solemate-backup-"))
    sqlite = svc.journal.dialect == "sqlite"
    name = f"solemate-backup-{svc.today().isoformat()}.{'sqlite3' if sqlite else 'json'}"
    try:
        path = svc.journal.backup(folder / name)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(
        path,
        filename=name,
        media_type="application/vnd.sqlite3" if sqlite else "application/json",
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


# --- cue audio -------------------------------------------------------------------------------------


@router.get(
    "/speech/{digest}.{fmt}",
    tags=["audio"],
    responses={
        200: {"content": {"audio/ogg": {}, "audio/wav": {}}, "description": "The cue, spoken."}
    },
)
def speech(
    digest: Annotated[str, PathParam(pattern=r"^[0-9a-f]{24}$")],
    fmt: AudioFormat,
    svc: Svc,
) -> Response:
    """One cue of a session this server planned, spoken by the offline speech engine."""
    data = svc.cue_audio.audio(digest, fmt)
    if data is None:
        raise ApiError(404, "digest", "no cue of a planned session has this digest")
    return Response(
        data,
        media_type=MEDIA_TYPES[fmt],
        headers={"cache-control": "public, max-age=31536000, immutable"},
    )


# --- session tracks --------------------------------------------------------------------------------

TrackDigest = Annotated[str, PathParam(pattern=r"^[0-9a-f]{32}$")]


@router.get(
    "/tracks/{digest}.mp3",
    tags=["audio"],
    responses={
        200: {"content": {TRACK_MEDIA_TYPE: {}}, "description": "The whole session, one file."},
        206: {"description": "The part of the file a Range header asked for."},
        409: {"description": "The track is still being rendered, or could not be."},
        416: {"description": "A range outside the file."},
    },
)
def track_file(digest: TrackDigest, svc: Svc) -> Response:
    """A session's whole track (MP3), with range requests for seeking and streaming."""
    state = svc.tracks.state(digest)
    if state is None:
        raise ApiError(404, "digest", "no session this server planned has this track")
    if state.state != "ready":
        what = "is still being rendered" if state.state == "rendering" else "could not be rendered"
        raise ApiError(
            409, "digest", f"this track {what}{': ' + state.detail if state.detail else ''}"
        )
    # Starlette's FileResponse answers Range requests itself: 206 with Content-Range, 416 with
    # "bytes */size" for a range outside the file, and Accept-Ranges on every answer.
    return FileResponse(
        svc.tracks.path(digest),
        media_type=TRACK_MEDIA_TYPE,
        headers={"cache-control": "private, max-age=31536000, immutable"},
    )


@router.get("/tracks/{digest}", response_model=TrackOut, tags=["audio"])
def track_status(digest: TrackDigest, svc: Svc) -> TrackOut:
    """Where the rendering of a session's track stands: rendering, ready or failed."""
    state = svc.tracks.state(digest)
    if state is None:
        raise ApiError(404, "digest", "no session this server planned has this track")
    return track_out(state)
