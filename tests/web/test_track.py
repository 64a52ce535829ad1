"""The session track: rendered in the background, served with range requests, refused garbage.

The file is checked as a player hears it: ffprobe's duration is the plan's length and ffmpeg decodes
it without a complaint. Ranges follow RFC 9110: 206 with Content-Range for a range in the file, 416
with ``bytes */size`` for one outside it, and the whole file with Accept-Ranges without one.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from solemate.audio.speech import CachingSpeaker
from solemate.timeline import Timeline
from solemate.web.config import WebConfig
from solemate.web.cue_audio import SpeechUnavailable
from solemate.web.track import SessionTracks
from tests.web.conftest import Client

#: The tests of the rendering itself render for real (see tests/conftest.py); the others, about
#: played time and names, need a session and not its track.
renders = pytest.mark.tracks


@pytest.fixture
def needs_ffmpeg() -> None:
    """ffprobe and ffmpeg check the track from outside; missing, the test fails (never skips)."""
    if shutil.which("ffprobe") is None or shutil.which("ffmpeg") is None:
        pytest.fail("ffmpeg is not installed (apt-get install ffmpeg); .ci/run installs it")


def ready_track(client: Client, **body: Any) -> tuple[dict[str, Any], bytes]:
    client.screen()
    detail = client.start(**body)
    track = detail["track"]
    digest = track["url"].rsplit("/", 1)[1].removesuffix(".mp3")
    services = client.http.app.state.services  # type: ignore[attr-defined]
    state = services.tracks.wait(digest, timeout=120)
    assert state is not None
    assert state.state == "ready", state
    response = client.get(track["url"])
    assert response.status_code == 200, response.text
    return detail, response.content


@renders
def test_a_started_session_names_its_track(client: Client) -> None:
    client.screen()
    detail = client.start()
    track = detail["track"]
    assert track["state"] in {"rendering", "ready"}
    assert track["url"].startswith("/api/tracks/")
    assert track["url"].endswith(".mp3")
    assert track["status_url"] == track["url"].removesuffix(".mp3")
    status = client.get(track["status_url"])
    assert status.status_code == 200
    assert status.json()["url"] == track["url"]


@renders
@pytest.mark.slow  # renders with a real voice
@pytest.mark.usefixtures("needs_ffmpeg")
def test_the_track_is_the_whole_session_and_decodes(client: Client, tmp_path: Path) -> None:
    detail, data = ready_track(client)
    path = tmp_path / "track.mp3"
    path.write_bytes(data)
    probe = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "format=duration,bit_rate",
            "-of",
            "json",
            path,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    fmt = json.loads(probe.stdout)["format"]
    total = detail["timeline"]["total"]
    # MP3 frames add a few tens of milliseconds of encoder padding at most.
    assert abs(float(fmt["duration"]) - total) < 0.15, (fmt, total)
    # Speech bitrate: small enough for a phone on a home network (about 30 kbit/s).
    assert int(fmt["bit_rate"]) < 64_000
    decode = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"], capture_output=True, text=True
    )
    assert decode.returncode == 0
    assert decode.stderr == ""


@renders
@pytest.mark.slow  # renders with a real voice
def test_range_requests(client: Client) -> None:
    detail, whole = ready_track(client)
    url = detail["track"]["url"]
    size = len(whole)
    full = client.get(url)
    assert full.headers["accept-ranges"] == "bytes"
    assert full.headers["content-type"] == "audio/mpeg"
    assert int(full.headers["content-length"]) == size

    first = client.get(url, headers={"range": "bytes=0-99"})
    assert first.status_code == 206
    assert first.headers["content-range"] == f"bytes 0-99/{size}"
    assert first.content == whole[:100]

    middle = client.get(url, headers={"range": f"bytes={size // 2}-"})
    assert middle.status_code == 206
    assert middle.headers["content-range"] == f"bytes {size // 2}-{size - 1}/{size}"
    assert middle.content == whole[size // 2 :]

    last = client.get(url, headers={"range": "bytes=-50"})
    assert last.status_code == 206
    assert last.content == whole[-50:]

    past_the_end = client.get(url, headers={"range": f"bytes={size + 10}-"})
    assert past_the_end.status_code == 416
    assert past_the_end.headers["content-range"] == f"bytes */{size}"


@renders
@pytest.mark.parametrize("value", ["bytes=abc", "bytes=9-2", "lines=0-9", "bytes=", "bytes=--1"])
def test_garbage_ranges_are_refused_without_a_traceback(client: Client, value: str) -> None:
    detail, _ = ready_track(client)
    response = client.get(detail["track"]["url"], headers={"range": value})
    assert response.status_code in {400, 416}, (value, response.status_code)
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/tracks/" + "0" * 32 + ".mp3", 404),  # well formed, never handed out
        ("/api/tracks/" + "0" * 32, 404),
        ("/api/tracks/NOTHEX.mp3", 422),
        ("/api/tracks/" + "a" * 31 + ".mp3", 422),
        ("/api/tracks/" + "a" * 33, 422),
        ("/api/tracks/..%2F..%2Fjournal.sqlite3", 404),
    ],
)
def test_unknown_or_garbage_track_names(client: Client, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text
    if status == 422:
        assert response.json()["field"] == "digest"


class Blocked:
    """A voice that waits until the test lets it speak (or fails): the track stays 'rendering'."""

    def __init__(self, fail: bool = False) -> None:
        self.go = threading.Event()
        self.fail = fail

    def __call__(self, texts: list[str]) -> CachingSpeaker:
        self.go.wait(30)
        if self.fail:
            raise SpeechUnavailable("espeak-ng is not installed")
        from solemate.audio.voice_registry import resolve_voice

        return resolve_voice("espeak")


@renders
@pytest.mark.slow  # renders with a real voice
def test_a_track_being_rendered_is_409_then_served(client: Client, tmp_path: Path) -> None:
    services = client.http.app.state.services  # type: ignore[attr-defined]
    voice = Blocked()
    services.tracks = SessionTracks(tmp_path / "tracks", "espeak", voice)
    client.screen()
    track = client.start(minutes=10)["track"]
    assert track["state"] == "rendering"
    early = client.get(track["url"])
    assert early.status_code == 409
    assert early.json()["field"] == "digest"
    assert "being rendered" in early.json()["detail"]
    assert client.get(track["status_url"]).json()["state"] == "rendering"
    voice.go.set()
    digest = track["status_url"].rsplit("/", 1)[1]
    assert services.tracks.wait(digest, timeout=120).state == "ready"
    assert client.get(track["url"]).status_code == 200
    services.tracks.close()


@renders
def test_a_track_that_cannot_be_rendered_says_why(client: Client, tmp_path: Path) -> None:
    services = client.http.app.state.services  # type: ignore[attr-defined]
    voice = Blocked(fail=True)
    services.tracks = SessionTracks(tmp_path / "tracks", "espeak", voice)
    client.screen()
    track = client.start(minutes=10)["track"]
    voice.go.set()
    digest = track["status_url"].rsplit("/", 1)[1]
    state = services.tracks.wait(digest, timeout=30)
    assert state.state == "failed"
    assert "espeak-ng" in state.detail
    response = client.get(track["url"])
    assert response.status_code == 409
    assert "could not be rendered" in response.json()["detail"]
    assert client.get(track["status_url"]).json()["state"] == "failed"
    assert not list((tmp_path / "tracks").glob("*.mp3"))  # nothing half-written is served
    services.tracks.close()


@renders
def test_closed_tracks_render_again_when_the_app_starts_again(
    client: Client, tmp_path: Path
) -> None:
    """An app's lifespan closes its tracks; started again (a second TestClient, a restarted
    server in one process) it renders again instead of failing on a shut-down pool."""
    services = client.http.app.state.services  # type: ignore[attr-defined]
    voice = Blocked(fail=True)
    services.tracks = SessionTracks(tmp_path / "tracks", "espeak", voice)
    services.tracks.close()
    client.screen()
    track = client.start(minutes=10)["track"]
    assert track["state"] == "rendering"
    voice.go.set()
    digest = track["status_url"].rsplit("/", 1)[1]
    assert services.tracks.wait(digest, timeout=30).state == "failed"  # it ran, and said why


@renders
def test_a_finished_session_has_no_track_to_render(client: Client) -> None:
    client.screen()
    session_id = client.start()["session"]["id"]
    assert client.post(f"/api/sessions/{session_id}/finish", json={}).status_code == 200
    assert client.get(f"/api/sessions/{session_id}").json()["track"] is None


@pytest.mark.parametrize("value", [-1, "abc", 86_401, "NaN", "Infinity", None, [], {"s": 1}])
@pytest.mark.parametrize("route", ["progress", "finish"])
def test_garbage_played_seconds(client: Client, route: str, value: Any) -> None:
    client.screen()
    session_id = client.start()["session"]["id"]
    before = client.export()
    body: dict[str, Any] = {"played_seconds": value}
    if route == "progress":
        body["segment"] = 1
    response = client.post(f"/api/sessions/{session_id}/{route}", json=body)
    if value is None:  # the field is optional: null is "not given"
        assert response.status_code == 200, response.text
        return
    assert response.status_code == 422, (value, response.text)
    assert response.json()["field"] == "played_seconds"
    assert "Traceback" not in response.text
    assert client.export() == before


@pytest.mark.parametrize("route", ["progress", "finish"])
def test_played_seconds_is_taken(client: Client, route: str) -> None:
    client.screen()
    session_id = client.start()["session"]["id"]
    body: dict[str, Any] = {"played_seconds": 61.5}
    if route == "progress":
        body["segment"] = 1
    response = client.post(f"/api/sessions/{session_id}/{route}", json=body)
    assert response.status_code == 200, response.text


@renders
def test_a_server_started_for_the_night_renders_last_nights_track(
    config: WebConfig, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from solemate.web import create_app
    from solemate.web.track import track_digest

    first = create_app(config)
    with TestClient(first, base_url="http://127.0.0.1") as http:
        client = Client(http)
        client.screen()
        detail = client.start(minutes=14)
        session_id = detail["session"]["id"]
        assert client.post(f"/api/sessions/{session_id}/finish", json={}).status_code == 200
    again = create_app(dataclasses.replace(config, prepare_at_start=True))
    services = again.state.services
    voice = Blocked()
    services.tracks = SessionTracks(tmp_path / "ahead", config.voice, voice)
    timeline = Timeline.from_dict(detail["timeline"])
    digest = track_digest(timeline, config.voice)
    assert services.tracks.state(digest) is None  # nothing until the server starts
    with TestClient(again, base_url="http://127.0.0.1"):
        state = services.tracks.state(digest)
        assert state is not None
        assert state.state == "rendering"  # on the worker, while the server already answers
    voice.go.set()
