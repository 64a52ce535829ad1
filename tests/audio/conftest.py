"""Shared builders for the audio tests: one phrase cache kept between test runs (each phrase is
synthesized once however many tests and runs speak it), the tiny routine, and helpers that look at
rendered files from outside the project (ffprobe, an independent loudness meter)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs
import pytest

from solemate.audio.speech import SpeechEngine
from solemate.plan import PlanOptions, plan
from solemate.routine import Routine, load_routine
from solemate.timeline import Timeline
from tests.speech_cache import chosen_folder, wants_fresh

HERE = Path(__file__).resolve().parent
TINY = HERE / "tiny.toml"


@pytest.fixture(scope="session")
def speech_cache(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The phrase cache of the audio tests, kept between runs in the user's cache folder
    (``~/.cache/solemate-tests/speech``), like the product's own cache.

    The natural voice takes about three CPU-minutes to say the ritual tests' phrases; a phrase's key
    holds everything that changes its sound (text, voice, rate, model hash, engine version, cache
    format) and every file carries a checksum, so a kept phrase is the one a fresh run would make.
    The tests of making phrases use folders of their own. ``SOLEMATE_TEST_SPEECH_CACHE`` names
    another folder, or ``fresh`` for one made for this run alone (shared by pytest-xdist's
    workers: their temporary folders share a parent).
    """
    chosen = chosen_folder()
    if wants_fresh():
        base = tmp_path_factory.getbasetemp()
        folder = (base.parent if worker_id != "master" else base) / "speech-cache-shared"
    elif chosen is not None:
        folder = chosen
    else:
        folder = Path(platformdirs.user_cache_dir("solemate-tests")) / "speech"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def engine(speech_cache: Path) -> SpeechEngine:
    return SpeechEngine(cache_dir=speech_cache)


@pytest.fixture(scope="session")
def kokoro_models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private model folder: the model is joined from the installed parts once per test run,
    and removed afterwards (pytest keeps old temporary folders; this one is 92 MB)."""
    folder = tmp_path_factory.mktemp("kokoro-models")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def tiny() -> Routine:
    return load_routine(TINY)


def tiny_timeline(minutes: float = 1.5, **options: object) -> Timeline:
    return plan(load_routine(TINY), PlanOptions(minutes=minutes, **options))  # type: ignore[arg-type]


def ffprobe(path: Path) -> dict[str, Any]:
    """Duration and chapters as Debian's ffprobe reads them. A missing ffprobe fails the test:
    these checks are the point of the audio suite, never something to skip."""
    exe = shutil.which("ffprobe")
    if exe is None:
        pytest.fail("ffprobe is not installed (apt-get install ffmpeg); .ci/run installs it")
    out = subprocess.run(
        [exe, "-v", "error", "-print_format", "json", "-show_format", "-show_chapters", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def sox_seconds(path: Path) -> float:
    """The length ``sox --i`` reads from the file's own header (a second, independent reader)."""
    exe = shutil.which("sox")
    if exe is None:
        pytest.fail("sox is not installed (apt-get install sox); .ci/run installs it")
    out = subprocess.run([exe, "--i", "-D", str(path)], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def decode(path: Path) -> tuple[np.ndarray, int]:
    import soundfile as sf

    audio, rate = sf.read(str(path), dtype="float64", always_2d=True)
    return audio.mean(axis=1), int(rate)


def independent_loudness(audio: np.ndarray, rate: int) -> float:
    import pyloudnorm

    return float(pyloudnorm.Meter(rate).integrated_loudness(audio))


def independent_true_peak_db(audio: np.ndarray) -> float:
    """4× oversampled peak (scipy's polyphase resampler, as BS.1770 Annex 2 describes)."""
    from scipy.signal import resample_poly

    peak = float(np.max(np.abs(resample_poly(audio, 4, 1))))
    return float(20 * np.log10(peak))
