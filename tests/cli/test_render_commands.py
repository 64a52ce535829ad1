"""`solemate render`: the command end to end, its summary, and every bad input as one clear line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from solemate import safety_service
from solemate.cli.app import app
from solemate.journal import Journal
from solemate.safety import QUESTIONS

ALL = [q.id for q in QUESTIONS]

TINY = Path(__file__).resolve().parents[1] / "audio" / "tiny.toml"


@pytest.fixture(autouse=True)
def _speech_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep the phrase cache out of the real user's cache directory, shared across these tests."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cli-cache"))


@pytest.fixture(autouse=True)
def _screened(data_dir: Path) -> None:
    """A current safety screen with every answer no: render follows the stored answers."""
    with Journal(f"sqlite:///{data_dir / 'journal.sqlite3'}") as journal:
        safety_service.record_screen(journal, dt.date.today(), dict.fromkeys(ALL, False))


def _render(cli: CliRunner, *args: str) -> Result:
    return cli.invoke(app, ["render", "--routine", str(TINY), "--minutes", "1", *args])


def test_render_writes_the_file_and_says_where(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "tonight.ogg"
    chapters = tmp_path / "tonight.json"
    result = _render(cli, "-o", str(out), "--chapters", str(chapters), "--ambient", "pad")
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_size > 10_000
    lines = result.stdout.splitlines()
    assert lines[0] == f"Wrote {out}"
    assert "1:00" in lines[1]
    assert "ogg 22050 Hz" in lines[1]
    assert "chapters" in lines[1]
    assert "LUFS integrated" in lines[2]
    assert "dBTP" in lines[2]
    data = json.loads(chapters.read_text())
    assert data["chapters"][0]["title"] == "Opening"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "data") == [
        "tonight.json",
        "tonight.ogg",
    ]


def test_verify_measures_the_decoded_file(cli: CliRunner, tmp_path: Path) -> None:
    plain = _render(cli, "-o", str(tmp_path / "plain.mp3"))
    checked = _render(cli, "-o", str(tmp_path / "checked.mp3"), "--verify")
    assert plain.exit_code == checked.exit_code == 0, checked.stderr
    assert "dBTP (mix as encoded)" in plain.stdout.splitlines()[2]
    assert "dBTP (decoded file)" in checked.stdout.splitlines()[2]


def test_text_chapters_and_explicit_format(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "tonight.audio"
    chapters = tmp_path / "chapters.txt"
    result = _render(
        cli, "-o", str(out), "--format", "wav", "--no-chime", "--chapters", str(chapters)
    )
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes()[:4] == b"RIFF"
    first = chapters.read_text().splitlines()[0]
    assert first == "00:00:00.000 Opening"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "aiff"], "unknown format 'aiff'; choose one of mp3, ogg, opus, wav, flac"),
        (["--voice", "robot"], "--voice: unknown voice 'robot'; choose one of heart (default)"),
        (["--rate", "1000"], "--rate must be 80–450 words per minute, got 1000"),
        (["--rate", "0"], "--rate must be 80–450 words per minute, got 0"),
        (["--sample-rate", "0"], "--sample-rate must be 8000–192000 Hz, got 0"),
        (["--sample-rate", "-22050"], "--sample-rate must be 8000–192000 Hz, got -22050"),
        (["--chapters", "c.pdf"], "--chapters must name a .txt or .json file"),
        (["--voice", "/nowhere/calm.onnx"], "no Piper voice model at /nowhere/calm.onnx"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(
    cli: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    result = _render(cli, "-o", str(tmp_path / "out.mp3"), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert [p for p in tmp_path.iterdir() if p.name != "data"] == []


def test_unknown_extension(cli: CliRunner, tmp_path: Path) -> None:
    result = _render(cli, "-o", str(tmp_path / "out.xyz"))
    assert result.exit_code == 2
    assert "unknown file extension '.xyz'" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "music file not found"), (b"%PDF-1.4 not audio", "not a readable audio file")],
)
def test_bad_music_is_one_line_and_exit_1(
    cli: CliRunner, tmp_path: Path, content: bytes | None, message: str
) -> None:
    music = tmp_path / "song.mp3"
    if content is not None:
        music.write_bytes(content)
    result = _render(cli, "-o", str(tmp_path / "out.mp3"), "--music", str(music))
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.mp3").exists()


def test_output_folder_missing(cli: CliRunner, tmp_path: Path) -> None:
    result = _render(cli, "-o", str(tmp_path / "nowhere" / "out.mp3"))
    assert result.exit_code == 1
    assert "does not exist" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_mp3_render_prints_only_its_summary(tmp_path: Path, data_dir: Path) -> None:
    """In a real process, where a decoder library's own messages would reach the terminal."""
    import os
    import subprocess
    import sys

    out = tmp_path / "tonight.mp3"
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "SOLEMATE_DATA_DIR": str(data_dir),
    }
    args = ["render", "--routine", str(TINY), "--minutes", "1", "-o", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "solemate", *args], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr.lower(), done.stderr[:500]
    assert done.stdout.startswith(f"Wrote {out}")


def _dead_pid() -> int:
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_partials_of_a_killed_render_are_removed_first(cli: CliRunner, tmp_path: Path) -> None:
    import os

    out = tmp_path / "tonight.wav"
    killed = tmp_path / f".tonight.wav.{_dead_pid()}.k1ll3d.part"
    older = tmp_path / ".tonight.wav.abcd1234.part"  # an older solemate's name, untouched since
    running = tmp_path / f".tonight.wav.{os.getppid()}.st1ll.part"  # a render still at work
    other = tmp_path / f".other.wav.{_dead_pid()}.x.part"  # another output's: not ours to judge
    for partial in (killed, older, running, other):
        partial.write_bytes(b"half a file")
    os.utime(older, (1_000_000_000, 1_000_000_000))
    result = _render(cli, "-o", str(out), "--format", "wav")
    assert result.exit_code == 0, result.stderr
    left = sorted(p.name for p in tmp_path.iterdir() if p.name != "data")  # data: the journal
    assert left == sorted(["tonight.wav", running.name, other.name])


def test_a_terminated_render_leaves_no_partial_file(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "long.flac"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    command = ["render", "--routine", str(TINY), "--minutes", "5", "-o", str(out)]
    process = subprocess.Popen(
        [sys.executable, "-m", "solemate", *command, "--ambient", "pad", "--sample-rate", "48000"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".long.flac.*.part")) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert list(tmp_path.glob(".long.flac.*.part")), "the render never started its file"
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, err
    assert b"Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "data") == ["cache"]


def test_chapters_into_a_read_only_folder_are_refused_before_any_audio(
    cli: CliRunner, tmp_path: Path
) -> None:
    from tests.filesystems import make_read_only, small_disk

    with small_disk(tmp_path / "readonly", 64) as folder:
        make_read_only(folder)
        out = tmp_path / "tonight.wav"
        result = _render(cli, "-o", str(out), "--chapters", str(folder / "c.json"))
        assert result.exit_code == 1
        assert f"the folder {folder} is read-only" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert not out.exists()
