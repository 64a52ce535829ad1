"""The mix of a session, made on demand one block at a time.

Any block ``[start, start + n)`` is computed from the arrangement alone: the bed (faded in and out,
ducked under the voice) plus every phrase and chime that overlaps the block. Nothing of the session
is held whole, so memory stays constant however long the session is, and the loudness pass and the
writing pass can each walk the session independently and get the same samples.

Ducking knows the future: speech positions are fixed before mixing starts, so the bed starts to
dip :data:`DUCK_ATTACK` seconds before a phrase and comes back over :data:`DUCK_RELEASE` seconds after
it, along raised-cosine curves (no pumping, no clicks).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from solemate.audio.ambient import Bed, Silence
from solemate.audio.arrange import Arrangement

Float = npt.NDArray[np.float64]
Audio = npt.NDArray[np.float32]

DUCK_DB = -9.0
DUCK_ATTACK = 0.4
DUCK_RELEASE = 0.9
FADE_IN = 4.0
FADE_OUT = 6.0


def _raised_cosine(x: Float) -> Float:
    """0 → 1 smoothly as x goes 0 → 1 (clipped outside)."""
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0.0, 1.0))


class Mixer:
    def __init__(self, arrangement: Arrangement, sounds: dict[str, Audio], bed: Bed) -> None:
        self.arrangement = arrangement
        self.sounds = sounds
        self.bed = bed
        rate = arrangement.sample_rate
        placed = sorted(arrangement.placed, key=lambda p: p.start)
        self.placed = placed
        self.starts = np.array([p.start for p in placed], dtype=np.int64)
        self.longest = max((p.length for p in placed), default=0)
        speech = [p for p in placed if p.kind == "speech"]
        self.speech_starts = np.array([p.start for p in speech], dtype=np.int64)
        self.speech_ends = np.array([p.end for p in speech], dtype=np.int64)
        self.attack = round(DUCK_ATTACK * rate)
        self.release = round(DUCK_RELEASE * rate)
        self.duck_floor = 10 ** (DUCK_DB / 20)
        self.fade_in = round(FADE_IN * rate)
        self.fade_out = round(FADE_OUT * rate)

    @property
    def length(self) -> int:
        return self.arrangement.length

    def block(self, start: int, n: int) -> Float:
        """Samples ``[start, start + n)`` of the mix; zeros outside the session."""
        out = np.zeros(n)
        lo, hi = max(start, 0), min(start + n, self.length)
        if hi <= lo:
            return out
        if not isinstance(self.bed, Silence):
            out[lo - start : hi - start] = self.bed.block(lo, hi - lo) * self._bed_gain(lo, hi - lo)
        first = int(np.searchsorted(self.starts, lo - self.longest, side="left"))
        last = int(np.searchsorted(self.starts, hi, side="left"))
        for p in self.placed[first:last]:
            a, b = max(p.start, lo), min(p.end, hi)
            if a < b:
                out[a - start : b - start] += self.sounds[p.key][a - p.start : b - p.start]
        return out

    def _bed_gain(self, start: int, n: int) -> Float:
        t = start + np.arange(n)
        fade = _raised_cosine(t / max(self.fade_in, 1)) * _raised_cosine(
            (self.length - t) / max(self.fade_out, 1)
        )
        return fade * self._duck(start, n)

    def _duck(self, start: int, n: int) -> Float:
        end = start + n
        first = int(np.searchsorted(self.speech_ends, start - self.release, side="left"))
        last = int(np.searchsorted(self.speech_starts, end + self.attack, side="left"))
        if first >= last:
            return np.ones(n)
        t = start + np.arange(n)
        depth = np.zeros(n)
        for a, b in zip(
            self.speech_starts[first:last].tolist(),
            self.speech_ends[first:last].tolist(),
            strict=True,
        ):
            rising = _raised_cosine((t - (a - self.attack)) / self.attack)
            falling = 1.0 - _raised_cosine((t - b) / self.release)
            depth = np.maximum(depth, np.minimum(rising, falling))
        return 1.0 - (1.0 - self.duck_floor) * depth
