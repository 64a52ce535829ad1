"""Writing the mix to a file: formats, encoder settings, and never a half-written file.

Encoding goes through libsndfile (bundled with the ``soundfile`` wheel: Vorbis, Opus, FLAC, WAV), and
MP3 through LAME in :mod:`solemate.audio.mp3` (faster than libsndfile's MP3, and gapless), one block at
a time: a single large Vorbis write of a few million frames crashes libvorbis, and
block writes keep memory flat. The encoder runs on its own thread (libsndfile releases the GIL), so
mixing the next block overlaps encoding the last one: on two cores the render takes about as long as
the encoder alone.

The file is written under a temporary name in the output's own folder and renamed over the final
name only once it is complete and tagged, so an error, a full disk or Ctrl-C leaves nothing under
the final name.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import queue
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from solemate.audio.mp3 import Mp3File


class Format(StrEnum):
    mp3 = "mp3"
    ogg = "ogg"
    opus = "opus"
    wav = "wav"
    flac = "flac"


@dataclass(frozen=True)
class Codec:
    """An output format's container, encoder settings, sample rates and peak ceiling."""

    container: str
    subtype: str
    lossy: bool
    default_rate: int
    rates: tuple[int, ...] | None = None
    settings: tuple[tuple[str, Any], ...] = ()
    ceiling_db: float = -1.3
    """The limiter's true-peak ceiling before encoding. Lossy codecs overshoot on decoding (measured
    on speech: MP3 about 0.8 dB, Vorbis and Opus up to 1.5 dB), so they get room to stay under
    −1 dBTP; the renderer checks the decoded file and tightens the ceiling if one still overshoots."""


SPEECH_RATES = (8000, 16000, 22050, 24000, 32000, 44100, 48000)

CODECS = {
    # Written by solemate.audio.mp3 (LAME at its standard speed, VBR about 40 kbit/s for mono
    # speech), not libsndfile: the container and settings here are unused.
    Format.mp3: Codec("MP3", "MPEG_LAYER_III", True, 22050, SPEECH_RATES, ceiling_db=-2.0),
    Format.ogg: Codec(
        "OGG", "VORBIS", True, 22050, SPEECH_RATES, (("compression_level", 0.6),), ceiling_db=-3.0
    ),
    # Opus works only at 8, 12, 16, 24 or 48 kHz (libsndfile writes an empty file at 22.05 kHz).
    Format.opus: Codec("OGG", "OPUS", True, 24000, (16000, 24000, 48000), ceiling_db=-3.0),
    Format.wav: Codec("WAV", "PCM_16", False, 22050, SPEECH_RATES),
    Format.flac: Codec("FLAC", "PCM_16", False, 22050, SPEECH_RATES),
}


class EncodeError(Exception):
    """The file cannot be written: says where and why in one line."""


def format_for(path: Path, given: str | None) -> Format:
    """The format asked for, or the one the output's extension names."""
    name = (given or path.suffix.lstrip(".")).lower()
    if name == "oga":
        name = "ogg"
    try:
        return Format(name)
    except ValueError:
        known = ", ".join(f.value for f in Format)
        what = f"format {given!r}" if given else f"file extension {path.suffix or '(none)'!r}"
        raise EncodeError(f"unknown {what}; choose one of {known} (--format)") from None


def check_rate(fmt: Format, rate: int) -> None:
    codec = CODECS[fmt]
    if codec.rates is not None and rate not in codec.rates:
        allowed = ", ".join(str(r) for r in codec.rates)
        raise EncodeError(f"{fmt.value} cannot be written at {rate} Hz; use one of {allowed}")


def describe_os_error(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"the disk is full: could not finish writing {path}"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write {path}: permission denied"
    if exc.errno == errno.ENOENT:
        return f"cannot write {path}: the folder {path.parent} does not exist"
    if exc.errno == errno.EISDIR:
        return f"cannot write {path}: it is a directory"
    return f"cannot write {path}: {exc.strerror or exc}"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_STARTED = time.time()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_partials(path: Path) -> list[Path]:
    """Remove the partial files of ``path`` a killed render left (``.NAME.PID.xxxx.part``).

    A partial is stale when the process named in it is gone; one without a process id (from an
    older solemate) when nothing has written to it since this process started. Returns the removed.
    """
    removed = []
    for candidate in path.parent.glob(f".{glob.escape(path.name)}.*.part"):
        middle = candidate.name[len(path.name) + 2 : -len(".part")]
        pid, _, rest = middle.partition(".")
        try:
            if pid.isdigit() and rest:
                stale = int(pid) != os.getpid() and not _alive(int(pid))
            else:
                stale = candidate.stat().st_mtime < _STARTED
            if stale:
                candidate.unlink()
                removed.append(candidate)
        except OSError:
            continue  # gone already, or not ours to remove
    return removed


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``; renamed onto ``path`` only if the block finishes.

    The temporary file carries this process's id, so a later render of the same file can tell
    a partial whose render was killed (and remove it first) from one still being written.
    """
    if path.is_dir():
        raise EncodeError(f"cannot write {path}: it is a directory")
    remove_stale_partials(path)
    try:
        prefix = f".{path.name}.{os.getpid()}."
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".part")
    except OSError as exc:
        raise EncodeError(describe_os_error(exc, path)) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        # an ordinary file for the person to copy or share, not the temporary file's private mode
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        raise EncodeError(describe_os_error(exc, path)) from None
    finally:
        tmp.unlink(missing_ok=True)


class BlockWriter:
    """Encode blocks on a background thread, through a short queue (so memory stays bounded)."""

    def __init__(
        self, path: Path, fmt: Format, rate: int, metadata: dict[str, str], display: Path
    ) -> None:
        import soundfile as sf

        codec = CODECS[fmt]
        self.path = display  # errors name the file the person asked for, not the temporary one
        self.file: sf.SoundFile | Mp3File
        try:
            if fmt is Format.mp3:
                self.file = Mp3File(path, rate)
            else:
                self.file = sf.SoundFile(
                    str(path),
                    "w",
                    samplerate=rate,
                    channels=1,
                    format=codec.container,
                    subtype=codec.subtype,
                    **dict(codec.settings),
                )
        except (sf.LibsndfileError, OSError) as exc:
            raise EncodeError(f"cannot write {path}: {exc}") from None
        if fmt in (Format.wav, Format.flac):
            for key, value in metadata.items():
                with contextlib.suppress(RuntimeError):
                    setattr(self.file, key, value)
        self.queue: queue.Queue[npt.NDArray[np.float32] | None] = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="encoder", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            block = self.queue.get()
            if block is None:
                return
            if self.error is not None:
                continue  # drain, so the producer never blocks on a dead writer
            try:
                self.file.write(block)
            except BaseException as exc:  # reported to the producer, with the file's name
                self.error = exc

    def write(self, block: npt.NDArray[np.float32]) -> None:
        self._raise()
        self.queue.put(block)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        try:
            self.file.close()
        except Exception as exc:
            self.error = self.error or exc
        self._raise()

    def abort(self) -> None:
        self.queue.put(None)
        self.thread.join()
        with contextlib.suppress(Exception):
            self.file.close()

    def _raise(self) -> None:
        if self.error is None:
            return
        exc = self.error
        if isinstance(exc, OSError):
            raise EncodeError(describe_os_error(exc, self.path))
        if "space" in str(exc).lower():
            raise EncodeError(f"the disk is full: could not finish writing {self.path}")
        raise EncodeError(f"could not encode {self.path}: {exc}")
