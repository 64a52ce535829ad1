"""The phrase cache shared by processes: a phrase is made once, whoever asks for it first.

A second process asking for a phrase the first is making waits for it and reads the file instead
of making it again; a preparation asking without waiting is told the phrase is busy; a process
killed while making a phrase lets go of it."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from solemate.audio import speak_ahead, speech
from solemate.audio.speak_ahead import _in_workers, _Worker
from solemate.audio.speech import PhraseCache, SpeechEngine
from solemate.audio.voice_registry import SpeakerSpec

KEY = "ab" + "0" * 62

HOLDER = """
import sys
from pathlib import Path
import numpy as np
from solemate.audio.speech import PhraseCache

cache = PhraseCache(Path(sys.argv[1]))
with cache.making(sys.argv[2]):
    print("held", flush=True)
    if sys.stdin.readline() == "put\\n":
        cache.put(sys.argv[2], np.arange(100, dtype=np.int16))
"""


def hold(folder: Path, key: str) -> subprocess.Popen[str]:
    """A process holding ``key``'s making lock until it reads a line (``put`` stores a phrase)."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder), key],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "held\n"
    return process


class Watched:
    """``fcntl`` as the cache sees it, telling when a lock is about to be waited for."""

    LOCK_EX, LOCK_NB = fcntl.LOCK_EX, fcntl.LOCK_NB

    def __init__(self) -> None:
        self.waiting = threading.Event()

    def flock(self, fd: int, operation: int) -> None:
        if not operation & self.LOCK_NB:
            self.waiting.set()
        fcntl.flock(fd, operation)


def test_a_phrase_another_process_is_making_is_waited_for_and_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = PhraseCache(tmp_path)
    holder = hold(tmp_path, KEY)
    assert cache.being_made(KEY)
    watched = Watched()
    monkeypatch.setattr(speech, "fcntl", watched)
    made: list[str] = []
    got: list[Any] = []

    def render() -> Any:
        made.append("here")
        return np.ones(50, dtype=np.int16)

    asker = threading.Thread(target=lambda: got.append(cache.spoken(KEY, 22050, render)))
    asker.start()
    assert watched.waiting.wait(30), "the second asker did not wait for the first"
    assert asker.is_alive()
    assert holder.communicate("put\n", timeout=30)[0] == ""
    asker.join(30)
    assert made == []  # read from the file the holder wrote, not made again
    assert len(got[0]) == 100


def test_a_killed_maker_lets_go(tmp_path: Path) -> None:
    cache = PhraseCache(tmp_path)
    holder = hold(tmp_path, KEY)
    assert cache.being_made(KEY)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(30)
    assert not cache.being_made(KEY)
    samples = cache.spoken(KEY, 22050, lambda: np.ones(40, dtype=np.int16) * 1000)
    assert len(samples) > 0
    assert cache.samples(KEY) is not None


def test_phrases_are_made_without_locks_where_none_can_be_taken(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    cache = PhraseCache(blocker)
    with cache.making(KEY) as mine:
        assert mine
    assert not cache.being_made(KEY)


def test_a_worker_asked_not_to_wait_says_busy(tmp_path: Path) -> None:
    text = "Rest now."
    key = SpeechEngine(cache_dir=tmp_path).cache_key(text)
    worker = _Worker(SpeakerSpec("espeak", cache_dir=tmp_path))
    try:
        holder = hold(tmp_path, key)
        assert worker.speak(text, wait=False) is None
        holder.communicate("\n", timeout=30)  # lets go without making it
        seconds = worker.speak(text, wait=False)
    finally:
        worker.close()
    assert seconds is not None
    assert seconds > 0.2
    assert PhraseCache(tmp_path).samples(key) is not None


def test_a_busy_phrase_goes_to_the_back_and_is_waited_for_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[tuple[str, bool]] = []

    class Fake:
        def __init__(self, spec: object) -> None:
            pass

        def speak(self, text: str, wait: bool = True) -> float | None:
            asked.append((text, wait))
            return None if text == "busy" and not wait else 1.0

        def close(self) -> None:
            pass

    monkeypatch.setattr(speak_ahead, "_Worker", Fake)
    texts = ["first", "busy", "last"]
    done = [text for text, _ in _in_workers(SpeakerSpec("espeak"), texts, 1)]
    assert done == ["first", "last", "busy"]
    assert asked == [("first", False), ("busy", False), ("last", False), ("busy", True)]
