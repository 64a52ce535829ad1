"""The natural voice: the model is used only when its hash is right, and it really speaks."""

from __future__ import annotations

import doctest
import hashlib
from pathlib import Path

import numpy as np
import pytest

from solemate.audio import kokoro
from solemate.audio.kokoro import (
    MODEL_SHA256,
    SAMPLE_RATE,
    KokoroEngine,
    ModelError,
    ensure_model,
    model_parts,
)
from solemate.audio.speech import DEFAULT_RATE, SpeechError


def test_worked_examples_in_docstrings() -> None:
    assert doctest.testmod(kokoro).failed == 0


def test_the_installed_parts_are_the_pinned_upstream_model() -> None:
    digest = hashlib.sha256()
    for part in model_parts():
        digest.update(part.read_bytes())
    assert digest.hexdigest() == MODEL_SHA256
    assert MODEL_SHA256.startswith("6e742170")


def test_cache_key_covers_voice_rate_and_text(tmp_path: Path) -> None:
    base = KokoroEngine(cache_dir=tmp_path)
    keys = {
        base.cache_key("Hold."),
        base.cache_key("Hold on."),
        KokoroEngine("af_bella", cache_dir=tmp_path).cache_key("Hold."),
        KokoroEngine(rate=DEFAULT_RATE + 20, cache_dir=tmp_path).cache_key("Hold."),
        KokoroEngine(language="en-gb", cache_dir=tmp_path).cache_key("Hold."),
    }
    assert len(keys) == 5
    assert base.cache_key("Hold.") == KokoroEngine(cache_dir=tmp_path).cache_key("Hold.")


def test_bad_style_and_rate_are_named(tmp_path: Path) -> None:
    with pytest.raises(SpeechError, match="no Kokoro voice style 'af_nobody'"):
        KokoroEngine("af_nobody", cache_dir=tmp_path)
    with pytest.raises(SpeechError, match="from 80 to 450"):
        KokoroEngine(rate=500, cache_dir=tmp_path)


def test_a_corrupt_joined_model_is_refused(tmp_path: Path) -> None:
    model = ensure_model(tmp_path)
    with model.open("r+b") as fh:  # one flipped byte in the middle of the weights
        fh.seek(50_000_000)
        byte = fh.read(1)
        fh.seek(50_000_000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelError) as caught:
        ensure_model(tmp_path)
    message = str(caught.value)
    assert str(model) in message
    assert MODEL_SHA256 in message
    assert "refusing to use it" in message
    engine = KokoroEngine(cache_dir=tmp_path / "speech", model_dir=tmp_path)
    with pytest.raises(ModelError, match="refusing"):
        engine.synthesize("Rest.")
    assert not list((tmp_path / "speech").rglob("*.pcm"))  # nothing was said, nothing was cached
    model.unlink()  # 92 MB


def test_parts_that_do_not_join_to_the_pinned_model_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = []
    for i in range(4):
        part = tmp_path / f"part{i}.bin"
        part.write_bytes(bytes([i]) * 1000)
        fake.append(part)
    monkeypatch.setattr(kokoro, "model_parts", lambda: fake)
    with pytest.raises(ModelError, match=f"not the expected {MODEL_SHA256}: refusing"):
        ensure_model(tmp_path / "models")
    assert list((tmp_path / "models").iterdir()) == []  # no half-made or wrong file is left


@pytest.mark.slow
def test_kokoro_speaks_a_phrase_and_caches_it(
    tmp_path: Path, kokoro_models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = KokoroEngine(cache_dir=tmp_path, model_dir=kokoro_models)
    audio = engine.synthesize("Breathe out slowly.")
    assert engine.sample_rate == SAMPLE_RATE == 24000
    assert audio.dtype == np.float32
    assert audio.ndim == 1
    seconds = audio.size / SAMPLE_RATE
    assert 0.8 < seconds < 3.0, seconds
    assert float(np.sqrt(np.mean(audio**2))) > 0.02  # audible
    loud = np.flatnonzero(np.abs(audio) > 0.004)
    assert loud[0] == round(0.005 * SAMPLE_RATE)  # trimmed as espeak's phrases are: 5 ms lead

    again = KokoroEngine(cache_dir=tmp_path, model_dir=kokoro_models)

    def no_synthesis(text: str) -> object:
        raise AssertionError("synthesized although cached")

    monkeypatch.setattr(again, "_render", no_synthesis)
    np.testing.assert_array_equal(again.synthesize("Breathe out slowly."), audio)
    assert again.cache.samples(again.cache_key("Breathe out slowly.")) == audio.size


@pytest.mark.slow
def test_a_slower_rate_speaks_longer(tmp_path: Path, kokoro_models: Path) -> None:
    slow = KokoroEngine(rate=110, cache_dir=tmp_path, model_dir=kokoro_models)
    fast = KokoroEngine(rate=200, cache_dir=tmp_path, model_dir=kokoro_models)
    text = "Slowly, toe by toe."
    assert slow.synthesize(text).size > 1.3 * fast.synthesize(text).size
