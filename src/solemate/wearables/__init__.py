"""Read sleep exports of wearables and sleep apps into per-night figures (pure parsing, no database).

Formats: Apple Health ``export.xml`` / ``export.zip``, Fitbit (Google Takeout) sleep JSON, Oura
``sleepmodel.csv`` and Sleep as Android ``sleep-export.csv``. Every reader returns ``DeviceNight``
objects with real elapsed minutes (never wall-clock differences), keyed by the local wake date.
Naps are returned with ``is_nap=True``; there is at most one non-nap night per wake date.

API:

* ``detect_format(path)`` → ``"apple" | "fitbit" | "oura" | "sleep_as_android" | None``.
* ``read_device_nights(path, fmt=None, skip_bad=False, *, zone=None)`` → ``list[DeviceNight]``.
  Strict by default: the first bad row raises ``ImportFormatError``. With ``skip_bad=True`` bad
  rows are left out silently; use ``read_device_import`` to see what was left out.
* ``read_device_import(path, fmt=None, *, zone=None)`` → ``DeviceImport(nights, problems)``: skips
  bad rows and reports each as a message.

Damage to the file as a whole (unrecognised format, truncated or invalid XML/JSON, missing header)
always raises ``ImportFormatError``, in both modes: nothing row-sized can be skipped there.

``zone`` is the IANA zone the Fitbit tracker was set to; Fitbit times have no offset. Without it
the Fitbit reader looks for ``Your Profile/Profile.csv`` of the same Takeout, else raises. The other
formats carry offsets or zones per record and ignore it.
"""

from __future__ import annotations

from collections.abc import Callable
from os import PathLike
from pathlib import Path

from solemate.bounded import TooLarge

from . import apple, fitbit, oura, sleep_as_android
from ._common import SOURCES, DeviceImport, DeviceNight, ImportFormatError, Issues
from ._detect import detect_format as _detect

__all__ = [
    "SOURCES",
    "DeviceImport",
    "DeviceNight",
    "ImportFormatError",
    "detect_format",
    "read_device_import",
    "read_device_nights",
]

_Reader = Callable[[Path, Issues, "str | None"], list[DeviceNight]]
_READERS: dict[str, _Reader] = {
    "apple": apple.read,
    "fitbit": fitbit.read,
    "oura": oura.read,
    "sleep_as_android": sleep_as_android.read,
}


def detect_format(path: str | PathLike[str]) -> str | None:
    """Which export ``path`` is, from its first bytes; None if it is none of the known ones."""
    target = Path(path)
    try:
        return _detect(target)
    except OSError as exc:
        raise ImportFormatError(target, "unknown", "", f"cannot read the file: {exc}") from exc


def read_device_nights(
    path: str | PathLike[str],
    fmt: str | None = None,
    skip_bad: bool = False,
    *,
    zone: str | None = None,
) -> list[DeviceNight]:
    """Nights and naps in ``path``, sorted by bedtime. See the module docstring for the modes."""
    return list(_read(Path(path), fmt, collect=skip_bad, zone=zone).nights)


def read_device_import(
    path: str | PathLike[str], fmt: str | None = None, *, zone: str | None = None
) -> DeviceImport:
    """Like ``read_device_nights(skip_bad=True)``, but also returns one message per skipped row."""
    return _read(Path(path), fmt, collect=True, zone=zone)


def _read(path: Path, fmt: str | None, *, collect: bool, zone: str | None) -> DeviceImport:
    if fmt is None:
        fmt = detect_format(path)
        if fmt is None:
            raise ImportFormatError(
                path,
                "unknown",
                "",
                "not a recognised sleep export (expected an Apple Health export.xml or "
                "export.zip, a Fitbit sleep JSON, an Oura sleepmodel.csv or a Sleep as Android CSV)",
            )
    reader = _READERS.get(fmt)
    if reader is None:
        raise ImportFormatError(
            path, fmt, "", f"unknown format {fmt!r}; expected one of {', '.join(_READERS)}"
        )
    issues = Issues(path, fmt, collect=collect)
    try:
        nights = reader(path, issues, zone)
    except TooLarge as exc:
        raise ImportFormatError(path, fmt, "", f"{exc}; not an export solemate reads") from None
    return DeviceImport(tuple(nights), tuple(issues.problems))
