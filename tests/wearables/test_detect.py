"""Format detection, the shared API, and agreement of all four files on the README table."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zipfile
from pathlib import Path

import pytest

from solemate.wearables import (
    DeviceImport,
    DeviceNight,
    ImportFormatError,
    detect_format,
    read_device_import,
    read_device_nights,
)

from .expected import APPLE, BERLIN, FITBIT, NIGHTS, OURA, SAA, by_wake

FILES = {"apple": APPLE, "fitbit": FITBIT, "oura": OURA, "sleep_as_android": SAA}
FORMATS = list(FILES)


@pytest.mark.parametrize(("fmt", "path"), FILES.items())
def test_fixtures_are_detected(fmt: str, path: Path) -> None:
    assert detect_format(path) == fmt
    assert detect_format(str(path)) == fmt


def test_zip_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(APPLE, "apple_health_export/export.xml")
    assert detect_format(path) == "apple"


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01\x02\x03\xff\xfe\xfd",
        bytes(range(256)) * 10,
        b'{"name": "not sleep"}',
        b'[{"dateOfSleep": "2024-03-23"}]',  # too little to be a Fitbit log
        b"<html><body>hi</body></html>",
        b"date,steps\n2024-03-23,1234\n",
        b"\n\n   \n",
    ],
    ids=["empty", "binary", "bytes", "json-object", "json-thin", "html", "csv", "blank"],
)
def test_unknown_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "mystery.dat"
    path.write_bytes(content)
    assert detect_format(path) is None
    with pytest.raises(ImportFormatError, match=r"mystery\.dat.*not a recognised sleep export"):
        read_device_nights(path)
    with pytest.raises(ImportFormatError):
        read_device_import(path)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "content", [b"", b"\x89\x00\xff\xfe garbage \x00"], ids=["empty", "binary"]
)
def test_forced_format_on_garbage_names_file_and_format(
    tmp_path: Path, fmt: str, content: bytes
) -> None:
    path = tmp_path / "garbage.bin"
    path.write_bytes(content)
    with pytest.raises(ImportFormatError) as caught:
        read_device_nights(path, fmt, zone=BERLIN)
    error = caught.value
    assert (error.path, error.fmt) == (str(path), fmt)
    assert str(error).startswith(f"{path} (")
    assert error.problem


def test_unknown_format_name() -> None:
    with pytest.raises(ImportFormatError, match="unknown format 'garmin'"):
        read_device_nights(OURA, "garmin")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="cannot read the file"):
        read_device_nights(tmp_path / "nope.xml")


def test_lenient_import_of_a_good_file() -> None:
    result = read_device_import(OURA)
    assert isinstance(result, DeviceImport)
    assert result.problems == ()
    assert list(result.nights) == read_device_nights(OURA)


def test_device_night_is_frozen() -> None:
    night = read_device_nights(OURA)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        night.tib_min = 1  # type: ignore[misc]


@pytest.fixture(scope="module")
def every_file() -> dict[str, list[DeviceNight]]:
    return {fmt: read_device_nights(path, zone=BERLIN) for fmt, path in FILES.items()}


@pytest.mark.parametrize("want", NIGHTS, ids=lambda n: str(n.wake))
def test_all_files_agree(every_file: dict[str, list[DeviceNight]], want: object) -> None:
    """Same figures from every file that holds the night (Sleep as Android's manual 04-01 aside)."""
    assert isinstance(want, type(NIGHTS[0]))
    figures = set()
    for fmt, nights in every_file.items():
        night = by_wake(nights).get(want.wake)
        if night is None:
            assert fmt == "sleep_as_android"
            continue
        if fmt == "sleep_as_android" and want.wake == dt.date(2024, 4, 1):
            continue
        figures.add((night.tib_min, night.tst_min, night.sol_min, night.se_pct))
        assert night.source == fmt
    assert figures == {(want.tib, want.tst, want.sol, want.se)}


def test_naps_only_where_the_readme_says(every_file: dict[str, list[DeviceNight]]) -> None:
    naps = {fmt: [n.wake_date for n in nights if n.is_nap] for fmt, nights in every_file.items()}
    assert naps == {
        "apple": [],
        "fitbit": [dt.date(2024, 3, 24)],
        "oura": [dt.date(2024, 3, 24)],
        "sleep_as_android": [],
    }
