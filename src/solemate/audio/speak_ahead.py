"""Say every phrase of a session once, ahead of time, and measure how long each one is spoken.

The planner needs each cue's real spoken length so that no cue is ever late, whatever the voice:
``plan(routine, options, speech=prepare(spec, texts))``. A neural voice takes about half a second
of CPU per phrase, so phrases not yet in the cache are made by a pool of worker processes (at most
two, one per core: espeak-ng's state is process-global and onnxruntime runs one thread in each),
each loading the model once. Cached phrases cost a ``stat`` each (:meth:`PhraseCache.samples`).

Two preparations at once (``solemate serve`` preparing tonight's voice while ``render`` runs) share
the work: a phrase the other process is making is put back at the end of the queue and waited for
only when nothing else is left, so each phrase is made once (see :meth:`PhraseCache.making`).
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator

from solemate.audio.speech import CachingSpeaker, SpeechError
from solemate.audio.voice_registry import SpeakerSpec, is_parallel

Progress = Callable[[int, int], None]
"""``progress(done, total)``: phrases ready so far, out of the distinct phrases asked for."""

MAX_WORKERS = 2


def _no_progress(done: int, total: int) -> None:
    pass


def prepare(
    spec: SpeakerSpec,
    texts: Iterable[str],
    progress: Progress = _no_progress,
    workers: int | None = None,
) -> dict[str, float]:
    """Every distinct text of ``texts`` synthesized into the cache; returns its spoken seconds.

    ``workers`` caps the pool (default ``min(2, CPUs)``); espeak-ng is fast enough to run here.
    Raises :class:`~solemate.audio.speech.SpeechError` (or :class:`UnknownVoice`) as the engine does.
    """
    spec = spec.resolved()
    speaker = spec.open()
    distinct = list(dict.fromkeys(texts))
    seconds = {text: _cached_seconds(speaker, text) for text in distinct}
    missing = [text for text, length in seconds.items() if length is None]
    done = len(distinct) - len(missing)
    progress(done, len(distinct))
    pool_size = min(workers or MAX_WORKERS, os.cpu_count() or 1, len(missing))
    if missing and (pool_size <= 1 or not is_parallel(speaker)):
        for text in missing:
            seconds[text] = _speak(speaker, text)
            done += 1
            progress(done, len(distinct))
    elif missing:
        _check_model(speaker)  # once here, not raced by the workers joining it twice
        for text, length in _in_workers(spec, missing, pool_size):
            seconds[text] = length
            done += 1
            progress(done, len(distinct))
    return {text: length for text, length in seconds.items() if length is not None}


def _cached_seconds(speaker: CachingSpeaker, text: str) -> float | None:
    samples = speaker.cache.samples(speaker.cache_key(text))
    return None if samples is None else samples / speaker.sample_rate


def _speak(speaker: CachingSpeaker, text: str) -> float:
    return len(speaker.synthesize(text)) / speaker.sample_rate


def _check_model(speaker: CachingSpeaker) -> None:
    from solemate.audio.kokoro import KokoroEngine, ensure_model

    if isinstance(speaker, KokoroEngine):
        ensure_model(speaker.model_dir)


class _Worker:
    """One worker process (``_speak_ahead_worker.py``) with the voice loaded."""

    def __init__(self, spec: SpeakerSpec) -> None:
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "solemate.audio._speak_ahead_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
        except OSError as exc:
            raise SpeechError(f"the voice worker cannot start: {exc}") from exc
        fields: dict[str, object] = {
            "voice": spec.voice,
            "rate": spec.rate,
            "cache_dir": str(spec.cache_dir) if spec.cache_dir else None,
            "model_dir": str(spec.model_dir) if spec.model_dir else None,
        }
        self.ask(fields)

    def ask(self, request: dict[str, object]) -> dict[str, object]:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None
        assert stdout is not None
        try:
            stdin.write(json.dumps(request) + "\n")
            stdin.flush()
            line = stdout.readline()
        except OSError:
            line = ""
        if not line:
            raise SpeechError("the voice worker stopped unexpectedly")
        answer: dict[str, object] = json.loads(line)
        if not answer.get("ok"):
            raise SpeechError(str(answer.get("error")))
        return answer

    def speak(self, text: str, wait: bool = True) -> float | None:
        """The phrase's spoken seconds; None when ``wait`` is False and another process is making
        it now."""
        answer = self.ask({"text": text, "wait": wait})
        return None if answer.get("busy") else float(str(answer["seconds"]))

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _in_workers(spec: SpeakerSpec, texts: list[str], count: int) -> Iterator[tuple[str, float]]:
    """``(text, seconds)`` as each text is made by one of ``count`` workers, in finishing order.

    Each worker is fed by its own thread from one shared queue, so a slow phrase never holds up
    the other worker; the first failure stops everything and is raised here. A phrase another
    process is making goes back to the end of the queue, to be waited for when it comes round.
    """
    todo: queue.Queue[tuple[str, bool]] = queue.Queue()  # (text, wait for another process)
    for text in texts:
        todo.put((text, False))
    results: queue.Queue[tuple[str, float] | BaseException] = queue.Queue()
    stop = threading.Event()

    def feed() -> None:
        worker = None
        try:
            worker = _Worker(spec)
            while not stop.is_set():
                try:
                    text, wait = todo.get_nowait()
                except queue.Empty:
                    return
                seconds = worker.speak(text, wait)
                if seconds is None:
                    todo.put((text, True))
                else:
                    results.put((text, seconds))
        except BaseException as exc:
            results.put(exc)
        finally:
            if worker is not None:
                worker.close()

    threads = [threading.Thread(target=feed, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    try:
        for _ in texts:
            item = results.get()
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        for thread in threads:
            thread.join()
