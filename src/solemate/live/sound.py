"""Live sound for the guide: cue speech, chimes and count ticks, mixed and played through miniaudio.

Speech for the next few cues is synthesized on a worker thread as soon as the player hands them over
(:meth:`SoundSink.prepare`), so a cue's audio is ready when its deadline comes. Voice clips play one
after another; chimes play over them. With no sound device the session carries on, on screen.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import deque
from collections.abc import Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from solemate.audio.sounds import chime as make_chime
from solemate.audio.sounds import tick as make_tick
from solemate.audio.speech import SAMPLE_RATE, Speaker
from solemate.live.player import ChimeKind, View
from solemate.timeline import Cue, Segment

Audio = npt.NDArray[np.float32]
CHIMES: dict[ChimeKind, str] = {"step": "step", "switch": "feet", "end": "end"}
NO_DEVICE = "No sound device found: the session goes on, on screen only."


@dataclass
class _Playing:
    """A clip being played and how far into it."""

    clip: Audio
    pos: int = 0


class Mixer:
    """Voice clips in turn, chimes on top; ``read`` gives the next block of int16 samples."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._voice: deque[Audio] = deque()
        self._voice_pos = 0
        self._chimes: list[_Playing] = []
        #: monotonic time at which each voice clip's first sample was handed to the device
        self.started: list[float] = []

    def add_voice(self, clip: Audio) -> None:
        with self._lock:
            self._voice.append(clip)

    def add_chime(self, clip: Audio) -> None:
        with self._lock:
            self._chimes.append(_Playing(clip))

    def cut_voice(self) -> None:
        """Drop the clip being spoken and those waiting: the person moved on."""
        with self._lock:
            self._voice.clear()
            self._voice_pos = 0

    @property
    def busy(self) -> bool:
        with self._lock:
            return bool(self._voice or self._chimes)

    def read(self, frames: int) -> npt.NDArray[np.int16]:
        out = np.zeros(frames, dtype=np.float32)
        with self._lock:
            filled = 0
            while filled < frames and self._voice:
                clip = self._voice[0]
                if self._voice_pos == 0:
                    self.started.append(time.monotonic())
                take = min(frames - filled, len(clip) - self._voice_pos)
                out[filled : filled + take] += clip[self._voice_pos : self._voice_pos + take]
                filled += take
                self._voice_pos += take
                if self._voice_pos >= len(clip):
                    self._voice.popleft()
                    self._voice_pos = 0
            for playing in self._chimes:
                take = min(frames, len(playing.clip) - playing.pos)
                out[:take] += playing.clip[playing.pos : playing.pos + take]
                playing.pos += take
            self._chimes = [p for p in self._chimes if p.pos < len(p.clip)]
        samples: npt.NDArray[np.int16] = np.clip(out * 32767.0, -32768, 32767).astype(np.int16)
        return samples


class Output(Protocol):
    def start(self, mixer: Mixer) -> None: ...

    def close(self) -> None: ...


class DeviceOutput:
    """The default sound device through miniaudio (self-contained: installed by pip alone)."""

    def __init__(self) -> None:
        import miniaudio  # type: ignore[import-untyped]

        with quiet_stderr():  # ALSA writes to the terminal when there is no card
            self._device = miniaudio.PlaybackDevice(
                output_format=miniaudio.SampleFormat.SIGNED16,
                nchannels=1,
                sample_rate=SAMPLE_RATE,
                buffersize_msec=40,
            )

    def start(self, mixer: Mixer) -> None:
        def stream() -> Generator[bytes, int, None]:
            frames = yield b""
            while True:
                frames = yield mixer.read(frames).tobytes()

        generator = stream()
        next(generator)
        self._device.start(generator)

    def close(self) -> None:
        self._device.close()


class SilentOutput:
    def start(self, mixer: Mixer) -> None:
        pass

    def close(self) -> None:
        pass


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """ALSA prints to the terminal (fd 2) when there is no card: hide it while opening a device."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def speak_for_device(speaker: Speaker, text: str) -> Audio:
    """Speech at the mixer's rate (the natural voice speaks at 24 kHz, the device runs at 22,050)."""
    from solemate.audio.dsp import fft_resample

    return fft_resample(speaker.synthesize(text), speaker.sample_rate, SAMPLE_RATE)


class SoundSink:
    """A player sink that speaks cues, rings chimes and ticks the counts that are not said."""

    def __init__(self, speaker: Speaker | None, chimes: bool, output: Output) -> None:
        self.speaker = speaker
        self.chimes = chimes
        self.output = output
        self.mixer = Mixer()
        self.notices: list[str] = []
        self._ready: dict[str, Future[Audio]] = {}
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="solemate-speech")
        self._chime_clips = {kind: make_chime(name, SAMPLE_RATE) for kind, name in CHIMES.items()}
        self._tick_clip = make_tick(SAMPLE_RATE)
        output.start(self.mixer)

    def _speech(self, text: str) -> Future[Audio]:
        future = self._ready.get(text)
        if future is None:
            assert self.speaker is not None
            future = self._worker.submit(self._synthesize, self.speaker, text)
            self._ready[text] = future
        return future

    @staticmethod
    def _synthesize(speaker: Speaker, text: str) -> Audio:
        return speak_for_device(speaker, text)

    def prepare(self, cues: Sequence[Cue]) -> None:
        if self.speaker is not None:
            for cue in cues:
                if cue.kind != "tick":
                    self._speech(cue.text)

    def cue(self, cue: Cue, segment: Segment) -> None:
        if self.speaker is not None:
            self.mixer.add_voice(self._speech(cue.text).result())

    def tick(self, cue: Cue, segment: Segment) -> None:
        # over the voice like a chime, so a count is marked on its second even if words run on
        self.mixer.add_chime(self._tick_clip)

    def chime(self, kind: ChimeKind) -> None:
        if self.chimes:
            self.mixer.add_chime(self._chime_clips[kind])

    def show(self, view: View) -> None:
        pass

    def notice(self, text: str) -> None:
        self.notices.append(text)

    def cut(self) -> None:
        self.mixer.cut_voice()

    def close(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)
        self.output.close()


def open_sound(speaker: Speaker | None, chimes: bool) -> SoundSink:
    """A sound sink on the default device, or a silent one when there is none (with a notice
    when a voice was asked for: without one, chimes alone are not worth a word about devices)."""
    try:
        output: Output = DeviceOutput()
        notices: list[str] = []
    except Exception:  # miniaudio raises its own error type when no device can be opened
        output, notices = SilentOutput(), [NO_DEVICE] if speaker is not None else []
    sink = SoundSink(speaker, chimes, output)
    sink.notices.extend(notices)
    return sink
