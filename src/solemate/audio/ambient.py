"""Ambient beds under the voice: brown or pink noise, a slow pad, or the person's own music.

The guide suggests soft instrumental music. Generated beds are functions of the sample index, so any
block can be made on demand, identically every time, and memory stays constant: the noises are
one 20-second loop shaped in the frequency domain (periodic by construction, so the loop point is
seamless), the pad a 60-second loop of slowly breathing sines. Music is read from the file block by block,
mixed down to mono, resampled, and looped with a crossfade.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from solemate.audio.dsp import StreamResampler

Float = npt.NDArray[np.float64]

BED_LEVEL = 10 ** (-34 / 20)
"""RMS of a generated bed before the session gain: about 18 dB under the voice, then ducked 9 dB
more under it. Louder beds would pass the loudness gate in the pauses and set the level themselves."""

MUSIC_GAIN = 10 ** (-17 / 20)
"""Music files are mastered loud (−14 to −8 LUFS); this puts a typical one well under the voice."""


class Ambient(StrEnum):
    none = "none"
    brown = "brown"
    pink = "pink"
    pad = "pad"


class AmbientError(ValueError):
    """A music file that cannot be used (missing, unreadable, not audio)."""


class Bed(Protocol):
    def block(self, start: int, n: int) -> Float: ...


class Silence:
    def block(self, start: int, n: int) -> Float:
        return np.zeros(n)


class NoiseLoop:
    """Coloured noise from a seeded, spectrally shaped loop: brown falls 6 dB/octave, pink 3."""

    seconds = 20

    def __init__(self, color: Ambient, sample_rate: int, seed: int = 7) -> None:
        n = self.seconds * sample_rate
        rng = np.random.default_rng(seed)
        spectrum = rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1)
        freqs = np.fft.rfftfreq(n, 1 / sample_rate)
        slope = 1.0 if color == Ambient.brown else 0.5
        shape = np.zeros_like(freqs)
        audible = freqs >= 30  # nothing below 30 Hz: rumble that small speakers cannot play
        shape[audible] = (freqs[audible] / 30.0) ** -slope
        shape *= freqs <= min(9000.0, sample_rate / 2 - 500)  # a soft top, no hiss
        loop = np.fft.irfft(spectrum * shape, n)
        # Pink noise has more energy where hearing is keenest: it sits 3 dB lower to sound as soft.
        level = BED_LEVEL * (10 ** (-3 / 20) if color == Ambient.pink else 1.0)
        self.loop = (loop * (level / np.sqrt(np.mean(loop**2)))).astype(np.float32)

    def block(self, start: int, n: int) -> Float:
        return np.asarray(self.loop[(start + np.arange(n)) % self.loop.size], dtype=np.float64)


# (frequency in Hz, relative amplitude, swells per loop, phase) — a soft A-major voicing low in the
# register, each voice swelling on its own slow cycle; a slightly detuned double of the root beats
# slowly for warmth. Frequencies are whole cycles per loop, so the loop point is seamless.
_PAD_VOICES = (
    (110.0, 1.0, 3, 0.0),
    (164.8, 0.7, 2, 1.3),
    (220.0, 0.55, 4, 2.1),
    (277.2, 0.4, 5, 0.7),
    (329.6, 0.3, 6, 2.9),
    (110.3, 0.5, 1, 1.9),
)


class Pad:
    """A slow synthesized pad: sines with gently breathing levels, one 60-second seamless loop."""

    seconds = 60

    def __init__(self, sample_rate: int) -> None:
        n = self.seconds * sample_rate
        t = np.arange(n) / sample_rate
        loop = np.zeros(n)
        for f, a, swells, phase in _PAD_VOICES:
            swell = 0.6 + 0.4 * np.sin(2 * np.pi * swells * t / self.seconds + phase)
            loop += a * swell * np.sin(2 * np.pi * f * t)
        self.loop = (loop * (BED_LEVEL / np.sqrt(np.mean(loop**2)))).astype(np.float32)

    def block(self, start: int, n: int) -> Float:
        return np.asarray(self.loop[(start + np.arange(n)) % self.loop.size], dtype=np.float64)


class Music:
    """The person's music file, looped with a crossfade, mono, at the session's sample rate.

    Blocks must be asked for in order (a little overlap with the previous block is allowed, for the
    limiter's context); the file is read as a stream and never held whole.
    """

    crossfade_seconds = 2.0
    history = 4096

    def __init__(self, path: Path, sample_rate: int) -> None:
        self.path = path
        self.rate = sample_rate
        info = probe_music(path)
        self.source_rate = int(info.samplerate)
        self.frames = int(info.frames)
        self.crossfade = min(round(self.crossfade_seconds * self.source_rate), self.frames // 3)
        self._stream = _MusicStream(self)

    def block(self, start: int, n: int) -> Float:
        return self._stream.block(start, n)

    def restart(self) -> None:
        """Back to the beginning, for the second pass over the session."""
        self._stream.file.close()
        self._stream = _MusicStream(self)


class _MusicStream:
    def __init__(self, music: Music) -> None:
        import soundfile as sf

        self.music = music
        self.file = sf.SoundFile(str(music.path))
        self.resampler = StreamResampler(music.source_rate, music.rate)
        self.ready = np.zeros(0)  # resampled samples not yet handed out
        self.kept = np.zeros(0)  # the last samples handed out, for overlapping requests
        self.position = 0  # session index of ready[0]
        self.pass_start = 0  # where in the file the current pass started
        self.head = self._read_head()

    def _read_head(self) -> Float:
        self.file.seek(0)
        return self._mono(self.file.read(self.music.crossfade, dtype="float64", always_2d=True))

    @staticmethod
    def _mono(frames: npt.NDArray[np.float64]) -> Float:
        return np.asarray(frames.mean(axis=1), dtype=np.float64) * MUSIC_GAIN

    def _source(self, want: int) -> Float:
        """The next ``want`` frames of the endless, crossfaded loop at the file's own rate."""
        music = self.music
        end_of_pass = music.frames - music.crossfade
        out: list[Float] = []
        got = 0
        while got < want:
            position = self.file.tell()
            if position >= end_of_pass:
                tail = self._mono(self.file.read(music.crossfade, dtype="float64", always_2d=True))
                fade = np.linspace(0.0, 1.0, tail.size, endpoint=False)
                mixed = tail * np.cos(fade * np.pi / 2) + self.head[: tail.size] * np.sin(
                    fade * np.pi / 2
                )
                out.append(mixed)
                got += mixed.size
                self.file.seek(music.crossfade)
                continue
            take = min(want - got, end_of_pass - position)
            chunk = self._mono(self.file.read(take, dtype="float64", always_2d=True))
            out.append(chunk)
            got += chunk.size
        return np.concatenate(out)

    def block(self, start: int, n: int) -> Float:
        kept_start = self.position - self.kept.size
        if start < kept_start:
            raise ValueError("music blocks must be asked for in order")
        while self.position + self.ready.size < start + n:
            need = start + n - self.position - self.ready.size
            source = self._source(max(4096, need * self.music.source_rate // self.music.rate + 64))
            more = self.resampler(source)
            self.ready = np.concatenate([self.ready, more])
        both = np.concatenate([self.kept, self.ready])
        offset = start - kept_start
        out = both[offset : offset + n].copy()
        # Hand out up to start + n; keep a little history for the next (overlapping) request.
        used = start + n - self.position
        if used > 0:
            self.kept = np.concatenate([self.kept, self.ready[:used]])[-Music.history :]
            self.ready = self.ready[used:]
            self.position += used
        return out


def probe_music(path: Path) -> Any:
    """Check that ``path`` is audio soundfile can read; raise :class:`AmbientError` saying why not."""
    import soundfile as sf

    if not path.exists():
        raise AmbientError(f"music file not found: {path}")
    if path.is_dir():
        raise AmbientError(f"music file is a directory: {path}")
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        reason = (
            "permission denied" if isinstance(exc, PermissionError) else "not a readable audio file"
        )
        raise AmbientError(f"cannot use {path} as music: {reason}") from None
    if info.frames <= 0 or info.samplerate <= 0:
        raise AmbientError(f"cannot use {path} as music: it holds no audio")
    return info


def make_bed(ambient: Ambient, music: Path | None, sample_rate: int) -> Bed:
    if music is not None:
        return Music(music, sample_rate)
    if ambient in (Ambient.brown, Ambient.pink):
        return NoiseLoop(ambient, sample_rate)
    if ambient == Ambient.pad:
        return Pad(sample_rate)
    return Silence()
