"""Chimes: deterministic, soft, distinct, and ending in silence."""

from __future__ import annotations

import numpy as np
import pytest

from solemate.audio.sounds import (
    CHIME_PEAK,
    TICK_PEAK,
    Chime,
    chime,
    end_chime,
    feet_chime,
    step_chime,
    tick,
)

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


@pytest.mark.parametrize("rate", RATES)
def test_the_tick_is_short_soft_and_ends_in_silence(rate: int) -> None:
    a = tick(rate)
    np.testing.assert_array_equal(a, tick(rate))
    assert a.dtype == np.float32
    assert a.size == round(0.25 * rate)
    assert float(np.max(np.abs(a))) == pytest.approx(TICK_PEAK, rel=1e-5)
    assert TICK_PEAK < CHIME_PEAK / 2
    assert a[0] == 0.0
    assert abs(float(a[-1])) < 1e-6


def test_the_tick_has_no_hard_edge_and_no_ring() -> None:
    rate = 48000
    a = tick(rate).astype(np.float64)
    # a soft onset: no sample-to-sample jump bigger than a smooth 392 Hz wave at the tick's peak makes
    assert float(np.max(np.abs(np.diff(a)))) <= 2 * np.pi * 392 * 2.8 / rate * TICK_PEAK * 1.5
    # muted: after 0.15 s almost nothing is left (a chime still rings for a second)
    tail = a[round(0.15 * rate) :]
    assert float(np.max(np.abs(tail))) < 0.15 * TICK_PEAK
    assert _dominant_hz(a, rate) == pytest.approx(392, abs=8)


def test_the_tick_is_far_quieter_than_a_phrase() -> None:
    from solemate.audio.loudness import phrase_loudness
    from solemate.audio.render import PHRASE_LUFS

    assert PHRASE_LUFS - phrase_loudness(tick(22050), 22050) > 15


def test_the_tick_is_darker_than_the_step_bell() -> None:
    """Bedtime: a tap with its energy low down, less bright than the chime people already hear."""

    def above(audio: np.ndarray, hz: float) -> float:
        power = np.abs(np.fft.rfft(audio.astype(np.float64))) ** 2
        bins = np.fft.rfftfreq(audio.size, 1 / 22050)
        return float(10 * np.log10(power[bins > hz].sum() / power.sum()))

    assert above(tick(22050), 2000) < -35  # measured -38 dB
    assert above(tick(22050), 2000) < above(step_chime(22050), 2000) - 10
