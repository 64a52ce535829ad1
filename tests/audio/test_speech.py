"""The speech engine: every cue of the guide's routine is spoken, cached, and bad settings are named."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from solemate.audio import neural
from solemate.audio.neural import PiperEngine
from solemate.audio.speech import (
    DEFAULT_RATE,
    DEFAULT_VOICE,
    SpeechEngine,
    SpeechError,
    default_cache_dir,
    voices,
)
from solemate.plan import PlanOptions, plan, speech_seconds
from solemate.routine import builtin_routine


def _cue_texts() -> list[str]:
    """Every distinct thing the built-in routine says, worded for oneself and for a partner."""
    texts: set[str] = set()
    for voice in ("self", "partner"):
        timeline = plan(builtin_routine(), PlanOptions(voice=voice, preparation=True))
        texts.update(cue.text for cue in timeline.cues)
    return sorted(texts)


CUE_TEXTS = _cue_texts()


def test_the_routine_has_cues_in_both_wordings() -> None:
    assert len(CUE_TEXTS) > 60
    assert any("your partner" in t or "their" in t for t in CUE_TEXTS)


@pytest.mark.parametrize("text", CUE_TEXTS, ids=[t[:40] for t in CUE_TEXTS])
def test_every_cue_is_spoken_audibly_and_at_a_plausible_length(
    engine: SpeechEngine, text: str
) -> None:
    audio = engine.synthesize(text)
    assert audio.dtype == np.float32
    assert audio.ndim == 1
    assert np.max(np.abs(audio)) <= 1.0
    # Measured RMS of these cues is 0.077–0.123: a floor far below that still catches silence or
    # a voice that lost its volume.
    assert float(np.sqrt(np.mean(audio**2))) > 0.02
    seconds = audio.size / engine.sample_rate
    nominal = len(text.split()) / DEFAULT_RATE * 60
    # espeak's rate counts average words without pauses: short words run at about 0.6× the
    # nominal length, so 0.5× still fails on a truncated phrase.
    assert 0.5 * nominal <= seconds, (seconds, nominal)
    # never longer than the planner expects, so a cue is always said before the next one is due
    assert seconds <= speech_seconds(text), (seconds, speech_seconds(text))


def test_silence_is_trimmed_but_a_few_ms_are_kept(engine: SpeechEngine) -> None:
    audio = engine.synthesize("And release.")
    rate = engine.sample_rate
    loud = np.flatnonzero(np.abs(audio) > 0.004)
    assert loud[0] == round(0.005 * rate)
    assert audio.size - 1 - loud[-1] == round(0.030 * rate)


@pytest.mark.parametrize("text", ["two", "And release.", "Let us begin."])
def test_every_phrase_starts_sounding_5_ms_in(engine: SpeechEngine, text: str) -> None:
    """espeak itself starts some phrases at once and others after a pause; placement needs one lead."""
    audio = engine.synthesize(text)
    assert np.flatnonzero(np.abs(audio) > 0.004)[0] == round(0.005 * engine.sample_rate)


def test_the_second_call_comes_from_the_cache(
    speech_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = SpeechEngine(cache_dir=speech_cache).synthesize("Breathe out slowly.")
    again = SpeechEngine(cache_dir=speech_cache)

    def no_synthesis(text: str) -> np.ndarray:
        raise AssertionError(f"synthesized {text!r} again")

    monkeypatch.setattr(again, "_render", no_synthesis)
    np.testing.assert_array_equal(again.synthesize("Breathe out slowly."), first)


def test_the_cache_key_changes_with_text_voice_and_rate(tmp_path: Path) -> None:
    base = SpeechEngine(cache_dir=tmp_path)
    other_voice = SpeechEngine("en-gb-x-rp+f3", cache_dir=tmp_path)
    other_rate = SpeechEngine(rate=DEFAULT_RATE + 20, cache_dir=tmp_path)
    keys = {
        base.cache_key("Hold."),
        base.cache_key("Hold"),
        other_voice.cache_key("Hold."),
        other_rate.cache_key("Hold."),
    }
    assert len(keys) == 4
    assert base.cache_key("Hold.") == SpeechEngine(cache_dir=tmp_path).cache_key("Hold.")


def test_a_different_rate_is_a_cache_miss_and_sounds_different(tmp_path: Path) -> None:
    slow = SpeechEngine(rate=120, cache_dir=tmp_path).synthesize("Slowly, toe by toe.")
    fast = SpeechEngine(rate=220, cache_dir=tmp_path).synthesize("Slowly, toe by toe.")
    assert fast.size < 0.75 * slow.size


def test_a_corrupt_cache_file_is_ignored_and_rewritten(tmp_path: Path) -> None:
    engine = SpeechEngine(cache_dir=tmp_path)
    good = engine.synthesize("Wrap the foot.")
    path = engine.cache.path(engine.cache_key("Wrap the foot."))
    original = path.read_bytes()
    for damage in (b"", original[:-7], original[:60] + b"\x01" * (len(original) - 60), b"x" * 99):
        path.write_bytes(damage)
        np.testing.assert_array_equal(engine.synthesize("Wrap the foot."), good)
        assert path.read_bytes() == original
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")]


def test_an_unwritable_cache_only_costs_speed(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache folder should be")
    audio = SpeechEngine(cache_dir=blocker).synthesize("Rest.")
    assert audio.size > 0


def test_default_cache_dir_is_the_user_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert default_cache_dir() == tmp_path / "solemate" / "speech"
    assert default_cache_dir().name == "speech"


def test_voices_lists_english_voices_and_variants() -> None:
    names = voices()
    assert {"en", "en-us", "en-gb-x-rp"} <= set(names)
    assert DEFAULT_VOICE in names
    assert all(n.startswith("en") for n in names)
    assert "en-gb" not in names  # listed by espeak as a language, but not loadable as a voice


@pytest.mark.parametrize("voice", ["en-gb-x-rp", "en+m3", "en-us+Annie"])
def test_other_valid_voices_speak(engine: SpeechEngine, voice: str, speech_cache: Path) -> None:
    audio = SpeechEngine(voice, cache_dir=speech_cache).synthesize("Rest now.")
    assert audio.size > 0.3 * engine.sample_rate


@pytest.mark.parametrize("voice", ["klingon", "en-gb", "fr-zz", ""])
def test_an_unknown_voice_is_named_with_valid_ones(voice: str) -> None:
    with pytest.raises(SpeechError) as caught:
        SpeechEngine(voice)
    message = str(caught.value)
    assert repr(voice) in message
    assert "en-us" in message
    assert "en-gb-x-rp" in message


def test_an_unknown_variant_is_named() -> None:
    with pytest.raises(SpeechError, match=r"variant 'nobody'.*\+f1"):
        SpeechEngine("en-us+nobody")


@pytest.mark.parametrize("rate", [79, 451, 0, -5, 10_000])
def test_a_rate_out_of_range_is_refused(rate: int) -> None:
    with pytest.raises(SpeechError, match=rf"from 80 to 450, got {rate}"):
        SpeechEngine(rate=rate)


@pytest.mark.parametrize("rate", [80, 450])
def test_the_rate_limits_are_inclusive(rate: int, tmp_path: Path) -> None:
    assert SpeechEngine(rate=rate, cache_dir=tmp_path).synthesize("one").size > 0


def test_synthesis_from_many_threads_matches_one_thread(tmp_path: Path) -> None:
    phrases = [f"Point {n} of 5, hold." for n in range(1, 6)] * 3
    serial = {p: SpeechEngine(cache_dir=tmp_path / "a").synthesize(p) for p in phrases}
    threaded: dict[int, np.ndarray] = {}
    engines = [SpeechEngine(cache_dir=tmp_path / f"t{i}") for i in range(3)]

    def work(i: int) -> None:
        threaded[i] = engines[i % 3].synthesize(phrases[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(phrases))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, phrase in enumerate(phrases):
        np.testing.assert_array_equal(threaded[i], serial[phrase])


# --- the optional neural voice ---------------------------------------------------------------------


def test_piper_needs_an_existing_model(tmp_path: Path) -> None:
    with pytest.raises(SpeechError, match=r"no Piper voice model at .*missing\.onnx"):
        PiperEngine(tmp_path / "missing.onnx")


def test_piper_needs_an_onnx_file(tmp_path: Path) -> None:
    with pytest.raises(SpeechError, match=r"\.onnx file"):
        PiperEngine(tmp_path / "voice.bin")


def test_piper_needs_the_config_beside_the_model(tmp_path: Path) -> None:
    model = tmp_path / "en_US-calm.onnx"
    model.write_bytes(b"onnx")
    with pytest.raises(SpeechError, match=r"config file beside it: .*en_US-calm\.onnx\.json"):
        PiperEngine(model)


def test_piper_says_how_to_install_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "en_US-calm.onnx"
    model.write_bytes(b"onnx")
    model.with_name("en_US-calm.onnx.json").write_text("{}")
    monkeypatch.setitem(sys.modules, "piper", None)  # as if the extra were not installed
    with pytest.raises(SpeechError) as caught:
        PiperEngine(model)
    assert "not installed" in str(caught.value)
    assert neural.INSTALL_HINT in str(caught.value)


def test_a_phrase_is_the_same_samples_every_time(tmp_path: Path) -> None:
    """espeak-ng alone drifts between calls in one process; the worker's fresh child per phrase
    makes cold and warm caches (and golden renders) agree."""
    engine = SpeechEngine(cache_dir=tmp_path / "one")
    first = engine._render("Wrap the foot.")
    SpeechEngine("en-gb-x-rp+m3", cache_dir=tmp_path / "two").synthesize("Something else first.")
    np.testing.assert_array_equal(engine._render("Wrap the foot."), first)
    np.testing.assert_array_equal(engine._render("Wrap the foot."), first)
