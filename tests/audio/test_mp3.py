"""MP3 files written by solemate decode, in other programs, to exactly the samples they were given."""

from __future__ import annotations

import doctest
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from solemate.audio import mp3
from solemate.audio.mp3 import Mp3File


def test_docstring_examples() -> None:
    assert doctest.testmod(mp3).failed == 0


def _tone_burst(rate: int, seconds: float, at: float) -> np.ndarray:
    audio = np.zeros(round(rate * seconds), dtype=np.float32)
    start, n = round(rate * at), rate // 10
    audio[start : start + n] = 0.6 * np.sin(2 * np.pi * 1000 * np.arange(n) / rate)
    return audio


def _write(path: Path, audio: np.ndarray, rate: int, block: int = 4000) -> None:
    out = Mp3File(path, rate)
    for i in range(0, len(audio), block):  # blocks of an awkward size, as the renderer's are not
        out.write(audio[i : i + block])
    out.close()


def _ffmpeg_decode(path: Path) -> np.ndarray:
    exe = shutil.which("ffmpeg")
    if exe is None:
        pytest.fail("ffmpeg is not installed (apt-get install ffmpeg); .ci/run installs it")
    raw = subprocess.run(
        [exe, "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.float32)


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 24000, 44100, 48000])
def test_decoders_trim_the_encoder_delay_and_padding_exactly(tmp_path: Path, rate: int) -> None:
    audio = _tone_burst(rate, 7.3, at=2.0)
    path = tmp_path / "burst.mp3"
    _write(path, audio, rate)
    for decoded in (_ffmpeg_decode(path), sf.read(str(path), dtype="float32")[0]):
        assert len(decoded) == len(audio)
        onset = int(np.argmax(np.abs(decoded) > 0.1))
        assert abs(onset - round(rate * 2.0)) <= 2  # the first sample above the threshold


def test_the_lame_tag_says_what_the_file_holds(tmp_path: Path) -> None:
    rate = 22050
    audio = _tone_burst(rate, 3.0, at=1.0)
    path = tmp_path / "burst.mp3"
    _write(path, audio, rate)
    data = path.read_bytes()
    head = mp3.info_frame_length(rate)
    tag = 4 + 9 + 20  # header, mono side information, Info header
    assert data[13:17] == b"Info"
    frames = int.from_bytes(data[21:25], "big")
    assert int.from_bytes(data[25:29], "big") == len(data)
    assert data[tag : tag + 9] == b"LAME3.100"
    packed = int.from_bytes(data[tag + 21 : tag + 24], "big")
    delay, padding = packed >> 12, packed & 0xFFF
    assert delay == mp3.ENCODER_DELAY
    assert frames * 576 - delay - padding == len(audio)
    assert mp3.crc16(data[: tag + 34]) == int.from_bytes(data[tag + 34 : tag + 36], "big")
    # every frame after the Info frame is whole
    at, counted = head, 0
    while at < len(data):
        length, _ = mp3.frame_length(data[at : at + 4])
        at, counted = at + length, counted + 1
    assert (at, counted) == (len(data), frames)
