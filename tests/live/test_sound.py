"""Live sound: the mixer's order and levels, speech prepared ahead, and no sound device."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from solemate.cli.app import app
from solemate.live import sound
from solemate.live.sound import NO_DEVICE, Mixer, SilentOutput, SoundSink, open_sound
from solemate.plan import PlanOptions, plan
from solemate.routine import Routine
from solemate.safety import QUESTIONS


class FakeSpeaker:
    sample_rate = 22050

    def __init__(self) -> None:
        self.said: list[str] = []

    def synthesize(self, text: str) -> np.ndarray:
        self.said.append(text)
        return np.full(100, 0.5, dtype=np.float32)


def test_mixer_plays_voices_in_turn_and_chimes_on_top() -> None:
    mixer = Mixer()
    mixer.add_voice(np.full(3, 0.25, dtype=np.float32))
    mixer.add_voice(np.full(2, 0.5, dtype=np.float32))
    mixer.add_chime(np.full(4, 0.25, dtype=np.float32))
    block = mixer.read(6)
    assert block.tolist() == [16383, 16383, 16383, 24575, 16383, 0]
    assert len(mixer.started) == 2
    assert not mixer.busy
    assert mixer.read(3).tolist() == [0, 0, 0]


def test_mixer_clips_instead_of_wrapping() -> None:
    mixer = Mixer()
    mixer.add_voice(np.full(2, 0.9, dtype=np.float32))
    mixer.add_chime(np.full(2, 0.9, dtype=np.float32))
    assert mixer.read(2).tolist() == [32767, 32767]


def test_sink_prepares_speech_ahead_and_speaks_each_cue(evening: Routine) -> None:
    speaker = FakeSpeaker()
    sink = SoundSink(speaker, chimes=True, output=SilentOutput())
    timeline = plan(evening)
    first, second = timeline.cues[0], timeline.cues[1]
    sink.prepare([first, second])
    sink.cue(first, timeline.segments[0])
    sink.cue(second, timeline.segments[1])
    sink.chime("step")
    sink.close()
    assert speaker.said == [first.text, second.text]
    assert sink.mixer.busy


def test_no_device_gives_one_clear_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_device() -> None:
        raise RuntimeError("failed to init device")

    monkeypatch.setattr(sound, "DeviceOutput", no_device)
    sink = open_sound(FakeSpeaker(), chimes=True)
    assert sink.notices == [NO_DEVICE]
    sink.close()


def test_a_spoken_session_completes_without_a_sound_device(
    cli: CliRunner, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_device() -> None:
        raise RuntimeError("failed to init device")

    monkeypatch.setattr(sound, "DeviceOutput", no_device)
    result = cli.invoke(
        app,
        ["guide", "--minutes", "12", "--speed", "1000"],
        input="n\n" * len(QUESTIONS) + "n\n" + "\n\n",
    )
    assert result.exit_code == 0, result.stderr
    assert NO_DEVICE in result.stdout
    assert "Session complete: 12 min." in result.stdout


def test_no_voice_says_nothing_about_sound_devices(
    cli: CliRunner, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tried: list[bool] = []

    def no_device() -> None:
        tried.append(True)
        raise RuntimeError("failed to init device")

    monkeypatch.setattr(sound, "DeviceOutput", no_device)
    assert open_sound(None, chimes=True).notices == []
    result = cli.invoke(
        app,
        ["guide", "--minutes", "12", "--speed", "1000", "--no-voice"],
        input="n\n" * len(QUESTIONS) + "n\n" + "\n\n",
    )
    assert result.exit_code == 0, result.stderr
    assert tried, "the chimes still look for a device"
    assert "Session complete: 12 min." in result.stdout
    for said in (result.stdout, result.stderr):
        assert "device" not in said.lower()
        assert NO_DEVICE not in said


def test_bad_voice_is_a_usage_error(cli: CliRunner, data_dir: Path) -> None:
    result = cli.invoke(app, ["guide", "--voice", "klingon", "--speed", "1000"])
    assert result.exit_code == 2
    assert "klingon" in result.stderr


def test_cutting_stops_the_voice_but_not_a_chime() -> None:
    mixer = Mixer()
    mixer.add_voice(np.full(10, 0.5, dtype=np.float32))
    mixer.add_chime(np.full(4, 0.25, dtype=np.float32))
    mixer.read(2)
    mixer.cut_voice()
    assert mixer.read(3).tolist() == [8191, 8191, 0]


def test_a_missing_neural_voice_is_a_usage_error(
    cli: CliRunner, data_dir: Path, tmp_path: Path
) -> None:
    result = cli.invoke(app, ["guide", "--voice", str(tmp_path / "calm.onnx"), "--speed", "1000"])
    assert result.exit_code == 2
    assert "calm.onnx" in result.stderr


def test_a_ticked_count_plays_the_tick_and_synthesizes_nothing(evening: Routine) -> None:
    from solemate.audio.sounds import tick
    from solemate.audio.speech import SAMPLE_RATE

    speaker = FakeSpeaker()
    sink = SoundSink(speaker, chimes=False, output=SilentOutput())
    timeline = plan(evening, PlanOptions(counts="ticks"))
    segment = next(s for s in timeline.segments if any(c.kind == "tick" for c in s.cues))
    ticked = next(c for c in segment.cues if c.kind == "tick")
    sink.prepare([ticked])
    sink.tick(ticked, segment)
    sink.close()
    assert speaker.said == []
    clip = tick(SAMPLE_RATE)
    played = sink.mixer.read(clip.size).astype(np.float64) / 32767
    np.testing.assert_allclose(played, clip, atol=1 / 16384)
