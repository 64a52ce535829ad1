"""Shared builders for the audio tests: one phrase cache per test session, so each phrase is
synthesized once however many tests speak it."""

from __future__ import annotations

from pathlib import Path

import pytest

from solemate.audio.speech import SpeechEngine


@pytest.fixture(scope="session")
def speech_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech-cache")


@pytest.fixture(scope="session")
def engine(speech_cache: Path) -> SpeechEngine:
    return SpeechEngine(cache_dir=speech_cache)
