"""Folders in trouble for tests: a small disk that fills up, and a folder that cannot be written.

A small disk is a tmpfs mounted for the test, which needs root (and a kernel that allows it); the
test is skipped elsewhere. A read-only folder is the same tmpfs remounted read-only, or, for a user
who is not root, a folder without write permission (root ignores permissions, not a read-only
mount).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _mount(*args: str) -> bool:
    done = subprocess.run(["mount", *args], capture_output=True, check=False)
    return done.returncode == 0


@contextlib.contextmanager
def small_disk(folder: Path, kib: int = 1024) -> Iterator[Path]:
    """``folder`` on a fresh tmpfs of ``kib`` KiB, unmounted afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(folder)):
        pytest.skip("needs root to mount a small tmpfs")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def fill(folder: Path) -> None:
    """Write to ``folder`` until its disk is full."""
    fd = os.open(folder / "filler", os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
    try:
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0" * 4096)
        with contextlib.suppress(OSError):
            while True:  # the last few bytes of a page
                os.write(fd, b"\0")
    finally:
        os.close(fd)


def make_read_only(folder: Path) -> None:
    """Make ``folder`` unwritable: a read-only remount of a :func:`small_disk`, else no write bit."""
    if os.geteuid() == 0:
        if not _mount("-o", "remount,ro", str(folder)):
            pytest.skip("cannot remount the folder read-only")
    else:
        folder.chmod(0o500)


@contextlib.contextmanager
def read_only_folder(folder: Path) -> Iterator[Path]:
    """``folder`` (with whatever the test put there first) made read-only inside the block.

    Yields a function's worth of setup time: the caller writes files before entering.
    """
    if os.geteuid() == 0:
        with small_disk(folder.with_name(folder.name + "-disk"), 4096) as disk:
            for item in folder.iterdir():
                (disk / item.name).write_bytes(item.read_bytes())
                (disk / item.name).chmod(item.stat().st_mode & 0o777)
            make_read_only(disk)
            yield disk
    else:
        folder.chmod(0o500)
        try:
            yield folder
        finally:
            folder.chmod(0o700)
