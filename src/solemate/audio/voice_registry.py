"""The voices solemate offers, in one list, and the one function that turns a name into an engine.

The CLI (``--voice``, ``solemate voices``), the web app's cue audio and :func:`~solemate.audio.
prepare.prepare` all go through :func:`resolve_voice`, so a name means the same voice everywhere.
Besides the curated names, any espeak-ng voice name (``en-us+f2``, ``en-gb-x-rp+f3``) and a Piper
``.onnx`` file (with the optional extra) are still accepted.

The default is the Kokoro voice ``heart``: the most intelligible and natural voice that installs
with pip alone under a licence that allows any use (Apache-2.0). The settings (the ``voice`` key
or ``SOLEMATE_VOICE``, see :mod:`solemate.settings`) change it: the shells pass that choice down as
``default``; nothing here reads the environment.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from solemate.audio.speech import DEFAULT_RATE, DEFAULT_VOICE, CachingSpeaker, SpeechError
from solemate.settings import ENV_VARS

#: The variable the shells read the default voice from.
ENV_VOICE = ENV_VARS["voice"]

Engine = Literal["kokoro", "espeak"]


@dataclass(frozen=True)
class Voice:
    """A voice solemate can speak with: its engine, language and licence."""

    name: str
    engine: Engine
    ident: str
    """The engine's own name: a Kokoro style (``af_heart``) or an espeak-ng voice (``en-us+f2``)."""
    language: str
    sex: Literal["female", "male"]
    licence: str
    description: str
    default: bool = False


CURATED: tuple[Voice, ...] = (
    Voice(
        "heart", "kokoro", "af_heart", "en-us", "female", "Apache-2.0",
        "calm and clear; Kokoro's best-rated voice", default=True,
    ),
    Voice(
        "bella", "kokoro", "af_bella", "en-us", "female", "Apache-2.0",
        "brighter; Kokoro's second best-rated voice",
    ),
    Voice(
        "fenrir", "kokoro", "am_fenrir", "en-us", "male", "Apache-2.0",
        "the clearest male voice in a recognizer test",
    ),
    Voice(
        "emma", "kokoro", "bf_emma", "en-gb", "female", "Apache-2.0",
        "British English",
    ),
    Voice(
        "george", "kokoro", "bm_george", "en-gb", "male", "Apache-2.0",
        "British English",
    ),
    Voice(
        "espeak", "espeak", DEFAULT_VOICE, "en-us", "female", "GPL-3.0-or-later",
        "espeak-ng: robotic, but instant and tiny (the fallback)",
    ),
)  # fmt: skip

DEFAULT_NAME = next(v.name for v in CURATED if v.default)


class UnknownVoice(SpeechError):
    """A voice name that is neither curated, nor an espeak-ng voice, nor a Piper file."""


def curated(name: str) -> Voice | None:
    return next((v for v in CURATED if v.name == name), None)


def default_voice(chosen: str | None = None) -> str:
    """The voice used when none is asked for: the one the settings chose, else
    :data:`DEFAULT_NAME`."""
    return (chosen or "").strip() or DEFAULT_NAME


def unknown_message(name: str) -> str:
    names = ", ".join(f"{v.name} (default)" if v.default else v.name for v in CURATED)
    return (
        f"unknown voice {name!r}; choose one of {names}, "
        "or an espeak-ng voice from 'solemate voices --all'"
    )


def resolve_voice(
    name: str | None = None,
    rate: int = DEFAULT_RATE,
    cache_dir: Path | None = None,
    model_dir: Path | None = None,
    default: str | None = None,
) -> CachingSpeaker:
    """The engine for a voice name (None: ``default``, the settings' voice, else
    :data:`DEFAULT_NAME`) at ``rate`` words a minute.

    Raises :class:`UnknownVoice` for a name that is nothing known, :class:`SpeechError` for a
    rate out of range or an engine that cannot start. Building a Kokoro engine loads nothing:
    the model is checked and loaded on the first phrase not already cached.
    """
    from solemate.audio.kokoro import KokoroEngine
    from solemate.audio.speech import SpeechEngine

    name = name if name is not None else default_voice(default)
    voice = curated(name)
    if voice is not None and voice.engine == "kokoro":
        return KokoroEngine(voice.ident, rate, voice.language, cache_dir, model_dir)
    if voice is not None:
        return SpeechEngine(voice.ident, rate, cache_dir)
    if name.endswith(".onnx"):
        from solemate.audio.neural import PiperEngine

        return PiperEngine(name, rate, cache_dir)
    if not name.startswith("en"):
        raise UnknownVoice(unknown_message(name))
    try:
        return SpeechEngine(name, rate, cache_dir)
    except SpeechError as exc:
        if "unknown voice" in str(exc):
            raise UnknownVoice(unknown_message(name)) from None
        raise


def is_parallel(speaker: CachingSpeaker) -> bool:
    """Whether many phrases are best made by worker processes (a neural engine) or here (espeak)."""
    from solemate.audio.speech import SpeechEngine

    return not isinstance(speaker, SpeechEngine)


@dataclass(frozen=True)
class SpeakerSpec:
    """A voice as a plain value that can cross to a worker process, which builds its own engine."""

    voice: str | None = None
    rate: int = DEFAULT_RATE
    cache_dir: Path | None = None
    model_dir: Path | None = None

    def resolved(self) -> SpeakerSpec:
        """The same spec with the default voice filled in (so workers agree with the parent)."""
        return self if self.voice is not None else replace(self, voice=default_voice())

    def open(self) -> CachingSpeaker:
        return resolve_voice(self.voice, self.rate, self.cache_dir, self.model_dir)
