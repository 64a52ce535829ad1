"""MP3 encoding through LAME (the ``lameenc`` wheel), with the LAME tag that makes a file gapless.

libsndfile also writes MP3, but with LAME's slow high-quality search: about 130× real time on speech
here, against about 650× for LAME's standard quality. The raw frames LAME returns carry no header,
so a decoder would play LAME's 576 samples of encoder delay (plus its own 529) before the session
and its padding after: 50 ms late at 22,050 Hz. This module writes the Info frame and LAME tag
LAME itself writes (frame count, byte count, encoder delay and padding, tag CRC), which ffmpeg,
mpg123 and other players read to trim exactly: the file decodes to the same samples it was given.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

ENCODER_DELAY = 576
"""Samples of priming LAME puts before the audio (its ``ENCDELAY``)."""

VBR_QUALITY = 5
"""LAME's -V scale, 0 best to 9 smallest: V5 is about 40 kbit/s for mono speech at 22,050 Hz."""

ALGORITHM_QUALITY = 5
"""LAME's -q scale, 0 slowest to 9 fastest: 5 is its standard, the speed the benchmark measures."""

# (MPEG version bits, sample-rate index): 3 is MPEG-1, 2 is MPEG-2, 0 is MPEG-2.5.
_RATES: dict[int, tuple[int, int]] = {
    44100: (3, 0),
    48000: (3, 1),
    32000: (3, 2),
    22050: (2, 0),
    24000: (2, 1),
    16000: (2, 2),
    11025: (0, 0),
    12000: (0, 1),
    8000: (0, 2),
}
_BY_INDEX = {value: rate for rate, value in _RATES.items()}
_MPEG1_KBPS = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_MPEG2_KBPS = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)


def _kbps(version: int) -> tuple[int, ...]:
    return _MPEG1_KBPS if version == 3 else _MPEG2_KBPS


def _samples_per_frame(version: int) -> int:
    return 1152 if version == 3 else 576


def frame_length(header: bytes) -> tuple[int, int]:
    """Bytes and samples of the Layer III frame that starts with these four header bytes."""
    if header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        raise ValueError("not an MPEG audio frame header")
    version = (header[1] >> 3) & 3
    rate = _BY_INDEX[(version, (header[2] >> 2) & 3)]
    kbps = _kbps(version)[header[2] >> 4]
    per_frame = _samples_per_frame(version)
    padding = (header[2] >> 1) & 1
    return per_frame // 8 * kbps * 1000 // rate + padding, per_frame


def crc16(data: bytes) -> int:
    """The CRC-16 LAME puts in its tag (polynomial 0x8005, reflected, starting at 0).

    >>> hex(crc16(b"123456789"))
    '0xbb3d'
    """
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def info_frame_length(rate: int) -> int:
    version, _ = _RATES[rate]
    kbps = 128 if version == 3 else 64
    return _samples_per_frame(version) // 8 * kbps * 1000 // rate


def info_frame(rate: int, frames: int, music_bytes: int, samples: int) -> bytes:
    """The Info frame that goes first: ``frames`` audio frames of ``music_bytes`` hold ``samples``."""
    version, rate_index = _RATES[rate]
    per_frame = _samples_per_frame(version)
    kbps = 128 if version == 3 else 64
    length = info_frame_length(rate)
    padding = frames * per_frame - ENCODER_DELAY - samples
    if not 0 <= padding < 4096 or ENCODER_DELAY >= 4096:
        raise ValueError(f"{frames} frames cannot hold {samples} samples")
    frame = bytearray(length)
    # sync, version, Layer III, no CRC; bit rate and sample rate; mono
    frame[0:4] = bytes(
        [
            0xFF,
            0xE0 | version << 3 | 1 << 1 | 1,
            _kbps(version).index(kbps) << 4 | rate_index << 2,
            0xC0,
        ]
    )
    at = 4 + (17 if version == 3 else 9)  # after the (empty) side information of a mono frame
    total = length + music_bytes
    frame[at : at + 20] = b"Info" + struct.pack(">IIII", 0x1 | 0x2 | 0x8, frames, total, 0)
    tag = at + 20
    frame[tag : tag + 9] = b"LAME3.100"
    frame[tag + 9] = 0x04  # tag revision 0, VBR (mtrh)
    frame[tag + 21 : tag + 24] = bytes(
        [ENCODER_DELAY >> 4, (ENCODER_DELAY & 0xF) << 4 | padding >> 8, padding & 0xFF]
    )
    frame[tag + 28 : tag + 32] = struct.pack(">I", total)
    frame[tag + 34 : tag + 36] = struct.pack(">H", crc16(bytes(frame[: tag + 34])))
    return bytes(frame)


class Mp3File:
    """Writes mono float blocks to an MP3 file: a placeholder Info frame, LAME's frames, then the
    real Info frame over the placeholder once the length is known."""

    def __init__(self, path: Path, rate: int) -> None:
        import lameenc  # type: ignore[import-not-found,unused-ignore]

        if rate not in _RATES:
            raise ValueError(f"MP3 cannot be written at {rate} Hz")
        self.rate = rate
        self.samples = 0
        self.encoder = lameenc.Encoder()
        self.encoder.set_in_sample_rate(rate)
        self.encoder.set_out_sample_rate(rate)
        self.encoder.set_channels(1)
        self.encoder.set_quality(ALGORITHM_QUALITY)
        self.encoder.set_vbr(4)
        self.encoder.set_vbr_quality(VBR_QUALITY)
        self.file: BinaryIO = open(path, "wb")  # noqa: SIM115 - closed in close()
        self.file.write(bytes(info_frame_length(rate)))
        self.pending = b""  # the start of a frame not yet whole
        self.frames = 0
        self.music_bytes = 0

    def write(self, block: npt.NDArray[np.float32]) -> None:
        pcm = np.clip(np.round(np.asarray(block, dtype=np.float64) * 32767), -32768, 32767)
        self.samples += len(pcm)
        self._frames(bytes(self.encoder.encode(pcm.astype("<i2").tobytes())))

    def _frames(self, data: bytes) -> None:
        """Write ``data`` and count the whole frames in it (LAME returns them in pieces)."""
        self.file.write(data)
        self.music_bytes += len(data)
        data = self.pending + data
        at = 0
        while at + 4 <= len(data):
            length, _ = frame_length(data[at : at + 4])
            if at + length > len(data):
                break
            at += length
            self.frames += 1
        self.pending = data[at:]

    def close(self) -> None:
        try:
            self._frames(bytes(self.encoder.flush()))
            if self.pending:
                raise ValueError(f"the encoder left {len(self.pending)} bytes of a broken frame")
            self.file.seek(0)
            self.file.write(info_frame(self.rate, self.frames, self.music_bytes, self.samples))
        finally:
            self.file.close()
