"""Offline voice commands for the guide: "pause", "resume", "next", "repeat", "stop".

Why it is built this way:

* **pocketsphinx** is the recogniser: a pip wheel that ships an English acoustic model and dictionary,
  works offline, and is BSD-licensed.
* **A command is a word said on its own.** Speech is cut into utterances by pocketsphinx's voice
  activity endpointer, and only a short utterance with quiet before and after it is considered. The
  same words inside a sentence ("Next, use your thumb…", "Stop if anything hurts") never fire, and
  the recogniser only runs on the rare short utterances, so it costs almost nothing.
* **Each candidate must pass three checks**, because pocketsphinx's keyword-spotting scores alone
  proved unreliable on the app's own (espeak) voice: the recognised word (a grammar of the five
  words) must beat a free phone loop by a per-word threshold (a likelihood ratio per 10 ms frame);
  the number of vowel nuclei in the utterance must equal the word's syllables ("the second toe"
  cannot pass for "resume"); and the utterance must last a plausible time.
* **The app's own voice is never obeyed.** ``VoiceCommands`` drops every detection that overlaps
  the app speaking (``is_speaking``, i.e. the mixer being busy) or comes within ``HOLDOFF`` seconds
  after it: the cues themselves say "Next," and "Stop if…", and a speaker's sound reaches the
  microphone late and echoes. The thresholds are also tight enough that the cue audio fed directly
  triggers nothing (the tests check both).
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from solemate.live.commands import Command
from solemate.live.sound import quiet_stderr

SAMPLE_RATE = 16000
"""pocketsphinx's English model is trained on 16 kHz audio; the microphone is opened at that rate."""

WORDS: dict[str, Command] = {
    "pause": Command.PAUSE,
    "resume": Command.RESUME,
    "next": Command.NEXT,
    "repeat": Command.REPEAT,
    "stop": Command.QUIT,
}
SYLLABLES: dict[str, int] = {"pause": 1, "resume": 2, "next": 1, "repeat": 2, "stop": 1}

THRESHOLDS: dict[str, float] = {
    "pause": -17.0,
    "resume": -18.0,
    "next": -21.0,
    "repeat": -15.0,
    "stop": -22.0,
}
"""Lowest accepted score per word: (grammar path score - free phone loop score) / 10 ms frames,
in the log units of pocketsphinx's hypothesis scores. Closer to 0 is stricter. Chosen from a sweep
of 8 espeak voices x 3 rates with quiet noise: each is a few units below the worst genuine command
of its word ("stop" and "next" score lowest on espeak), while the app's cues that get this far
("one" heard as "pause") stay 8 or more units below."""

MIN_SPEECH, MAX_SPEECH = 0.25, 1.4
"""Seconds an utterance may last (as the endpointer marks it) to be a lone command word."""

QUIET_BEFORE = 0.35
"""Seconds of non-speech required between the previous utterance and a command."""

QUIET_AFTER = 0.3
"""Seconds of non-speech required after the end of a command before it is reported, so a word that
turns out to start a sentence is dropped. With the endpointer's own lag, a command is delivered
about half a second after the word ends."""

HOLDOFF = 0.6
"""Seconds after the app stops speaking during which nothing heard is obeyed (device latency and
room echo of its own voice)."""

UNAVAILABLE_MISSING = (
    "Voice commands need pocketsphinx (pip install pocketsphinx); use the keys or a pedal."
)
UNAVAILABLE_NO_MICROPHONE = "No microphone found: voice commands are off; use the keys or a pedal."

Pcm = npt.NDArray[np.int16]


class ListenUnavailable(Exception):
    """Voice commands cannot run here; ``str(exc)`` is one line to show the person."""


@dataclass(frozen=True)
class Detection:
    """A command heard, with where it was in the stream (seconds since the spotter started)."""

    command: Command
    word: str
    start: float
    end: float
    score: float


# --- audio helpers ---------------------------------------------------------------------------------


def to_pcm16(audio: npt.NDArray[np.floating[Any]], rate: int) -> Pcm:
    """Float mono audio in -1..1 at ``rate`` as 16 kHz int16, the recogniser's input.

    Resampling is done in the frequency domain over the whole clip (an ideal low-pass), which is
    exact enough for clips and needs nothing beyond numpy; the live microphone is opened at 16 kHz
    and never needs it.
    """
    samples = np.asarray(audio, dtype=np.float64)
    if rate != SAMPLE_RATE and len(samples):
        length = round(len(samples) * SAMPLE_RATE / rate)
        spectrum = np.fft.rfft(samples)
        keep = length // 2 + 1
        if keep <= len(spectrum):
            spectrum = spectrum[:keep]
        else:
            spectrum = np.concatenate([spectrum, np.zeros(keep - len(spectrum), complex)])
        samples = np.fft.irfft(spectrum, n=length) * (length / len(audio))
    pcm: Pcm = np.clip(np.round(samples * 32767.0), -32768, 32767).astype(np.int16)
    return pcm


def vowel_nuclei(pcm: Pcm, dip_db: float = 5.0, floor_db: float = 15.0) -> int:
    """How many syllable nuclei an utterance has, from its 200–1000 Hz energy envelope.

    The band keeps vowels and drops the hiss of "s", "t" and "p" bursts, so "next" counts 1 and
    "the second toe" 4. A nucleus is a rise to within ``floor_db`` of the loudest point followed
    by a fall of ``dip_db``.
    """
    hop, width = 160, 400  # 10 ms steps, 25 ms windows
    x = pcm.astype(np.float64)
    if len(x) < width:
        return 0
    frames = np.lib.stride_tricks.sliding_window_view(x, width)[::hop] * np.hanning(width)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    freqs = np.fft.rfftfreq(width, 1 / SAMPLE_RATE)
    band = power[:, (freqs >= 200) & (freqs <= 1000)].sum(axis=1) + 1e3
    envelope = np.convolve(10 * np.log10(band), np.ones(5) / 5, mode="same")
    floor = float(envelope.max()) - floor_db
    count, rising, ref = 0, True, -np.inf
    for level in envelope:
        if rising:
            ref = max(ref, level)
            if ref > floor and level < ref - dip_db:
                count, rising, ref = count + 1, False, level
        else:
            ref = min(ref, level)
            if level > ref + dip_db and level > floor:
                rising, ref = True, level
    return count + (1 if rising and ref > floor else 0)


# --- the recogniser --------------------------------------------------------------------------------


def _pocketsphinx() -> Any:
    try:
        import pocketsphinx  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ListenUnavailable(UNAVAILABLE_MISSING) from exc
    return pocketsphinx


class KeywordSpotter:
    """Finds lone command words in a 16 kHz int16 stream: ``feed`` it blocks of any size.

    Not thread-safe; one spotter per stream. Times in detections are seconds of audio fed since
    construction or the last ``reset``.
    """

    def __init__(self, thresholds: Mapping[str, float] | None = None) -> None:
        ps = _pocketsphinx()
        self.thresholds = {**THRESHOLDS, **(thresholds or {})}
        self._ps = ps
        self._decoder = ps.Decoder(lm=None, loglevel="FATAL", samprate=SAMPLE_RATE)
        self._decoder.add_jsgf_string(
            "commands", f"#JSGF V1.0; grammar commands; public <word> = {' | '.join(WORDS)} ;"
        )
        self._decoder.add_allphone_file("phones")
        self._logmath = self._decoder.get_logmath()
        self.reset()

    def reset(self) -> None:
        """Forget everything heard: the stream starts again at time 0."""
        self._endpointer = self._ps.Endpointer(window=0.3, ratio=0.9)
        self._frame = self._endpointer.frame_bytes // 2
        self._leftover = np.zeros(0, dtype=np.int16)
        self._fed = 0
        self._speech: list[bytes] = []
        self._speech_bytes = 0
        self._speech_start = 0.0
        self._previous_end = -np.inf
        self._pending: Detection | None = None

    @property
    def time(self) -> float:
        """Seconds of audio fed so far."""
        return self._fed / SAMPLE_RATE

    def feed(self, samples: Pcm) -> list[Command]:
        """Listen to more audio; the commands confirmed by it, in order."""
        return [d.command for d in self.spot(samples)]

    def spot(self, samples: Pcm) -> list[Detection]:
        """Like ``feed``, with where and how sure each detection is."""
        data = np.concatenate([self._leftover, np.asarray(samples, dtype=np.int16)])
        whole = len(data) - len(data) % self._frame
        self._leftover = data[whole:]
        found: list[Detection] = []
        for offset in range(0, whole, self._frame):
            frame = data[offset : offset + self._frame]
            self._fed += len(frame)
            was_speaking = self._endpointer.in_speech
            speech = self._endpointer.process(frame.tobytes())
            if speech is not None:
                if not was_speaking or not self._speech:
                    self._speech_start = float(self._endpointer.speech_start)
                    if (
                        self._pending is not None
                        and self._speech_start - self._pending.end < QUIET_AFTER
                    ):
                        self._pending = None  # the word ran on into more speech
                if self._speech_bytes < 2 * MAX_SPEECH * SAMPLE_RATE * 2:
                    self._speech.append(speech)  # beyond that it cannot be a command anyway
                self._speech_bytes += len(speech)
                if not self._endpointer.in_speech:
                    self._utterance_ended(float(self._endpointer.speech_end))
            if (
                self._pending is not None
                and not self._endpointer.in_speech
                and self.time >= self._pending.end + QUIET_AFTER
            ):
                found.append(self._pending)
                self._pending = None
        return found

    def _utterance_ended(self, end: float) -> None:
        pcm = np.frombuffer(b"".join(self._speech), dtype=np.int16)
        self._speech, self._speech_bytes = [], 0
        start, previous = self._speech_start, self._previous_end
        self._previous_end = end
        if not MIN_SPEECH <= end - start <= MAX_SPEECH or start - previous < QUIET_BEFORE:
            return  # not a word said on its own
        nuclei = vowel_nuclei(pcm)
        if nuclei not in SYLLABLES.values():
            return
        word, score = self.score(pcm)
        if word is None or score < self.thresholds[word] or nuclei != SYLLABLES[word]:
            return
        self._pending = Detection(WORDS[word], word, start, end, score)

    def score(self, pcm: Pcm) -> tuple[str | None, float]:
        """The likeliest command word for one utterance and its score (see ``THRESHOLDS``)."""
        best, word = self._decode(pcm, "commands")
        loop, _ = self._decode(pcm, "phones")
        frames = max(1, int(self._decoder.n_frames()))
        if best is None or loop is None or word not in WORDS:
            return None, -np.inf
        return word, (best - loop) / frames

    def _decode(self, pcm: Pcm, search: str) -> tuple[float | None, str]:
        self._decoder.activate_search(search)
        self._decoder.start_utt()
        self._decoder.process_raw(pcm.tobytes(), full_utt=True)
        self._decoder.end_utt()
        hyp = self._decoder.hyp()
        if hyp is None or hyp.score <= 0.0:
            return None, ""
        return float(self._logmath.log(hyp.score)), str(hyp.hypstr).strip()


# --- the microphone --------------------------------------------------------------------------------


class Source(Protocol):
    """Where audio comes from: ``start`` calls ``receive`` with 16 kHz int16 blocks until ``close``."""

    def start(self, receive: Callable[[Pcm], None]) -> None: ...

    def close(self) -> None: ...


class Microphone:
    """The default capture device through miniaudio, 16 kHz mono int16."""

    def __init__(self) -> None:
        try:
            import miniaudio  # type: ignore[import-untyped]
        except ImportError as exc:
            raise ListenUnavailable(UNAVAILABLE_NO_MICROPHONE) from exc
        try:
            with quiet_stderr():
                self._device = miniaudio.CaptureDevice(
                    input_format=miniaudio.SampleFormat.SIGNED16,
                    nchannels=1,
                    sample_rate=SAMPLE_RATE,
                    buffersize_msec=50,
                )
        except Exception as exc:  # miniaudio.MiniaudioError, or a backend library failing to load
            raise ListenUnavailable(UNAVAILABLE_NO_MICROPHONE) from exc
        if str(getattr(self._device, "backend", "")).lower() == "null":
            self._device.close()  # the null backend "records" silence: there is no microphone
            raise ListenUnavailable(UNAVAILABLE_NO_MICROPHONE)

    def start(self, receive: Callable[[Pcm], None]) -> None:
        def capture() -> Generator[None, bytes, None]:
            while True:
                data = yield
                receive(np.frombuffer(bytes(data), dtype=np.int16))

        generator = capture()
        next(generator)
        self._device.start(generator)

    def close(self) -> None:
        self._device.close()


class VoiceCommands:
    """Hears commands on a thread and hands them to ``deliver`` (e.g. ``QueueInputs.put``).

    Use as a context manager around the session. ``is_speaking`` says whether the app is making
    sound now (the mixer being busy); what is heard then, or within ``holdoff`` seconds after, is
    dropped. Opening raises ``ListenUnavailable`` (one line to show) with no recogniser or no
    microphone.
    """

    def __init__(
        self,
        deliver: Callable[[Command], None],
        is_speaking: Callable[[], bool] = lambda: False,
        *,
        source: Callable[[], Source] = Microphone,
        spotter: KeywordSpotter | None = None,
        holdoff: float = HOLDOFF,
    ) -> None:
        self.deliver = deliver
        self.is_speaking = is_speaking
        self.holdoff = holdoff
        self.dropped: list[Detection] = []
        self._make_source = source
        self._spotter = spotter
        self._source: Source | None = None
        self._blocks: queue.Queue[tuple[Pcm, bool] | None] = queue.Queue()
        self.failure: Exception | None = None
        self._speaking: deque[tuple[float, float]] = deque(maxlen=256)
        self._thread = threading.Thread(target=self._run, name="solemate-listen", daemon=True)

    def __enter__(self) -> VoiceCommands:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Open the microphone and start listening; ``ListenUnavailable`` when it cannot.

        Starting again does nothing, so a started ``VoiceCommands`` can still be used in ``with``.
        """
        if self._source is not None:
            return
        if self._spotter is None:
            _pocketsphinx()  # a missing recogniser is said first, before touching any device
            source = self._make_source()  # no microphone: fail before loading the model
            try:
                self._spotter = KeywordSpotter()
            except BaseException:
                source.close()
                raise
        else:
            source = self._make_source()
        self._source = source
        self._thread.start()
        source.start(self._receive)

    def close(self) -> None:
        if self._source is not None:
            self._source.close()
            self._source = None
        if self._thread.is_alive():
            self._blocks.put(None)
            self._thread.join(timeout=2.0)

    def _receive(self, block: Pcm) -> None:
        """On the capture thread: note whether the app is sounding as this block is recorded (the
        listening thread may fall behind while it decodes) and queue it."""
        self._blocks.put((block, self.is_speaking()))

    def _run(self) -> None:
        while (item := self._blocks.get()) is not None:
            if self.failure is None:
                try:
                    self.process(*item)
                except Exception as exc:  # never take the session down: just stop listening
                    self.failure = exc

    def process(self, block: Pcm, speaking: bool | None = None) -> list[Command]:
        """Listen to one block; deliver and return what was obeyed. ``speaking`` is whether the app
        was sounding when the block was recorded (asked now when not given)."""
        if self._spotter is None:
            self._spotter = KeywordSpotter()
        start = self._spotter.time
        if speaking is None:
            speaking = self.is_speaking()
        detections = self._spotter.spot(block)
        if speaking:
            end = self._spotter.time
            if self._speaking and self._speaking[-1][1] >= start:
                self._speaking[-1] = (self._speaking[-1][0], end)
            else:
                self._speaking.append((start, end))
        obeyed = []
        for detection in detections:
            if self._own_voice(detection):
                self.dropped.append(detection)
                continue
            obeyed.append(detection.command)
            self.deliver(detection.command)
        return obeyed

    def _own_voice(self, detection: Detection) -> bool:
        """Did the app speak during the word, or less than ``holdoff`` seconds before it?"""
        return any(
            begin <= detection.end and end + self.holdoff >= detection.start
            for begin, end in self._speaking
        )
