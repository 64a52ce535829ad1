"""Cue audio for browsers that cannot speak English: the CLI's own speech engine, served as files.

A browser without an English speech-synthesis voice (a Linux Chromium, some Android builds, a
browser with speech turned off) fetches each cue of tonight's session as a small audio file and
plays it at the cue's time. The files are addressed by a digest of their text. Only texts that
belong to a Timeline this server has handed out can be asked for: the server never becomes a
speak-anything service for whoever reaches it. Files never change for a digest, so the browser and
its service worker keep them for good (tonight's audio works offline once fetched).
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Literal

from solemate.timeline import Timeline

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


class CueAudio:
    def __init__(self, cache_dir: Path | None = None) -> None:
        self._cache_dir = cache_dir
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._files: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._engine: object | None = None

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
                self._texts.move_to_end(digest)
            while len(self._texts) > MAX_TEXTS:
                self._texts.popitem(last=False)
        return out

    def known(self, digest: str) -> bool:
        with self._lock:
            return digest in self._texts

    def audio(self, digest: str, fmt: AudioFormat) -> bytes | None:
        """The encoded cue, or None for a digest no Timeline of this server has."""
        with self._lock:
            text = self._texts.get(digest)
            kept = self._files.get((digest, fmt))
            if kept is not None:
                self._files.move_to_end((digest, fmt))
                return kept
        if text is None:
            return None
        data = self._encode(self._speak(text), fmt)
        with self._lock:
            self._files[(digest, fmt)] = data
            while len(self._files) > MAX_FILES:
                self._files.popitem(last=False)
        return data

    def _speak(self, text: str) -> object:
        from solemate.audio.speech import SpeechEngine, SpeechError

        with self._lock:
            engine = self._engine
        if engine is None:
            try:
                engine = SpeechEngine(cache_dir=self._cache_dir)
            except SpeechError as error:
                raise SpeechUnavailable(str(error)) from error
            with self._lock:
                self._engine = engine
        assert isinstance(engine, SpeechEngine)
        try:
            return engine.synthesize(text)
        except SpeechError as error:
            raise SpeechUnavailable(str(error)) from error

    @staticmethod
    def _encode(samples: object, fmt: AudioFormat) -> bytes:
        import soundfile

        from solemate.audio.speech import SAMPLE_RATE

        out = io.BytesIO()
        if fmt == "ogg":
            soundfile.write(out, samples, SAMPLE_RATE, format="OGG", subtype="VORBIS")
        else:
            soundfile.write(out, samples, SAMPLE_RATE, format="WAV", subtype="PCM_16")
        return out.getvalue()
