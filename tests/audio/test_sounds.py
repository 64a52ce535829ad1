"""Chimes: deterministic, soft, distinct, and ending in silence."""

from __future__ import annotations

import numpy as np
import pytest

from solemate.audio.sounds import CHIME_PEAK, Chime, chime, end_chime, feet_chime, step_chime

RATES = [22050, 24000, 48000]


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("kind", list(Chime))
def test_chimes_are_deterministic_float32_and_end_in_silence(kind: Chime, rate: int) -> None:
    a, b = chime(kind, rate), chime(kind, rate)
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.float32
    assert float(np.max(np.abs(a))) == pytest.approx(CHIME_PEAK, rel=1e-5)
    assert a[0] == 0.0
    assert abs(float(a[-1])) < 1e-6


def test_lengths() -> None:
    assert step_chime(22050).size == round(1.2 * 22050)
    assert feet_chime(22050).size == round(1.6 * 22050)
    assert end_chime(48000).size == 3 * 48000


def _dominant_hz(audio: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(audio))
    return float(np.argmax(spectrum) * rate / audio.size)


def test_the_three_chimes_sound_different() -> None:
    rate = 22050
    step, feet, end = step_chime(rate), feet_chime(rate), end_chime(rate)
    assert _dominant_hz(step, rate) == pytest.approx(659.26, abs=2)
    assert _dominant_hz(end, rate) == pytest.approx(220, abs=2)
    # The feet chime has two onsets (two notes); the step chime has one.
    envelope = np.abs(feet)
    second_note = round(0.38 * rate)
    assert (
        envelope[second_note : second_note + 2000].max()
        > 2 * envelope[second_note - 2000 : second_note].max()
    )
