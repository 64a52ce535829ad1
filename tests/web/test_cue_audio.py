"""Cue audio: files in the voice's own rate, and a neural voice's phrases made ahead in the background."""

from __future__ import annotations

import io
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile

from solemate.audio import speak_ahead, voice_registry
from solemate.audio.speech import PhraseCache
from solemate.audio.voice_registry import SpeakerSpec
from solemate.plan import PlanOptions, plan
from solemate.routine import builtin_routine
from solemate.timeline import Timeline
from solemate.web.config import WebConfig
from solemate.web.cue_audio import CueAudio, text_digest


class NeuralSpeaker:
    """A stand-in for Kokoro: 24 kHz, and counted, so the test sees where phrases were made."""

    sample_rate = 24000

    def __init__(self, cache_dir: Path) -> None:
        self.cache = PhraseCache(cache_dir)
        self.made: list[str] = []

    def cache_key(self, text: str) -> str:
        return text_digest(text) * 2

    def synthesize(self, text: str) -> np.ndarray:
        samples = self.cache.get(self.cache_key(text))
        if samples is None:
            self.made.append(text)
            samples = np.full(2400, 1000, dtype=np.int16)
            self.cache.put(self.cache_key(text), samples)
        return samples.astype(np.float32) / 32768


def test_a_neural_voice_is_prepared_in_the_background_and_served_at_its_rate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    speaker = NeuralSpeaker(tmp_path)
    monkeypatch.setattr(voice_registry, "resolve_voice", lambda *a, **k: speaker)
    release = threading.Event()
    asked: list[tuple[SpeakerSpec, list[str]]] = []

    def fake_prepare(spec: SpeakerSpec, texts: list[str]) -> dict[str, float]:
        asked.append((spec, list(texts)))
        release.wait(5)
        return {text: speaker.synthesize(text).size / 24000 for text in texts}

    monkeypatch.setattr(speak_ahead, "prepare", fake_prepare)
    cues = CueAudio(tmp_path, voice="heart")
    timeline = plan(builtin_routine(), PlanOptions())
    digests = cues.register(timeline)
    text, digest = next(iter(digests.items()))

    answer: list[bytes | None] = []
    fetch = threading.Thread(target=lambda: answer.append(cues.audio(digest, "wav")))
    fetch.start()
    fetch.join(0.3)
    assert fetch.is_alive()  # the file waits for the background work, not a second model
    release.set()
    fetch.join(5)
    data = answer[0]
    assert data is not None
    samples, rate = soundfile.read(io.BytesIO(data))
    assert rate == 24000
    assert samples.size == 2400
    assert len(asked) == 1
    assert asked[0][0].voice == "heart"
    assert sorted(asked[0][1]) == sorted(digests)
    assert speaker.made.count(text) == 1  # made once, by the preparation

    cues.register(timeline)  # the same phrases again: nothing new to prepare
    assert len(asked) == 1


def test_serve_prepares_tonights_likely_sessions_at_start(
    config: WebConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from solemate.web import create_app

    asked: list[list[Timeline]] = []
    monkeypatch.setattr(CueAudio, "prepare_ahead", lambda self, timelines: asked.append(timelines))
    with TestClient(create_app(config), base_url="http://127.0.0.1"):
        assert asked == []  # only solemate serve asks for it
    with TestClient(
        create_app(replace(config, prepare_at_start=True)), base_url="http://127.0.0.1"
    ):
        assert len(asked) == 1
    wordings = sorted((t.options["wording"], t.voice, t.total) for t in asked[0])
    assert wordings == [
        ("brief", "partner", 720), ("brief", "self", 720),
        ("full", "partner", 720), ("full", "self", 720),
    ]  # fmt: skip
