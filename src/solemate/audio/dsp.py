"""Signal helpers the renderer needs and numpy lacks: resampling and a true-peak limiter.

Both are written for the shapes the renderer has. Phrases are short and held whole, so they are
resampled exactly by FFT. Music streams, so it goes through a polyphase windowed-sinc resampler that
keeps its own history between blocks. The limiter works on a block plus a little context on both
sides, which the mixer can always supply, so it needs no state and no delay line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

Audio = npt.NDArray[np.float32]
Float = npt.NDArray[np.float64]


def fft_resample(audio: npt.NDArray[np.floating], rate_in: int, rate_out: int) -> Audio:
    """Band-limited resampling of a whole (short) sound; exact up to the lower Nyquist frequency.

    Zeros are padded on both ends so the FFT's circular wrap cannot leak the end into the start,
    then cut away again: a sound placed at sample N still starts at sample N.
    """
    if rate_in == rate_out or audio.size == 0:
        return audio.astype(np.float32)
    g = math.gcd(rate_in, rate_out)
    unit_in = rate_in // g
    pad = 256
    n_in = audio.size + 2 * pad
    n_in += (-n_in) % unit_in  # a length that maps to a whole number of output samples
    n_out = n_in * rate_out // rate_in
    x = np.zeros(n_in)
    x[pad : pad + audio.size] = audio
    spectrum = np.fft.rfft(x)
    keep = min(spectrum.size, n_out // 2 + 1)
    out = np.fft.irfft(spectrum[:keep], n_out) * (n_out / n_in)
    start = round(pad * rate_out / rate_in)
    length = round(audio.size * rate_out / rate_in)
    return out[start : start + length].astype(np.float32)


@lru_cache(maxsize=8)
def _phase_table(up: int, down: int, half_width: int) -> Float:
    """Windowed-sinc taps for each of ``up`` output phases: shape (up, 2 × half_width)."""
    cutoff = min(1.0, up / down)  # low-pass at the lower of the two Nyquist frequencies
    offsets = np.arange(-half_width + 1, half_width + 1)
    table = np.empty((up, offsets.size))
    beta = 8.0
    for phase in range(up):
        frac = phase / up
        t = offsets - frac
        window = np.kaiser(2 * half_width + 1, beta)  # sampled below by interpolation
        w = np.interp(t, np.arange(-half_width, half_width + 1), window)
        taps = cutoff * np.sinc(cutoff * t) * w
        table[phase] = taps / taps.sum()
    return table


class StreamResampler:
    """Rational-ratio resampling of a stream fed in blocks of any size (mono).

    Output sample k sits at input position k·down/up; its value is the dot product of the 32 input
    samples around that position with the taps of its phase. Input history is kept between calls;
    :meth:`flush` returns what the last input still owes.
    """

    half_width = 16

    def __init__(self, rate_in: int, rate_out: int) -> None:
        g = math.gcd(rate_in, rate_out)
        self.up, self.down = rate_out // g, rate_in // g
        self.table = _phase_table(self.up, self.down, self.half_width)
        self.offsets = np.arange(-self.half_width + 1, self.half_width + 1)
        self.buffer = np.zeros(self.half_width - 1)  # silence before the stream
        self.start = -(self.half_width - 1)  # input index of buffer[0]
        self.next_out = 0
        self.fed = 0

    def __call__(self, block: npt.NDArray[np.floating]) -> Float:
        self.fed += block.size
        if self.up == self.down:
            return np.asarray(block, dtype=np.float64)
        self.buffer = np.concatenate([self.buffer, np.asarray(block, dtype=np.float64)])
        end = self.start + self.buffer.size
        k_end = ((end - self.half_width) * self.up - 1) // self.down + 1
        k = np.arange(self.next_out, max(self.next_out, k_end))
        out = np.zeros(0)
        if k.size:
            position = k * self.down
            index = (position // self.up - self.start)[:, None] + self.offsets
            out = np.einsum("ij,ij->i", self.buffer[index], self.table[position % self.up])
            self.next_out = int(k[-1]) + 1
        drop = (self.next_out * self.down) // self.up - (self.half_width - 1) - self.start
        if drop > 0:
            self.buffer = self.buffer[drop:]
            self.start += drop
        return out

    def flush(self) -> Float:
        """The outputs still owed for the input fed so far (its length times up/down in all)."""
        if self.up == self.down:
            return np.zeros(0)
        owed = -(-self.fed * self.up // self.down) - self.next_out
        out = self(np.zeros(self.half_width + 1))
        return out[: max(0, owed)]


# --- true-peak limiting ----------------------------------------------------------------------------

_INTERP_HALF = 8
_FRACTIONS = (0.25, 0.5, 0.75)


@lru_cache(maxsize=1)
def _interp_taps() -> Float:
    """Windowed-sinc taps to interpolate at n + 1/4, 1/2, 3/4 from samples n−7 … n+8: shape (3, 16)."""
    j = np.arange(-_INTERP_HALF + 1, _INTERP_HALF + 1)
    rows = []
    for f in _FRACTIONS:
        t = f - j
        window = 0.5 + 0.5 * np.cos(np.pi * t / (_INTERP_HALF + 0.5))
        rows.append(np.sinc(t) * window)
    return np.array(rows)


@dataclass(frozen=True)
class Limited:
    """Audio after the true-peak limiter, with the peak it reached."""

    audio: Audio
    peak: float
    """The estimated true peak of ``audio`` (linear): sample peak and 4× interpolated peaks."""


def limiter_context(sample_rate: int) -> int:
    """How many samples of context :func:`limit` needs on each side of a block."""
    return 3 * _lookahead(sample_rate) // 2 + 2 * _INTERP_HALF


def _lookahead(sample_rate: int) -> int:
    n = round(0.0015 * sample_rate)
    return n + n % 2


def limit(extended: npt.NDArray[np.floating], sample_rate: int, ceiling: float) -> Limited:
    """Keep the true peak of a block at or under ``ceiling`` (linear), with a smooth gain.

    ``extended`` is the block with :func:`limiter_context` samples of context on each side; the
    result is the block alone. Samples within 6 dB of the ceiling are candidates: their
    inter-sample peaks are interpolated 4×, the gain each needs is spread by a minimum filter over
    ±L samples (L = 1.5 ms) and smoothed by a moving mean over L + 1 samples. Every smoothed value is
    a mean of minima whose windows all include the candidate, so the gain there never exceeds
    what the candidate needs; away from loud samples the gain is exactly 1 and nothing is touched.
    """
    context = limiter_context(sample_rate)
    x = np.asarray(extended, dtype=np.float64)
    inner = slice(context, x.size - context)
    magnitude = np.abs(x)
    candidates = np.flatnonzero(magnitude[_INTERP_HALF : x.size - _INTERP_HALF] > 0.5 * ceiling)
    candidates += _INTERP_HALF
    if candidates.size == 0:
        block = x[inner]
        return Limited(block.astype(np.float32), float(np.max(np.abs(block), initial=0.0)))
    peaks = _interpolated_peaks(x, candidates)
    need = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    lookahead = _lookahead(sample_rate)
    gain = np.ones(x.size)
    loud = candidates[need < 1.0]
    if loud.size:
        gain[loud] = need[need < 1.0]
        gain = _running_min(gain, lookahead)
        half = lookahead // 2
        padded = np.concatenate([np.ones(half), gain, np.ones(half)])
        sums = np.cumsum(np.concatenate([[0.0], padded]))
        gain = (sums[lookahead + 1 :] - sums[: -lookahead - 1]) / (lookahead + 1)
    y = x * gain
    in_block = (candidates >= context) & (candidates < x.size - context)
    estimated = float(np.max(peaks[in_block] * gain[candidates[in_block]], initial=0.0))
    block = y[inner]
    peak = max(estimated, float(np.max(np.abs(block), initial=0.0)))
    return Limited(block.astype(np.float32), peak)


class TruePeakMeter:
    """The 4× interpolated peak of a stream fed in blocks of any size (linear).

    Only samples within 6 dB of the loudest so far are interpolated: an inter-sample peak of
    band-limited sound is never that far above its neighbouring samples, and the rest is skipped.
    """

    def __init__(self) -> None:
        self.tail = np.zeros(2 * _INTERP_HALF)
        self.peak = 0.0

    def add(self, block: npt.NDArray[np.floating]) -> None:
        x = np.concatenate([self.tail, np.asarray(block, dtype=np.float64)])
        inner = np.abs(x[_INTERP_HALF : x.size - _INTERP_HALF])
        if inner.size:
            self.peak = max(self.peak, float(inner.max()))
            candidates = np.flatnonzero(inner > 0.5 * self.peak) + _INTERP_HALF
            if candidates.size:
                self.peak = max(self.peak, float(_interpolated_peaks(x, candidates).max()))
        self.tail = x[-2 * _INTERP_HALF :]

    def finish(self) -> float:
        self.add(np.zeros(_INTERP_HALF))
        return self.peak


def _running_min(x: Float, half: int) -> Float:
    """``min(x[i − half … i + half])`` for every i (edges padded with 1), in O(n log half)."""
    width = 2 * half + 1
    padded = np.concatenate([np.ones(half), x, np.ones(half)])
    span, acc = 1, padded
    while span * 2 <= width:  # acc[i] = min(padded[i : i + 2·span])
        acc = np.minimum(acc[:-span], acc[span:])
        span *= 2
    # Two overlapping windows of length `span` cover exactly `width` samples.
    result: Float = np.minimum(acc[: x.size], acc[width - span : width - span + x.size])
    return result


def _interpolated_peaks(x: Float, at: npt.NDArray[np.intp]) -> Float:
    """The largest of |x[n]| and the 4× interpolated values on either side of each sample n.

    Worked in chunks of candidates, so a long loud phrase never needs a large index matrix.
    """
    taps = _interp_taps()
    offsets = np.arange(-_INTERP_HALF + 1, _INTERP_HALF + 1)
    best = np.abs(x[at])
    chunk = 8192
    for first in range(0, at.size, chunk):
        part = at[first : first + chunk]
        for shift in (0, -1):  # between n and n+1, and between n−1 and n
            idx = np.clip((part + shift)[:, None] + offsets, 0, x.size - 1)
            values = x[idx] @ taps.T
            best[first : first + chunk] = np.maximum(
                best[first : first + chunk], np.max(np.abs(values), axis=1)
            )
    return best


def limit_whole(audio: npt.NDArray[np.floating], sample_rate: int, ceiling: float) -> Limited:
    """:func:`limit` for a sound held whole (a phrase), with silence as its context."""
    context = np.zeros(limiter_context(sample_rate))
    result = limit(np.concatenate([context, audio, context]), sample_rate, ceiling)
    if result.peak <= ceiling:
        return result
    # A second pass catches what the first left a hair over (interpolation after the gain moved).
    return limit(np.concatenate([context, result.audio, context]), sample_rate, ceiling)
