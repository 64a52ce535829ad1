"""Recognise which export a file is from its first few kilobytes (and zip directory)."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

from . import apple, oura, sleep_as_android

_HEAD = 64 * 1024


def detect_format(path: Path) -> str | None:
    """``"apple"``, ``"fitbit"``, ``"oura"``, ``"sleep_as_android"`` or None; OSError if unreadable."""
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                return "apple" if apple.export_member(archive.namelist()) else None
        except (zipfile.BadZipFile, OSError, EOFError):
            return None
    with path.open("rb") as handle:
        head = handle.read(_HEAD)
    if b"\x00" in head:
        return None  # binary (or UTF-16, which none of these exports use)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return "apple" if b"<HealthData" in head or b"<!DOCTYPE HealthData" in head else None
    if text.startswith((b"[", b"{")):
        return "fitbit" if b'"dateOfSleep"' in head and b'"minutesAsleep"' in head else None
    first = text.split(b"\n", 1)[0].decode("utf-8", "replace").rstrip("\r")
    cells = next(csv.reader([first], delimiter=";" if ";" in first else ","), [])
    names = [c.strip() for c in cells]
    if tuple(names[:4]) == sleep_as_android.HEADER_START:
        return "sleep_as_android"
    if all(name in names for name in oura.REQUIRED):
        return "oura"
    return None
