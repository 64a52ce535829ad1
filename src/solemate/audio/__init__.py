"""Sound: offline speech, chimes, and (for ``solemate render``) mixing, loudness and encoding.

The live guide and the file renderer share one speech engine and one phrase cache, so a phrase said
once by either is never synthesized again. Nothing here plays to a device.

Modules: ``voice_registry`` (the curated voices; a name to an engine), ``kokoro`` (the natural
default voice), ``speech`` (espeak-ng engine, phrase cache), ``speak_ahead`` (a session's phrases
said ahead of time in worker processes, with their spoken lengths), ``neural`` (optional Piper
voice), ``sounds`` (chimes), ``arrange`` (placement to the sample, chapters), ``ambient`` (beds and
music), ``mix`` (block-by-block mixing, ducking, fades), ``loudness`` (BS.1770 meter), ``dsp``
(resampling, true-peak limiter), ``encode`` (formats, atomic block writing), ``chapters`` (tags and
chapters), ``render`` (the whole pipeline).
"""

from __future__ import annotations

from solemate.audio.ambient import Ambient
from solemate.audio.encode import Format
from solemate.audio.kokoro import KokoroEngine, ModelError
from solemate.audio.neural import PiperEngine
from solemate.audio.render import RenderError, RenderOptions, RenderResult, render_session
from solemate.audio.sounds import Chime, chime, end_chime, feet_chime, step_chime
from solemate.audio.speak_ahead import prepare
from solemate.audio.speech import (
    DEFAULT_RATE,
    DEFAULT_VOICE,
    MAX_RATE,
    MIN_RATE,
    CachingSpeaker,
    Speaker,
    SpeechEngine,
    SpeechError,
    default_cache_dir,
    voices,
)
from solemate.audio.voice_registry import (
    CURATED,
    SpeakerSpec,
    UnknownVoice,
    Voice,
    default_voice,
    resolve_voice,
)

__all__ = [
    "CURATED",
    "DEFAULT_RATE",
    "DEFAULT_VOICE",
    "MAX_RATE",
    "MIN_RATE",
    "Ambient",
    "CachingSpeaker",
    "Chime",
    "Format",
    "KokoroEngine",
    "ModelError",
    "PiperEngine",
    "RenderError",
    "RenderOptions",
    "RenderResult",
    "Speaker",
    "SpeakerSpec",
    "SpeechEngine",
    "SpeechError",
    "UnknownVoice",
    "Voice",
    "chime",
    "default_cache_dir",
    "default_voice",
    "end_chime",
    "feet_chime",
    "prepare",
    "render_session",
    "resolve_voice",
    "step_chime",
    "voices",
]
