"""The nightly ritual as a person hears it: 10, 12 and 15 minutes in both wordings, in the default
natural voice (planned with its own measured lengths, as guide and render do) and in espeak-ng,
rendered and checked from outside the project (ffprobe for the length, ffmpeg's silence detection
for how much of the file is voice and chimes)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from solemate.audio.render import RenderOptions, render_session
from solemate.audio.speak_ahead import prepare
from solemate.audio.voice_registry import SpeakerSpec
from solemate.plan import PlanOptions, plan_for_voice
from solemate.routine import builtin_routine
from tests.audio.conftest import ffprobe

SILENCE = "silencedetect=noise=-50dB:d=0.3"
"""Quiet is below −50 dBFS for at least 0.3 s: pauses between words count as voice."""

VOICED_AT_MOST = {"brief": 0.30, "full": 0.50}


def voiced_share(path: Path) -> float:
    """The share of the file that is not silence, as ffmpeg's silence detection measures it."""
    exe = shutil.which("ffmpeg")
    if exe is None:
        pytest.fail("ffmpeg is not installed (apt-get install ffmpeg); .ci/run installs it")
    out = subprocess.run(
        [exe, "-hide_banner", "-i", str(path), "-af", SILENCE, "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    silent = sum(float(x) for x in re.findall(r"silence_duration: ([0-9.]+)", out))
    duration = float(ffprobe(path)["format"]["duration"])
    return 1 - silent / duration


@pytest.mark.slow
@pytest.mark.parametrize("voice", ["heart", "espeak"])
@pytest.mark.parametrize("wording", ["brief", "full"])
@pytest.mark.parametrize("minutes", [10, 12, 15])
def test_the_nightly_ritual_is_exact_on_time_and_mostly_quiet(
    tmp_path: Path,
    speech_cache: Path,
    kokoro_models: Path,
    minutes: int,
    wording: str,
    voice: str,
) -> None:
    spec = SpeakerSpec(voice, cache_dir=speech_cache, model_dir=kokoro_models)
    options = PlanOptions(minutes=minutes, wording=wording)  # type: ignore[arg-type]
    timeline = plan_for_voice(builtin_routine(), options, lambda texts: prepare(spec, texts))
    out = tmp_path / f"{minutes}-{wording}.ogg"
    result = render_session(timeline, out, RenderOptions(date="2026-01-01"), speaker=spec.open())
    assert result.late_cues == 0
    assert float(ffprobe(out)["format"]["duration"]) == pytest.approx(minutes * 60, abs=0.05)
    share = voiced_share(out)
    print(f"\n{minutes} min {wording} in {voice}: voice and chimes {share:.1%} of the file")
    if minutes == 12:
        assert share <= VOICED_AT_MOST[wording]
    assert share <= VOICED_AT_MOST[wording] + 0.05
