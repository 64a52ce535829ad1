"""Offline speech: espeak-ng through ctypes, in a worker process, with every phrase cached on disk.

Why espeak-ng through ``espeakng-loader``: the wheel bundles the library and its voice data, so speech
works after ``pip install`` alone, offline, about a thousand times faster than real time. The library
keeps global state, is not thread-safe and does not say a phrase the same way twice in one process,
so it runs in one worker process (``_espeak_worker.py``) that forks a fresh child per phrase; every
engine in this process talks to that worker under one lock.

A session says the same phrases night after night ("And release.", "two", "one"), so each phrase is
synthesized once and kept in the cache directory. The cache key covers everything that changes the
sound: text, voice, rate, pitch, the engine and its version, and this module's cache format.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from solemate.plan import MAX_SPEECH_RATE, MIN_SPEECH_RATE, SPEECH_RATE

try:
    import fcntl
except ImportError:  # not POSIX: phrases are made without cross-process locks
    fcntl = None  # type: ignore[assignment]

DEFAULT_VOICE = "en-us+f2"
"""A soft female variant of American English; with the low pitch below it is espeak's calmest."""

DEFAULT_RATE = SPEECH_RATE
"""Words per minute (145): slower than espeak's 175, unhurried without dragging the counts; the
planner leaves room for the words at this rate."""

DEFAULT_PITCH = 38
"""espeak's pitch scale is 0–99 around 50; a little lower sounds calmer."""

PITCH_RANGE = 40
"""Intonation range 0–99 (espeak's default 50): a flatter contour for a bedtime voice."""

MIN_RATE, MAX_RATE = MIN_SPEECH_RATE, MAX_SPEECH_RATE
SAMPLE_RATE = 22050

CACHE_FORMAT = 2
"""Bump when trimming or the stored layout changes, so old cache files are never reused."""

_MAGIC = b"SMPHRASE"
_DIGEST_SIZE = 32
_SILENCE_THRESHOLD = 0.004
"""About −48 dBFS: below it a sample counts as silence for trimming."""
_KEEP_BEFORE = 0.005
_KEEP_AFTER = 0.030
"""Seconds of silence kept: a few ms before the first sound, a little more after (decays are soft)."""

Audio = npt.NDArray[np.float32]


class SpeechError(Exception):
    """Speech cannot be made as asked (unknown voice, rate out of range, missing engine or model)."""


class Speaker(Protocol):
    """What the renderers need from a voice: its sample rate and phrases as float32 mono audio."""

    @property
    def sample_rate(self) -> int: ...

    def synthesize(self, text: str) -> Audio: ...


@runtime_checkable
class CachingSpeaker(Speaker, Protocol):
    """A speaker with a phrase cache (both engines here): a renderer can keep its own derived
    versions of a phrase (resampled, levelled) beside it, under a key that changes with the phrase."""

    @property
    def cache(self) -> PhraseCache: ...

    def cache_key(self, text: str) -> str: ...


def default_cache_dir() -> Path:
    from solemate.settings import user_folder

    return user_folder("cache") / "speech"


# --- the library -----------------------------------------------------------------------------------

_WORKER = Path(__file__).with_name("_espeak_worker.py")


class _Espeak:
    """The client of the espeak-ng worker process (see ``_espeak_worker.py`` for why a process).

    One worker per Python process, started on first use and shared by every engine; a lock makes
    the request/answer exchange safe from any thread. Importing this module starts nothing.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self.version = ""
        self.data_path = Path()

    def _start(self) -> subprocess.Popen[bytes]:
        try:
            process = subprocess.Popen(
                [sys.executable, "-s", str(_WORKER)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            raise SpeechError(f"the speech worker cannot start: {exc}") from exc
        assert process.stdout is not None
        hello = self._head(process)
        if not hello.get("ok"):
            process.wait()
            raise SpeechError(str(hello.get("error", "the speech worker failed to start")))
        self.version = str(hello["version"])
        self.data_path = Path(str(hello["data_path"]))
        return process

    @staticmethod
    def _head(process: subprocess.Popen[bytes]) -> dict[str, Any]:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise SpeechError("the speech worker stopped unexpectedly")
        head: dict[str, Any] = json.loads(line)
        return head

    def request(self, op: str, **fields: object) -> tuple[dict[str, Any], bytes]:
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._process = self._start()
            process = self._process
            assert process.stdin is not None
            assert process.stdout is not None
            try:
                process.stdin.write(json.dumps({"op": op, **fields}).encode() + b"\n")
                process.stdin.flush()
                head = self._head(process)
                payload = process.stdout.read(int(head.get("bytes", 0)))
            except (OSError, ValueError, SpeechError) as exc:
                self._process = None
                process.kill()
                raise SpeechError(f"the speech worker stopped unexpectedly ({exc})") from exc
        if not head.get("ok"):
            raise SpeechError(str(head.get("error")))
        return head, payload

    def started(self) -> None:
        if not self.version:
            self.request("languages")

    def synth(self, text: str, voice: str, rate: int) -> npt.NDArray[np.int16]:
        _, pcm = self.request(
            "synth", text=text, voice=voice, rate=rate, pitch=DEFAULT_PITCH, range=PITCH_RANGE
        )
        return np.frombuffer(pcm, dtype="<i2").copy()

    def accepts(self, voice: str) -> bool:
        head, _ = self.request("check", voice=voice, rate=DEFAULT_RATE)
        return bool(head["status"] == 0)

    def languages(self) -> list[str]:
        head, _ = self.request("languages")
        return [str(name) for name in head["languages"]]


_ESPEAK = _Espeak()
_BASES: list[str] | None = None


def _variants() -> list[str]:
    _ESPEAK.started()
    folder = _ESPEAK.data_path / "voices" / "!v"
    return sorted(p.name for p in folder.iterdir() if p.is_file() and " " not in p.name)


def _english_bases() -> list[str]:
    global _BASES
    if _BASES is None:
        names = {n for n in _ESPEAK.languages() if n == "en" or n.startswith("en-")}
        # Some listed language names (``en-gb``) are not voice names: keep the ones that load.
        _BASES = sorted(n for n in names if _ESPEAK.accepts(n))
    return list(_BASES)


def voices() -> list[str]:
    """The English voices (``en-us``, ``en-gb-x-rp``…) and the variants on the default voice.

    Any variant (``+f1``…``+f5``, ``+m3``, ``+Annie``…) combines with any base voice: ``en-gb-x-rp+f3``.
    """
    base = DEFAULT_VOICE.split("+")[0]
    return _english_bases() + [f"{base}+{v}" for v in _variants() if f"{base}+{v}" != base]


def check_speech_rate(rate: int) -> None:
    if not (isinstance(rate, int) and MIN_RATE <= rate <= MAX_RATE):
        raise SpeechError(
            f"speech rate must be a whole number of words per minute from {MIN_RATE} to {MAX_RATE}, "
            f"got {rate!r}"
        )


def _check_voice(voice: str) -> None:
    base, _, variant = voice.partition("+")
    known_bases = _english_bases()
    hint = ", ".join([*known_bases[:6], DEFAULT_VOICE, "en-gb-x-rp+f3"])
    if base not in known_bases:
        raise SpeechError(f"unknown voice {voice!r}; try one of: {hint} (see `voices()`)")
    if variant and variant not in _variants():
        some = ", ".join(f"+{v}" for v in ["f1", "f2", "f3", "f4", "m1", "m3", "Annie"])
        raise SpeechError(
            f"unknown voice variant {variant!r} in {voice!r}; variants include {some}"
        )
    if not _ESPEAK.accepts(voice):
        raise SpeechError(f"unknown voice {voice!r}; try one of: {hint}")


# --- the phrase cache ------------------------------------------------------------------------------


class PhraseCache:
    """Synthesized phrases on disk, one file per phrase, written atomically.

    A file holds a magic tag, the SHA-256 of its samples and the samples as 16-bit PCM. A file that is
    truncated, foreign or fails its checksum is treated as missing (and rewritten on the next miss),
    so a crash or a full disk mid-write can never feed garbage into a session.

    Processes sharing the folder (``solemate serve`` preparing tonight's voice while ``render``
    runs, or two preparations at once) make each phrase once: whoever makes a phrase holds a lock
    (:meth:`making`) and the others wait for it and read the file it wrote. The locks are 256
    files in ``.making`` (phrases share one by the first two characters of their key), locked with
    ``flock``, so a process that dies lets go at once and nothing is left to clean up.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pcm"

    @contextmanager
    def making(self, key: str, wait: bool = True) -> Iterator[bool]:
        """Hold the right to make the phrase under ``key`` while the block runs.

        Yields True once held (after waiting for another process making it, when ``wait``), or
        False at once when another process holds it and ``wait`` is False. Where locks cannot be
        taken (a read-only folder, no ``flock``), it yields True: the cache is only ever a speed-up.
        """
        fd = self._lock_file(key)
        if fd is None:
            yield True
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            except OSError:
                pass  # a filesystem without locks: make the phrase unguarded
            yield True
        finally:
            os.close(fd)  # lets go of the lock

    def being_made(self, key: str) -> bool:
        """Whether another process is making the phrase under ``key`` right now."""
        with self.making(key, wait=False) as free:
            return not free

    def _lock_file(self, key: str) -> int | None:
        if fcntl is None:
            return None
        folder = self.folder / ".making"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            return os.open(folder / key[:2], os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return None

    def get(self, key: str) -> npt.NDArray[np.int16] | None:
        try:
            raw = self.path(key).read_bytes()
        except OSError:
            return None
        head = len(_MAGIC) + _DIGEST_SIZE
        if len(raw) < head or not raw.startswith(_MAGIC) or (len(raw) - head) % 2:
            return None
        payload = raw[head:]
        if hashlib.sha256(payload).digest() != raw[len(_MAGIC) : head]:
            return None
        return np.frombuffer(payload, dtype="<i2").copy()

    def samples(self, key: str) -> int | None:
        """How many samples the phrase under ``key`` holds, from the file's size alone.

        Files are written whole (temporary file, then rename), so a present file with the magic tag
        is complete: its length can be known without reading or checking the audio. That makes
        asking for the spoken length of a whole session's phrases cost a few dozen ``stat`` calls.
        """
        path = self.path(key)
        try:
            with path.open("rb") as fh:
                if fh.read(len(_MAGIC)) != _MAGIC:
                    return None
                size = os.fstat(fh.fileno()).st_size
        except OSError:
            return None
        payload = size - len(_MAGIC) - _DIGEST_SIZE
        return payload // 2 if payload >= 0 and payload % 2 == 0 else None

    def put(self, key: str, samples: npt.NDArray[np.int16]) -> None:
        """Store ``samples``; a cache that cannot be written only costs speed, so errors are ignored."""
        target = self.path(key)
        payload = samples.astype("<i2").tobytes()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".pcm")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            pass

    def spoken(
        self, key: str, sample_rate: int, render: Callable[[], npt.NDArray[np.int16]]
    ) -> Audio:
        """The phrase under ``key`` as float audio: from the cache, else ``render()`` trimmed of
        silence (:func:`trim_silence`) and stored. Every voice says its phrases through this, so
        a phrase sounds the same whether it was just made or read back."""
        samples = self.get(key)
        if samples is None:
            with self.making(key):
                samples = self.get(key)  # another process may have made it while this one waited
                if samples is None:
                    samples = trim_silence(render(), sample_rate)
                    self.put(key, samples)
        return to_float(samples)


def cache_key(engine: str, voice: str, rate: int, text: str, **extra: object) -> str:
    """A stable key for a phrase: every input that changes the sound is in it."""
    material = {
        "format": CACHE_FORMAT,
        "engine": engine,
        "voice": voice,
        "rate": rate,
        "text": text,
        **extra,
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def trim_silence(samples: npt.NDArray[np.int16], sample_rate: int) -> npt.NDArray[np.int16]:
    """Cut leading and trailing silence to exactly 5 ms before the first sound and 30 ms after the last.

    espeak-ng sometimes starts a phrase with a burst at sample 0 and sometimes after 50 ms of
    silence; padding or cutting to a fixed lead makes placement exact: a cue placed at sample N is
    heard from sample N + 5 ms, whatever the phrase. The short tail keeps the last decay natural.
    """
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > _SILENCE_THRESHOLD * 32768)
    if loud.size == 0:
        return samples[:0]
    lead, tail = round(_KEEP_BEFORE * sample_rate), round(_KEEP_AFTER * sample_rate)
    first, last = int(loud[0]), int(loud[-1])
    start, end = max(0, first - lead), min(samples.size, last + 1 + tail)
    return np.concatenate(
        [
            np.zeros(lead - (first - start), dtype=np.int16),
            samples[start:end],
            np.zeros(tail - (end - last - 1), dtype=np.int16),
        ]
    )


def to_float(samples: npt.NDArray[np.int16]) -> Audio:
    return (samples.astype(np.float32) / np.float32(32768.0)).astype(np.float32)


# --- the engine ------------------------------------------------------------------------------------


class SpeechEngine:
    """espeak-ng speech with a phrase cache: ``synthesize(text)`` gives float32 mono at 22,050 Hz.

    >>> engine = SpeechEngine()                          # doctest: +SKIP
    >>> engine.synthesize("And release.").shape          # doctest: +SKIP
    (20727,)
    """

    sample_rate: int = SAMPLE_RATE

    def __init__(
        self, voice: str = DEFAULT_VOICE, rate: int = DEFAULT_RATE, cache_dir: Path | None = None
    ) -> None:
        check_speech_rate(rate)
        _check_voice(voice)
        self.voice = voice
        self.rate = rate
        self.cache = PhraseCache(cache_dir if cache_dir is not None else default_cache_dir())
        self.engine = f"espeak-ng {_ESPEAK.version}"

    def cache_key(self, text: str) -> str:
        return cache_key(
            self.engine, self.voice, self.rate, text, pitch=DEFAULT_PITCH, range=PITCH_RANGE
        )

    def synthesize(self, text: str) -> Audio:
        """``text`` spoken, trimmed of silence; from the cache when it was said before."""
        return self.cache.spoken(self.cache_key(text), self.sample_rate, lambda: self._render(text))

    def _render(self, text: str) -> npt.NDArray[np.int16]:
        """Uncached synthesis on the espeak thread."""
        return _ESPEAK.synth(text, self.voice, self.rate)

    def voices(self) -> list[str]:
        return voices()
