"""An optional neural voice through Piper, for people who want a more natural voice than espeak-ng.

Piper is a large optional extra (``pip install 'solemate[neural]'``) and ships no voice: the person
downloads a ``.onnx`` voice with its ``.onnx.json`` beside it and passes the path. Everything else
(the phrase cache, the renderers) is the same as for :class:`~solemate.audio.speech.SpeechEngine`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from solemate.audio.speech import (
    DEFAULT_RATE,
    MAX_RATE,
    MIN_RATE,
    Audio,
    PhraseCache,
    SpeechError,
    cache_key,
    default_cache_dir,
)

INSTALL_HINT = "pip install 'solemate[neural]'"


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:16]


class PiperEngine:
    """A Piper ``.onnx`` voice with the same interface and cache as the espeak-ng engine.

    ``rate`` maps onto Piper's length scale (``DEFAULT_RATE / rate``): 145 is the voice's own pace.
    """

    def __init__(
        self, model: Path | str, rate: int = DEFAULT_RATE, cache_dir: Path | None = None
    ) -> None:
        model = Path(model)
        if model.suffix != ".onnx":
            raise SpeechError(f"a Piper voice is an .onnx file, got {str(model)!r}")
        if not model.is_file():
            raise SpeechError(f"no Piper voice model at {model}")
        config = model.with_name(model.name + ".json")
        if not config.is_file():
            raise SpeechError(
                f"the Piper voice {model.name} needs its config file beside it: {config}"
            )
        if not MIN_RATE <= rate <= MAX_RATE:
            raise SpeechError(f"speech rate must be from {MIN_RATE} to {MAX_RATE}, got {rate}")
        try:
            from piper import PiperVoice  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            raise SpeechError(
                f"neural voices need the optional Piper extra, which is not installed: {INSTALL_HINT}"
            ) from None
        self.model = model
        self.rate = rate
        self._voice: Any = PiperVoice.load(str(model), config_path=str(config))
        self.sample_rate = int(self._voice.config.sample_rate)
        self.cache = PhraseCache(cache_dir if cache_dir is not None else default_cache_dir())
        self.engine = f"piper {_file_digest(model)}"

    def cache_key(self, text: str) -> str:
        return cache_key(self.engine, self.model.name, self.rate, text)

    def synthesize(self, text: str) -> Audio:
        """``text`` spoken, trimmed of silence; from the cache when it was said before."""
        return self.cache.spoken(self.cache_key(text), self.sample_rate, lambda: self._render(text))

    def _render(self, text: str) -> npt.NDArray[np.int16]:
        length_scale = DEFAULT_RATE / self.rate
        voice = self._voice
        if hasattr(voice, "synthesize_stream_raw"):  # piper-tts 1.2
            raw = b"".join(voice.synthesize_stream_raw(text, length_scale=length_scale))
            return np.frombuffer(raw, dtype="<i2").copy()
        from piper import SynthesisConfig  # piper-tts 1.3 and later

        chunks = voice.synthesize(text, syn_config=SynthesisConfig(length_scale=length_scale))
        parts = [np.asarray(chunk.audio_int16_array, dtype=np.int16) for chunk in chunks]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)

    def voices(self) -> list[str]:
        return [str(self.model)]
