"""Sound: offline speech, chimes, and (for ``solemate render``) mixing, loudness and encoding.

The live guide and the file renderer share one speech engine and one phrase cache, so a phrase said
once by either is never synthesized again. Nothing here plays to a device.
"""

from __future__ import annotations

from solemate.audio.neural import PiperEngine
from solemate.audio.sounds import Chime, chime, end_chime, feet_chime, step_chime
from solemate.audio.speech import (
    DEFAULT_RATE,
    DEFAULT_VOICE,
    MAX_RATE,
    MIN_RATE,
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
    "Chime",
    "PiperEngine",
    "Speaker",
    "SpeechEngine",
    "SpeechError",
    "chime",
    "default_cache_dir",
    "end_chime",
    "feet_chime",
    "step_chime",
    "voices",
]
