"""The voice registry: one list of curated voices, one function from a name to an engine."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import pytest

from solemate.audio.kokoro import KokoroEngine, speed_for
from solemate.audio.speech import SpeechEngine
from solemate.audio.voice_registry import (
    CURATED,
    DEFAULT_NAME,
    ENV_VOICE,
    SpeakerSpec,
    UnknownVoice,
    default_voice,
    resolve_voice,
)

VOICES = resources.files("solemate") / "voices"


def test_one_default_and_it_is_the_apache_licensed_kokoro_heart_voice() -> None:
    defaults = [v for v in CURATED if v.default]
    assert [v.name for v in defaults] == ["heart"] == [DEFAULT_NAME]
    assert (defaults[0].engine, defaults[0].ident, defaults[0].licence) == (
        "kokoro",
        "af_heart",
        "Apache-2.0",
    )


def test_curated_names_are_unique_short_and_fit_a_screen() -> None:
    names = [v.name for v in CURATED]
    assert len(names) == len(set(names)) <= 12
    assert {"espeak", "heart"} <= set(names)
    assert all(len(v.description) <= 60 for v in CURATED)


@pytest.mark.parametrize("voice", [v for v in CURATED if v.engine == "kokoro"], ids=str)
def test_every_kokoro_voice_is_vendored_with_its_hash_in_the_notice(voice: object) -> None:
    ident = voice.ident  # type: ignore[attr-defined]
    data = (VOICES / f"{ident}.bin").read_bytes()
    assert len(data) == 510 * 256 * 4
    notice = (VOICES / "NOTICE").read_text()
    assert f"{ident}.bin" in notice
    assert hashlib.sha256(data).hexdigest() in notice
    assert "Apache License" in (VOICES / "LICENSE").read_text()


def test_names_resolve_to_engines_without_loading_a_model(tmp_path: Path) -> None:
    heart = resolve_voice("heart", cache_dir=tmp_path, model_dir=tmp_path / "none")
    assert isinstance(heart, KokoroEngine)
    assert (heart.style, heart.language, heart.speed) == ("af_heart", "en-us", speed_for(145))
    emma = resolve_voice("emma", cache_dir=tmp_path)
    assert isinstance(emma, KokoroEngine)
    assert emma.language == "en-gb"
    assert not (tmp_path / "none").exists()  # the model is joined only when a phrase needs it
    espeak = resolve_voice("espeak", cache_dir=tmp_path)
    assert isinstance(espeak, SpeechEngine)
    assert espeak.voice == "en-us+f2"
    other = resolve_voice("en-gb-x-rp+f3", 120, cache_dir=tmp_path)
    assert isinstance(other, SpeechEngine)
    assert (other.voice, other.rate) == ("en-gb-x-rp+f3", 120)


@pytest.mark.product_default_voice
def test_the_default_follows_the_settings(tmp_path: Path) -> None:
    """The shells read ``SOLEMATE_VOICE`` (or the settings file) and pass the choice down."""
    assert default_voice() == "heart"
    assert default_voice(" ") == "heart"
    assert default_voice("george") == "george"
    engine = resolve_voice(None, cache_dir=tmp_path, default="fenrir")
    assert isinstance(engine, KokoroEngine)
    assert engine.style == "am_fenrir"
    assert isinstance(resolve_voice(None, cache_dir=tmp_path), KokoroEngine)


@pytest.mark.product_default_voice
def test_a_spec_fills_in_the_default_so_workers_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VOICE, "bella")  # the shells' to read: workers are not told by it
    assert SpeakerSpec().resolved().voice == "heart"
    assert SpeakerSpec("bella").resolved().voice == "bella"
    assert SpeakerSpec("espeak").resolved().voice == "espeak"


@pytest.mark.parametrize("name", ["robot", "en-us+nobody", "heart2", "Heart", ""])
def test_unknown_voices_name_every_curated_choice(name: str) -> None:
    with pytest.raises(UnknownVoice) as caught:
        resolve_voice(name)
    message = str(caught.value)
    assert f"unknown voice {name!r}" in message
    assert "\n" not in message
    for voice in CURATED:
        assert voice.name in message
    assert "heart (default)" in message
