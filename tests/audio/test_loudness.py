"""The loudness meter and the signal helpers, against the standard and an independent meter."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest

from solemate.audio.dsp import StreamResampler, _running_min, fft_resample, limit_whole
from solemate.audio.loudness import (
    SILENCE,
    LoudnessMeter,
    integrated_loudness,
    k_weighting_biquads,
    phrase_loudness,
    true_peak,
)


def test_k_weighting_at_48_khz_is_the_standards() -> None:
    (shelf_b, shelf_a), (high_b, high_a) = k_weighting_biquads(48000)
    np.testing.assert_allclose(shelf_b, [1.53512485958697, -2.69169618940638, 1.19839281085285])
    np.testing.assert_allclose(shelf_a, [1.0, -1.69065929318241, 0.73248077421585])
    np.testing.assert_allclose(high_b, [1.0, -2.0, 1.0])
    np.testing.assert_allclose(high_a, [1.0, -1.99004745483398, 0.99007225036621])


@pytest.mark.parametrize("rate", [22050, 24000, 48000])
def test_a_full_scale_1_khz_sine_reads_minus_3_lufs(rate: int) -> None:
    """The standard's calibration, and the worked example in the module's docstring."""
    t = np.arange(10 * rate) / rate
    sine = np.sin(2 * np.pi * 1000 * t)
    assert integrated_loudness(sine, rate) == pytest.approx(-3.01, abs=0.05)
    assert phrase_loudness(sine, rate) == pytest.approx(-3.01, abs=0.05)


def _speechlike(rate: int, seconds: int = 30) -> np.ndarray:
    """Noise shaped like speech: band-limited, in bursts of 0.2–2 s with pauses and level changes."""
    rng = np.random.default_rng(5)
    noise = rng.standard_normal(seconds * rate)
    spectrum = np.fft.rfft(noise)
    freqs = np.fft.rfftfreq(noise.size, 1 / rate)
    spectrum *= (freqs > 80) * (freqs < 7000) / np.maximum(freqs, 80) ** 0.5
    shaped = np.fft.irfft(spectrum, noise.size)
    envelope = np.zeros(noise.size)
    pos = 0
    while pos < noise.size:
        length = int(rng.uniform(0.2, 2.0) * rate)
        envelope[pos : pos + length] = rng.uniform(0.2, 1.0)
        pos += length + int(rng.uniform(0.1, 1.5) * rate)
    signal = shaped * envelope
    return np.asarray(signal * (0.3 / np.max(np.abs(signal))))


@pytest.mark.parametrize("rate", [22050, 48000])
def test_agrees_with_an_independent_meter(rate: int) -> None:
    audio = _speechlike(rate)
    ours = integrated_loudness(audio, rate)
    theirs = pyloudnorm.Meter(rate).integrated_loudness(audio)
    # pyloudnorm derives its filters differently away from 48 kHz; 0.15 LU covers that.
    assert ours == pytest.approx(theirs, abs=0.15)


def test_block_size_does_not_matter() -> None:
    audio = _speechlike(22050, 12)
    meter = LoudnessMeter(22050)
    for start in range(0, audio.size, 1234):
        meter.add(audio[start : start + 1234])
    assert meter.integrated() == pytest.approx(integrated_loudness(audio, 22050), abs=1e-6)


def test_gating() -> None:
    rate = 22050
    assert integrated_loudness(np.zeros(5 * rate), rate) == SILENCE
    loud = _speechlike(rate, 10)
    quiet_tail = np.concatenate([loud, 1e-3 * loud])  # 60 dB down: gated out
    assert integrated_loudness(quiet_tail, rate) == pytest.approx(
        integrated_loudness(loud, rate), abs=0.2
    )


def test_true_peak_sees_between_samples() -> None:
    """A sine at a quarter of the sample rate, sampled 45° off its crests: samples read −3 dB."""
    n = np.arange(4000)
    sine = np.sin(np.pi / 2 * n + np.pi / 4)
    assert np.max(np.abs(sine)) == pytest.approx(2**-0.5)
    assert true_peak(sine) == pytest.approx(1.0, abs=0.02)  # (the abrupt ends ring a little)


def test_limiter_keeps_the_true_peak_under_the_ceiling() -> None:
    audio = _speechlike(22050, 10) * 4  # peaks at +1.6 dBFS
    ceiling = 10 ** (-2 / 20)
    limited = limit_whole(audio, 22050, ceiling).audio
    assert true_peak(limited) <= ceiling * 1.005
    quiet = np.abs(audio) < 0.25 * ceiling  # far from any peak nothing is touched
    np.testing.assert_allclose(limited[quiet][:1000], audio[quiet][:1000], atol=1e-6)


@pytest.mark.parametrize("half", [1, 3, 17, 34])
def test_running_min(half: int) -> None:
    x = np.random.default_rng(1).random(300)
    padded = np.concatenate([np.ones(half), x, np.ones(half)])
    expected = [padded[i : i + 2 * half + 1].min() for i in range(x.size)]
    np.testing.assert_array_equal(_running_min(x, half), expected)


@pytest.mark.parametrize(("a", "b"), [(44100, 22050), (48000, 22050), (22050, 24000)])
def test_stream_resampler(a: int, b: int) -> None:
    t = np.arange(3 * a) / a
    x = np.sin(2 * np.pi * 440 * t)
    resampler = StreamResampler(a, b)
    y = np.concatenate(
        [resampler(x[i : i + 777]) for i in range(0, x.size, 777)] + [resampler.flush()]
    )
    assert y.size == 3 * b
    reference = np.sin(2 * np.pi * 440 * np.arange(y.size) / b)
    assert np.max(np.abs(y - reference)[100:-100]) < 1e-3


def test_fft_resample_keeps_position_and_length() -> None:
    rate = 22050
    click = np.zeros(rate, dtype=np.float32)
    click[5000] = 1.0
    up = fft_resample(click, rate, 48000)
    assert up.size == round(rate * 48000 / rate)
    assert int(np.argmax(up)) == pytest.approx(5000 * 48000 / rate, abs=1)
