"""`solemate voices`: the curated list first, every espeak-ng voice on request, previews."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from solemate.audio.voice_registry import CURATED, ENV_VOICE
from solemate.cli.app import app


@pytest.mark.product_default_voice
def test_the_curated_voices_with_the_default_marked(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_VOICE)
    result = cli.invoke(app, ["voices"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) <= 12
    assert [line.split()[0] for line in lines[: len(CURATED)]] == [v.name for v in CURATED]
    heart = lines[0].split()
    assert heart[:4] == ["heart", "en-us", "female", "Apache-2.0"]
    assert lines[0].endswith("(default)")
    assert sum("(default)" in line for line in lines) == 1
    assert "GPL-3.0-or-later" in next(line for line in lines if line.startswith("espeak"))
    assert "--all" in lines[-1]


def test_the_default_marker_follows_the_environment(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VOICE, "emma")
    lines = cli.invoke(app, ["voices"]).stdout.splitlines()
    assert [line.split()[0] for line in lines if line.endswith("(default)")] == ["emma"]


def test_all_lists_every_espeak_variant(cli: CliRunner) -> None:
    result = cli.invoke(app, ["voices", "--all"])
    assert result.exit_code == 0, result.stderr
    listed = result.stdout.split()
    for name in ("en-us", "en-gb-x-rp", "en-us+f2", "en-us+Annie", "heart", "george"):
        assert name in listed


def test_preview_with_no_sound_device_says_so_and_writes_nothing(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from solemate.live import sound

    def no_device() -> object:
        raise OSError("no card")  # what miniaudio does on a machine without one (its own type)

    monkeypatch.setattr(sound, "DeviceOutput", no_device)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    result = cli.invoke(app, ["voices", "--preview", "heart"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "solemate: no sound device found: cannot play a preview of 'heart' (nothing was written)"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("device", [True, False], ids=["device", "no device"])
def test_preview_of_an_unknown_voice_is_one_line(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, device: bool
) -> None:
    from solemate.live import sound

    class FakeDevice:
        def __init__(self) -> None:
            if not device:
                raise OSError("no card")

        def start(self, mixer: object) -> None:
            pass

        def close(self) -> None:
            pass

    monkeypatch.setattr(sound, "DeviceOutput", FakeDevice)
    result = cli.invoke(app, ["voices", "--preview", "robot"])
    assert result.exit_code == 2
    assert result.stderr.startswith("solemate: --voice: unknown voice 'robot'; choose one of")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_preview_plays_the_sentence_through_the_device(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from solemate.live import sound

    played: list[int] = []

    class FakeDevice:
        def start(self, mixer: sound.Mixer) -> None:
            while mixer.busy:
                played.append(int(mixer.read(4096).astype("int64").__abs__().sum() > 0))

        def close(self) -> None:
            pass

    monkeypatch.setattr(sound, "DeviceOutput", FakeDevice)
    result = cli.invoke(app, ["voices", "--preview", "espeak"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Playing espeak:")
    assert sum(played) > 10  # several blocks of sound: the whole sentence went to the device


def test_a_bad_default_from_the_environment_names_the_variable(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VOICE, "robot")
    result = cli.invoke(app, ["render", "--nightly", "-o", str(tmp_path / "out.mp3")])
    assert result.exit_code == 2
    assert result.stderr.startswith("solemate: SOLEMATE_VOICE: unknown voice 'robot'")
    assert len(result.stderr.strip().splitlines()) == 1


def test_prepare_voice_returns_lengths_and_is_silent_when_all_is_cached(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from solemate.audio.voice_registry import SpeakerSpec
    from solemate.cli.voice_commands import prepare_voice

    spec = SpeakerSpec("espeak", cache_dir=tmp_path)
    lengths = prepare_voice(spec, ["Rest.", "Breathe in.", "Rest."])
    assert list(lengths) == ["Rest.", "Breathe in."]
    assert all(0.2 < s < 3 for s in lengths.values())
    capsys.readouterr()
    assert prepare_voice(spec, ["Rest.", "Breathe in."]) == lengths
    assert capsys.readouterr().err == ""


def test_prepare_voice_failure_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import typer

    from solemate.audio.voice_registry import SpeakerSpec
    from solemate.cli.voice_commands import prepare_voice

    with pytest.raises(typer.Exit) as caught:
        prepare_voice(SpeakerSpec("robot", cache_dir=tmp_path), ["Rest."])
    assert caught.value.exit_code == 1
    err = capsys.readouterr().err
    assert err.startswith("solemate: cannot prepare the voice: unknown voice 'robot'")
    assert len(err.strip().splitlines()) == 1
