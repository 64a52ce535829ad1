"""Sound: offline speech, chimes, and (for ``solemate render``) mixing, loudness and encoding.

The live guide and the file renderer share one speech engine and one phrase cache, so a phrase said
once by either is never synthesized again. Nothing here plays to a device.

Modules: ``speech`` (espeak-ng engine, phrase cache), ``neural`` (optional Piper voice), ``sounds``
(chimes), ``arrange`` (placement to the sample, chapters), ``ambient`` (beds and music), ``mix``
(block-by-block mixing, ducking, fades), ``loudness`` (BS.1770 meter), ``dsp`` (resampling, true-peak
limiter), ``encode`` (formats, atomic block writing), ``chapters`` (tags and chapters), ``render``
(the whole pipeline).
"""

from __future__ import annotations

from solemate.audio.ambient import Ambient
from solemate.audio.encode import Format
from solemate.audio.neural import PiperEngine
from solemate.audio.render import RenderError, RenderOptions, RenderResult, render_session
from solemate.audio.sounds import Chime, chime, end_chime, feet_chime, step_chime
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

__all__ = [
    "DEFAULT_RATE",
    "DEFAULT_VOICE",
    "MAX_RATE",
    "MIN_RATE",
    "Ambient",
    "CachingSpeaker",
    "Chime",
    "Format",
    "PiperEngine",
    "RenderError",
    "RenderOptions",
    "RenderResult",
    "Speaker",
    "SpeechEngine",
    "SpeechError",
    "chime",
    "default_cache_dir",
    "end_chime",
    "feet_chime",
    "render_session",
    "step_chime",
    "voices",
]
