"""Cue audio for browsers that cannot speak English: the CLI's own voice, served as files.

A browser without an English speech-synthesis voice (a Linux Chromium, some Android builds, a
browser with speech turned off) fetches each cue of tonight's session as a small audio file and
plays it at the cue's time. The files are addressed by a digest of their text. Only texts that
belong to a Timeline this server has handed out can be asked for: the server never becomes a
speak-anything service for whoever reaches it. Files never change for a digest, so the browser and
its service worker keep them for good (tonight's audio works offline once fetched).

The voice is the CLI's default (the natural Kokoro voice unless ``SOLEMATE_VOICE`` or the config
says otherwise). A neural voice takes about half a second a phrase, so when a Timeline is handed
out its phrases are prepared in the background by worker processes; a file asked for meanwhile
waits for that work instead of loading a second copy of the model in the server.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from cachetools import LRUCache

from solemate.timeline import Timeline

if TYPE_CHECKING:
    from solemate.audio.speech import CachingSpeaker

__all__ = ["AudioFormat", "CueAudio", "SpeechUnavailable", "text_digest"]

AudioFormat = Literal["ogg", "wav"]
MEDIA_TYPES: dict[str, str] = {"ogg": "audio/ogg", "wav": "audio/wav"}

#: Texts the server will speak; a routine has a few hundred, so this is far above any real use.
MAX_TEXTS = 20_000
#: Encoded files kept in memory (a few tens of KB each as Ogg).
MAX_FILES = 512


class SpeechUnavailable(Exception):
    """The speech engine cannot run here (its library or voice data is missing)."""


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _prepared_or_under_way(future: Future[object] | None) -> bool:
    """Whether a phrase needs no new preparation: it is being made, or was made without error."""
    return future is not None and (not future.done() or future.exception() is None)


class CueAudio:
    def __init__(self, cache_dir: Path | None = None, voice: str | None = None) -> None:
        self._cache_dir = cache_dir
        self._voice = voice
        # The texts a Timeline handed out allows, the least recently handed out dropped first.
        # LRUCache is not thread-safe itself: ``_lock`` guards it.
        self._texts: LRUCache[str, str] = LRUCache(maxsize=MAX_TEXTS)
        # lru_cache is thread-safe; a text that cannot be said raises and is not kept.
        self._file = functools.lru_cache(maxsize=MAX_FILES)(self._make_file)
        self._lock = threading.Lock()
        self._engine: CachingSpeaker | None = None
        self._pending: dict[str, Future[object]] = {}
        self._one_at_a_time = threading.Lock()

    def register(self, timeline: Timeline) -> dict[str, str]:
        """Allow every cue text of ``timeline``; returns ``{text: digest}`` for the page."""
        out: dict[str, str] = {}
        with self._lock:
            for cue in timeline.cues:
                if cue.kind == "tick":
                    continue  # marked by a tick in the page, never said
                digest = out.get(cue.text) or text_digest(cue.text)
                out[cue.text] = digest
                self._texts[digest] = cue.text
            if len(self._pending) > MAX_TEXTS:
                kept = set(self._texts.values())
                self._pending = {t: f for t, f in self._pending.items() if t in kept}
        self._prepare_later(list(out))
        return out

    def prepare_ahead(self, timelines: list[Timeline]) -> None:
        """Say these sessions' phrases ahead in the background (tonight's likely sessions, at
        start), without allowing them to be fetched until a Timeline is handed out."""
        texts = [c.text for t in timelines for c in t.cues if c.kind != "tick"]
        self._prepare_later(list(dict.fromkeys(texts)))

    def _prepare_later(self, texts: list[str]) -> None:
        """Make a neural voice's phrases in the background (espeak-ng is instant when asked)."""
        from solemate.audio.voice_registry import is_parallel

        try:
            engine = self._speaker()
        except SpeechUnavailable:
            return  # said when a file is asked for
        if not is_parallel(engine):
            return
        with self._lock:
            texts = [t for t in texts if not _prepared_or_under_way(self._pending.get(t))]
            if not texts:
                return
            future: Future[object] = Future()
            for text in texts:
                self._pending[text] = future
        # A daemon thread: stopping the server must not wait for the phrases (workers end with it).
        threading.Thread(
            target=self._prepare, args=(texts, future), name="solemate-cue-voice", daemon=True
        ).start()

    def _prepare(self, texts: list[str], future: Future[object]) -> None:
        from solemate.audio.speak_ahead import prepare
        from solemate.audio.speech import DEFAULT_RATE
        from solemate.audio.voice_registry import SpeakerSpec

        try:
            with self._one_at_a_time:  # two workers at a time on the machine, not two per page
                future.set_result(
                    prepare(SpeakerSpec(self._voice, DEFAULT_RATE, self._cache_dir), texts)
                )
        except BaseException as exc:
            future.set_exception(exc)

    def known(self, digest: str) -> bool:
        with self._lock:
            return digest in self._texts

    def audio(self, digest: str, fmt: AudioFormat) -> bytes | None:
        """The encoded cue, or None for a digest no Timeline of this server has."""
        with self._lock:
            text = self._texts.get(digest)
        if text is None:
            return None
        return self._file(text, fmt)

    def _make_file(self, text: str, fmt: AudioFormat) -> bytes:
        return self._encode(*self._speak(text), fmt)

    def speaker_for(self, texts: list[str]) -> CachingSpeaker:
        """The engine of the cue files, once ``texts`` being made ahead are in its cache.

        A session's track is rendered with it: every phrase then comes from the cache the worker
        processes filled, so a neural voice's model is never loaded in the server itself.
        """
        engine = self._speaker()
        with self._lock:
            pending = [self._pending[t] for t in dict.fromkeys(texts) if t in self._pending]
        for future in dict.fromkeys(pending):
            with contextlib.suppress(Exception):
                future.result()
        return engine

    def _speaker(self) -> CachingSpeaker:
        from solemate.audio.speech import SpeechError
        from solemate.audio.voice_registry import resolve_voice

        with self._lock:
            engine = self._engine
        if engine is None:
            try:
                engine = resolve_voice(self._voice, cache_dir=self._cache_dir)
            except SpeechError as error:
                raise SpeechUnavailable(str(error)) from error
            with self._lock:
                self._engine = engine
        return engine

    def _speak(self, text: str) -> tuple[object, int]:
        from solemate.audio.speech import SpeechError

        engine = self._speaker()
        with self._lock:
            pending = self._pending.get(text)
        if pending is not None:
            # Then the phrase is in the cache; one the workers could not make is tried (and its
            # error reported) below.
            with contextlib.suppress(Exception):
                pending.result()
        try:
            return engine.synthesize(text), engine.sample_rate
        except SpeechError as error:
            raise SpeechUnavailable(str(error)) from error

    @staticmethod
    def _encode(samples: object, sample_rate: int, fmt: AudioFormat) -> bytes:
        import soundfile

        out = io.BytesIO()
        if fmt == "ogg":
            soundfile.write(out, samples, sample_rate, format="OGG", subtype="VORBIS")
        else:
            soundfile.write(out, samples, sample_rate, format="WAV", subtype="PCM_16")
        return out.getvalue()
