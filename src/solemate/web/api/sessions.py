"""Tonight's sessions, step by step, and their stress ratings: ``/api/sessions``, ``/api/ratings``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path as PathParam
from fastapi import Response

from solemate import tonight
from solemate.journal import (
    Journal,
    MassageSession,
    Rating,
)
from solemate.journal.reading import ratings_by_session
from solemate.names import unnamed
from solemate.plan import PlanOptions
from solemate.web.api.audio import track_out
from solemate.web.api.common import ZONE_LANG, Last, SessionId, Svc, api_router
from solemate.web.errors import ApiError
from solemate.web.models import (
    FinishIn,
    ProgressIn,
    ProgressOut,
    RatingIn,
    RatingOut,
    SessionDetail,
    SessionIn,
    SessionOut,
)
from solemate.web.people import check_own
from solemate.web.services import Services
from solemate.wording_service import tonight_wording

router = api_router()


def sessions_out(journal: Journal, listed: list[MassageSession]) -> list[SessionOut]:
    """``listed`` with their ratings (:func:`~solemate.journal.reading.ratings_by_session`)."""
    ratings = ratings_by_session(journal, listed)
    return [session_out(s, ratings.get(s.id, [])) for s in listed]


def session_out(session: MassageSession, ratings: list[Rating]) -> SessionOut:
    own = session.stress(ratings)
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
        giver=session.giver,
        receiver=session.receiver,
    )


def session_detail(svc: Services, session_id: int) -> SessionDetail:
    check_own(svc.journal, svc.here, "session", session_id)
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


def _speed(svc: Services) -> float:
    """How much faster than the wall clock a page may play: a test server lets the player run
    ``?speed=`` times fast, so its played time is only held to the planned length."""
    return 1000.0 if svc.config.test_clock else 1.0


@router.get("/sessions", response_model=list[SessionOut], tags=["sessions"])
def list_sessions(svc: Svc, last: Last = None) -> list[SessionOut]:
    """Sessions, oldest first, with their before and after stress ratings."""
    with svc.writing():  # sessions left open for six hours are closed first
        listed = tonight.sessions(svc.journal, last=last)
    return sessions_out(svc.journal, listed)


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
    receiver, giver = receiver_of(svc, body)
    with svc.writing():
        try:
            session_id, _ = tonight.start_session(
                receiver, svc.planner, options, svc.today(), body.before_stress, giver=giver
            )
        except tonight.SafetyRefused as refused:
            if giver is None:
                raise
            raise tonight.SafetyRefused(
                f"{_whose_screen(receiver.chosen_person)} decides (they answer it on their own "
                f"Tonight page): {refused.message}"
            ) from refused
    svc.session_timelines.pop(session_id, None)  # an id can come back after a delete
    return session_detail(svc, session_id)


def _whose_screen(receiver: str | None) -> str:
    """The receiver's safety screen, as the giver reads it: "Sam's safety screen". The journal's
    unnamed first person is ``me``, which the giver would read as themself, so it is not named."""
    if receiver is None or unnamed(receiver):
        return "The safety screen of the person you massage"
    return f"{receiver}'s safety screen"


def receiver_of(svc: Services, body: SessionIn) -> tuple[Journal, str | None]:
    """The journal acting for whoever is massaged, and who gives it (None: self-massage)."""
    if body.receiver is None or body.receiver == svc.here.person:
        return svc.journal, None
    if body.receiver not in svc.here.others:
        raise ApiError(422, "receiver", f"nobody else in this journal is called {body.receiver!r}")
    if body.voice != "partner":
        raise ApiError(422, "voice", "massaging someone else is spoken for a partner: 'partner'")
    return svc.journal.acting_for(body.receiver), svc.here.person


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
    check_own(svc.journal, svc.here, "session", session_id)
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
    check_own(svc.journal, svc.here, "session", session_id)
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
    check_own(svc.journal, svc.here, "session", session_id)
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
    check_own(svc.journal, svc.here, "session", session_id)
    svc.journal.delete_entry("session", session_id)
    svc.session_timelines.pop(session_id, None)
    return Response(status_code=204)


@router.delete("/ratings/{rating_id}", status_code=204, tags=["ratings"])
def delete_rating(
    rating_id: Annotated[int, PathParam(ge=1, le=2_147_483_647)], svc: Svc
) -> Response:
    check_own(svc.journal, svc.here, "rating", rating_id)
    svc.journal.delete_entry("rating", rating_id)
    return Response(status_code=204)
