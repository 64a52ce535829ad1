"""Cue audio and session tracks the server rendered: ``/api/speech``, ``/api/tracks``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path as PathParam
from fastapi import Response
from fastapi.responses import FileResponse

from solemate.web.api.common import Svc, api_router
from solemate.web.cue_audio import MEDIA_TYPES, AudioFormat
from solemate.web.errors import ApiError
from solemate.web.models import (
    TrackOut,
)
from solemate.web.track import TRACK_FORMAT, TRACK_MEDIA_TYPE, TrackState

router = api_router()


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


def track_out(state: TrackState) -> TrackOut:
    return TrackOut(
        url=f"/api/tracks/{state.digest}.{TRACK_FORMAT}",
        status_url=f"/api/tracks/{state.digest}",
        state=state.state,
        detail=state.detail,
    )
