"""Chimes, synthesized: a soft bell for a new step, two notes for switching feet, a bowl for the end.

Made from a handful of decaying sine partials rather than shipped as samples: no files to license,
any sample rate, and exactly the same samples on every machine (the golden renders rely on it). Each
chime ends in true silence, so the voice placed after it starts on a clean background.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import numpy.typing as npt

Audio = npt.NDArray[np.float32]

CHIME_PEAK = 0.3
"""Peak level (linear, before the session's loudness gain): clearly softer than the voice."""


class Chime(StrEnum):
    step = "step"
    feet = "feet"
    end = "end"


# (frequency ratio to the fundamental, relative amplitude, decay time constant in seconds).
# Bell-like: a few slightly inharmonic partials, the high ones dying first.
_BELL = ((1.0, 1.0, 0.42), (2.01, 0.45, 0.26), (3.03, 0.18, 0.16), (4.17, 0.08, 0.10))
_BOWL = ((1.0, 1.0, 1.1), (1.004, 0.8, 1.1), (2.71, 0.25, 0.6), (5.1, 0.06, 0.3))


def _tone(
    frequency: float,
    partials: tuple[tuple[float, float, float], ...],
    seconds: float,
    sample_rate: int,
    attack: float = 0.006,
) -> npt.NDArray[np.float64]:
    t = np.arange(round(seconds * sample_rate), dtype=np.float64) / sample_rate
    out = np.zeros_like(t)
    for ratio, amplitude, decay in partials:
        out += amplitude * np.exp(-t / decay) * np.sin(2 * np.pi * frequency * ratio * t)
    attack_n = max(1, round(attack * sample_rate))
    out[:attack_n] *= 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, attack_n))
    return out


def _finish(signal: npt.NDArray[np.float64], sample_rate: int, fade: float = 0.12) -> Audio:
    """Fade the tail to exact zero and scale to :data:`CHIME_PEAK`."""
    n = min(signal.size, round(fade * sample_rate))
    signal[-n:] *= 0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, n))
    peak = float(np.max(np.abs(signal))) or 1.0
    return (signal * (CHIME_PEAK / peak)).astype(np.float32)


def step_chime(sample_rate: int) -> Audio:
    """A single soft bell (E5), 1.2 s."""
    return _finish(_tone(659.26, _BELL, 1.2, sample_rate), sample_rate)


def feet_chime(sample_rate: int) -> Audio:
    """Two falling notes (C5 then G4), 1.6 s: unmistakably not a step change."""
    first = _tone(523.25, _BELL, 1.6, sample_rate)
    second = _tone(392.0, _BELL, 1.6, sample_rate)
    offset = round(0.38 * sample_rate)
    out = first
    out[offset:] += 0.9 * second[: out.size - offset]
    return _finish(out, sample_rate)


def end_chime(sample_rate: int) -> Audio:
    """A low singing bowl (A3, two partials a few hertz apart that beat slowly), 3 s."""
    return _finish(_tone(220.0, _BOWL, 3.0, sample_rate, attack=0.02), sample_rate, fade=0.5)


def chime(kind: Chime | str, sample_rate: int) -> Audio:
    makers = {Chime.step: step_chime, Chime.feet: feet_chime, Chime.end: end_chime}
    return makers[Chime(kind)](sample_rate)


TICK_PEAK = 0.1
"""Peak level of a count's tick: a third of a chime's, far under the voice (about 20 LU below it)."""

# A muted low tap: a wooden bar struck softly. Partials of a free bar (1, 2.76, 5.4) dying within a
# tenth of a second, the high ones at once, so there is a pitch but no ring and no click.
_TAP = ((1.0, 1.0, 0.07), (2.76, 0.22, 0.025), (5.4, 0.05, 0.01))


def tick(sample_rate: int) -> Audio:
    """A soft tick for a count that is not said (G4, 0.25 s): felt more than heard."""
    tap = _tone(392.0, _TAP, 0.25, sample_rate, attack=0.008)
    n = min(tap.size, round(0.08 * sample_rate))
    tap[-n:] *= 0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, n))
    peak = float(np.max(np.abs(tap))) or 1.0
    return (tap * (TICK_PEAK / peak)).astype(np.float32)
