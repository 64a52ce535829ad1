"""prepare(): every phrase said once into the cache, its spoken length measured, the cache reused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from solemate.audio import speak_ahead
from solemate.audio.speak_ahead import prepare
from solemate.audio.speech import SpeechEngine, SpeechError
from solemate.audio.voice_registry import SpeakerSpec

PHRASES = ["And release.", "Slowly, toe by toe.", "Breathe out.", "And release."]


def test_espeak_lengths_are_the_cached_audio_and_the_second_time_costs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = SpeakerSpec("espeak", cache_dir=tmp_path)
    calls: list[tuple[int, int]] = []
    lengths = prepare(spec, PHRASES, lambda done, total: calls.append((done, total)))
    assert list(lengths) == ["And release.", "Slowly, toe by toe.", "Breathe out."]
    engine = SpeechEngine(cache_dir=tmp_path)
    for text, seconds in lengths.items():
        assert seconds == engine.synthesize(text).size / engine.sample_rate
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]

    def no_synthesis(self: SpeechEngine, text: str) -> object:
        raise AssertionError("synthesized although cached")

    monkeypatch.setattr(SpeechEngine, "_render", no_synthesis)
    calls.clear()
    assert prepare(spec, PHRASES, lambda done, total: calls.append((done, total))) == lengths
    assert calls == [(3, 3)]


def test_a_changed_text_is_the_only_one_said_again(tmp_path: Path) -> None:
    spec = SpeakerSpec("espeak", cache_dir=tmp_path)
    prepare(spec, PHRASES)
    calls: list[tuple[int, int]] = []
    prepare(spec, [*PHRASES, "Rest now."], lambda done, total: calls.append((done, total)))
    assert calls == [(3, 4), (4, 4)]


def test_an_unknown_voice_is_refused_before_anything_runs(tmp_path: Path) -> None:
    with pytest.raises(SpeechError, match="unknown voice 'robot'"):
        prepare(SpeakerSpec("robot", cache_dir=tmp_path), PHRASES)


@pytest.mark.slow
def test_kokoro_prepares_in_worker_processes_and_reuses_the_cache(
    tmp_path: Path, kokoro_models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = SpeakerSpec("heart", cache_dir=tmp_path, model_dir=kokoro_models)
    texts = ["Rest.", "Breathe in.", "And out."]
    calls: list[tuple[int, int]] = []
    lengths = prepare(spec, texts, lambda done, total: calls.append((done, total)), workers=2)
    assert sorted(lengths) == sorted(texts)
    assert calls[0] == (0, 3)
    assert calls[-1] == (3, 3)
    engine = spec.open()
    for text, seconds in lengths.items():
        assert 0.3 < seconds < 3.0
        cached = engine.cache.get(engine.cache_key(text))  # made by the workers, read here
        assert cached is not None
        assert np.isclose(seconds, cached.size / engine.sample_rate)

    def no_workers(*args: object) -> object:
        raise AssertionError("workers started although everything is cached")

    monkeypatch.setattr(speak_ahead, "_in_workers", no_workers)
    assert prepare(spec, texts) == lengths


def test_a_worker_failure_is_raised_with_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A voice that cannot load its model: the workers say why, and prepare raises it.
    monkeypatch.setattr(speak_ahead, "_check_model", lambda speaker: None)
    models = tmp_path / "models"
    models.mkdir()
    (models / "kokoro-v1.0.int8-6e742170d309.onnx").write_bytes(b"not a model")
    spec = SpeakerSpec("heart", cache_dir=tmp_path, model_dir=models)
    with pytest.raises(SpeechError, match="refusing to use it"):
        prepare(spec, ["Rest.", "Breathe in."], workers=2)
