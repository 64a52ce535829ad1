"""Tonight's session as one continuous audio track, rendered by the server for the web player.

A phone stops running a page's timers when its screen locks, so a player that says each cue from
page JavaScript stalls in a pocket. A media element does not: the browser keeps playing an
``<audio>`` element with the screen off, over plain http, with no wake lock. So the server renders
the whole session, from the same Timeline and through the same path as ``solemate render`` (the
phrase cache that :mod:`solemate.web.cue_audio` fills ahead, the chimes, −16 LUFS), as one MP3,
the format every browser plays, at speech bitrates (about 40 kbit/s mono: a 12-minute session is a
few MB).

Tracks are addressed by a digest of the Timeline and the voice, kept on disk, and rendered one at a
time, starting when a session's Timeline is handed out: a worker thread waits for the phrases made
ahead, then a process of its own renders (:mod:`solemate.audio._track_worker`), so the mixing and
encoding stack and its buffers (about 25 MB, kept by the server for good when it rendered in a
thread) are given back when the track is written, and requests do not wait on the render. Only
Timelines this server has handed out can be rendered or fetched. Until a track is ready the page
plays the session cue by cue, as before; that path stays as the fallback.
"""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from cachetools import LRUCache

from solemate.timeline import Timeline

if TYPE_CHECKING:
    from solemate.audio.speech import CachingSpeaker
    from solemate.web.config import WebConfig

__all__ = [
    "TRACK_FORMAT",
    "TRACK_MEDIA_TYPE",
    "SessionTracks",
    "TrackState",
    "track_digest",
    "track_folder",
]

log = logging.getLogger(__name__)

TRACK_FORMAT = "mp3"
TRACK_MEDIA_TYPE = "audio/mpeg"
#: Bumped when the rendering changes, so an older file on disk is not served for a new plan.
TRACK_VERSION = 1
#: Finished tracks kept on disk (a few MB each); the oldest go first.
MAX_TRACKS = 24
#: Digests this server will render; each needs a Timeline in memory (a few hundred cues).
MAX_KNOWN = 64

State = Literal["ready", "rendering", "failed"]


@dataclass(frozen=True)
class TrackState:
    """Where a session's audio track stands: ready, rendering or failed (with why)."""

    digest: str
    state: State
    detail: str = ""


def track_folder(config: WebConfig) -> Path:
    """Beside the phrase cache the tracks are made from."""
    from solemate.audio.speech import default_cache_dir

    return (config.speech_cache_dir or default_cache_dir()) / "tracks"


def track_digest(timeline: Timeline, voice: str | None) -> str:
    """The same session, voice and rendering give the same file."""
    body = json.dumps(
        {"v": TRACK_VERSION, "voice": voice or "", "timeline": timeline.to_dict()},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


class SessionTracks:
    """The tracks of the sessions this server planned: rendered in the background, kept on disk."""

    def __init__(
        self,
        # ``speaker(texts)``: the engine to say ``texts`` with, once any made ahead are cached.
        folder: Path,
        voice: str | None = None,
        speaker: Callable[[list[str]], CachingSpeaker] | None = None,
    ) -> None:
        self._folder = folder
        self._voice = voice
        self._speaker = speaker
        self._lock = threading.Lock()
        # The tracks that may be fetched, the least recently prepared dropped first (guarded by
        # ``_lock``: LRUCache is not thread-safe itself).
        self._known: LRUCache[str, Timeline] = LRUCache(maxsize=MAX_KNOWN)
        self._jobs: dict[str, Future[None]] = {}
        # One render at a time: the machine's cores are for the server and the voice too. Made
        # when first needed, so an app started again after close() (its lifespan) renders again.
        self._pool: ThreadPoolExecutor | None = None
        self._process: subprocess.Popen[str] | None = None  # the render running now, if any

    def path(self, digest: str) -> Path:
        return self._folder / f"{digest}.{TRACK_FORMAT}"

    def prepare(self, timeline: Timeline) -> TrackState:
        """Allow ``timeline``'s track to be fetched and start rendering it unless it is on disk."""
        digest = track_digest(timeline, self._voice)
        with self._lock:
            self._known[digest] = timeline
        return self._start(digest, timeline)

    def _start(self, digest: str, timeline: Timeline) -> TrackState:
        with self._lock:
            known = self._where(digest, self._jobs.get(digest))
            if known is not None:
                return known
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="solemate-track")
            self._jobs[digest] = self._pool.submit(self._render, digest, timeline)
            return TrackState(digest, "rendering")

    def _where(self, digest: str, job: Future[None] | None) -> TrackState | None:
        """Rendering, ready or failed; None when there is nothing yet (render it)."""
        if job is not None and not job.done():
            return TrackState(digest, "rendering")
        if self.path(digest).is_file():
            return TrackState(digest, "ready")
        if job is not None and job.exception() is not None:
            return TrackState(digest, "failed", str(job.exception()))
        return None

    def state(self, digest: str) -> TrackState | None:
        """Where a known track stands, or None for a digest no handed-out Timeline has."""
        with self._lock:
            if digest not in self._known:
                return None
            job = self._jobs.get(digest)
        known = self._where(digest, job)
        if known is not None:
            return known
        # Known, not on disk (pruned, or the folder was cleared): render it again.
        with self._lock:
            timeline = self._known.get(digest)
        if timeline is None:
            return None
        return self._start(digest, timeline)

    def ready_file(self, digest: str) -> Path | None:
        state = self.state(digest)
        if state is None or state.state != "ready":
            return None
        return self.path(digest)

    def wait(self, digest: str, timeout: float | None = None) -> TrackState | None:
        """Block until the track is rendered (tests, and the `render` benchmark)."""
        with self._lock:
            job = self._jobs.get(digest)
        if job is not None:
            try:
                job.result(timeout)
            except Exception:
                log.debug("track %s failed", digest, exc_info=True)
        return self.state(digest)

    def close(self) -> None:
        """Stop rendering: no new render starts, and the one running is stopped (it leaves no
        file: the renderer writes beside the track and renames)."""
        with self._lock:
            pool, self._pool = self._pool, None
            process = self._process
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        if process is not None and process.poll() is None:
            process.terminate()

    def _render(self, digest: str, timeline: Timeline) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        texts = [cue.text for cue in timeline.cues if cue.kind != "tick"]
        # Waits for the phrases being made ahead (raising when the voice cannot speak), so the
        # render process finds every phrase in the cache and loads no model.
        engine = self._speaker(texts) if self._speaker is not None else None
        speaker = None
        if engine is not None:
            from solemate.audio.speech import DEFAULT_RATE
            from solemate.audio.voice_registry import SpeakerSpec

            spec = SpeakerSpec(
                self._voice, getattr(engine, "rate", DEFAULT_RATE), engine.cache.folder
            ).resolved()
            speaker = {"voice": spec.voice, "rate": spec.rate, "cache_dir": str(spec.cache_dir)}
        request = {
            "timeline": timeline.to_dict(),
            "output": str(self.path(digest)),
            "format": TRACK_FORMAT,
            "voice": self._voice,
            "speaker": speaker,
        }
        answer = self._in_process_of_its_own(request)
        log.info(
            "track %s: %.0f s, %d bytes in %.1f s",
            digest,
            answer["seconds"],
            answer["bytes"],
            answer["total"],
        )
        self._prune(keep=digest)

    def _in_process_of_its_own(self, request: Mapping[str, object]) -> dict[str, float]:
        process = subprocess.Popen(
            [sys.executable, "-m", "solemate.audio._track_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        with self._lock:
            self._process = process
        try:
            out, err = process.communicate(json.dumps(request, default=str))
        finally:
            with self._lock:
                self._process = None
        lines = out.strip().splitlines()
        answer = json.loads(lines[-1]) if lines else {}
        if not answer.get("ok"):
            detail = answer.get("error") or (err.strip().splitlines() or ["no answer"])[-1]
            raise RuntimeError(str(detail))
        return {key: float(answer[key]) for key in ("seconds", "bytes", "total")}

    def _prune(self, keep: str) -> None:
        files = sorted(
            (p for p in self._folder.glob(f"*.{TRACK_FORMAT}") if p.stem != keep),
            key=lambda p: p.stat().st_mtime,
        )
        for old in files[: max(0, len(files) - (MAX_TRACKS - 1))]:
            old.unlink(missing_ok=True)
