"""Reading files without trusting their size: every read stops at a limit, counted as it reads.

A size from ``stat`` says nothing about ``/dev/zero``, a pipe or a file still growing, and a zip
member's declared size says nothing about what it unpacks to. So the bytes are counted as they
come, and a reader that passes its limit stops with :class:`TooLarge`, whose message names the
file and the limit:

>>> import io
>>> Bounded(io.BytesIO(b"x" * 10), limit=4, name="notes.csv").read()
Traceback (most recent call last):
...
solemate.bounded.TooLarge: notes.csv is too large (over 4 bytes)

A zip member is refused at once when its directory entry promises more than the limit, or an
unpacking ratio no real export has (2 GiB of whitespace packs into 2 MB; XML exports pack 10 to
30 times), and is counted as it unpacks in case the directory lies.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import IO

__all__ = ["MB", "Bounded", "TooLarge", "open_member", "read_bytes"]

MB = 1_000_000

#: Unpacked bytes per packed byte beyond which a zip member is not an export but a bomb.
MAX_ZIP_RATIO = 200


class TooLarge(ValueError):
    """A file (or a zip member) passed the number of bytes its reader accepts."""

    def __init__(self, name: str, limit: int, why: str = "") -> None:
        self.name = name
        self.limit = limit
        size = f"{limit // MB} MB" if limit >= MB else f"{limit} bytes"
        super().__init__(f"{name} is too large (over {size}){why}")


class Bounded(io.RawIOBase):
    """A binary reader over ``raw`` that raises :class:`TooLarge` past ``limit`` bytes."""

    def __init__(self, raw: IO[bytes], *, limit: int, name: str) -> None:
        super().__init__()
        self._raw = raw
        self._limit = limit
        self._name = name
        self.count = 0

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._raw.close()
        super().close()

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        # At most one byte past the limit is asked for: enough to know it was passed.
        room = self._limit + 1 - self.count
        view = memoryview(buffer)[: max(0, min(len(buffer), room))]
        data = self._raw.read(len(view))
        view[: len(data)] = data
        self.count += len(data)
        if self.count > self._limit:
            raise TooLarge(self._name, self._limit)
        return len(data)

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = self._limit + 1 - self.count
        buffer = bytearray(max(0, size))
        got = self.readinto(buffer)
        return bytes(buffer[:got])

    def readall(self) -> bytes:
        return self.read(-1)


def read_bytes(path: Path, limit: int, name: str | None = None) -> bytes:
    """All of ``path`` (a file, a pipe or a device), or :class:`TooLarge` past ``limit`` bytes."""
    with path.open("rb") as raw:
        data = raw.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(name or str(path), limit)
    return data


def open_member(
    archive: zipfile.ZipFile, member: str, limit: int, name: str | None = None
) -> Bounded:
    """``member`` of ``archive`` as a stream that stops at ``limit`` unpacked bytes.

    Refused before anything is unpacked when its entry declares more than ``limit``, or more than
    :data:`MAX_ZIP_RATIO` times its packed size; while unpacking, it may not pass what it declared.
    """
    info = archive.getinfo(member)
    shown = name or member
    if info.file_size > limit:
        raise TooLarge(shown, limit)
    if info.file_size > max(MB, MAX_ZIP_RATIO * info.compress_size):
        raise TooLarge(
            shown,
            info.file_size,
            f": it unpacks {info.file_size // max(1, info.compress_size)} times larger than it is "
            "packed, which no real export does",
        )
    return Bounded(archive.open(member), limit=info.file_size, name=shown)
