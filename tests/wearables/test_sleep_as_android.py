"""Sleep as Android CSV: five nights, changing headers, the manual record, the noise line."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from solemate.wearables import (
    DeviceNight,
    ImportFormatError,
    read_device_import,
    read_device_nights,
)

from .expected import BY_WAKE, SAA, Night, by_wake, check

TEXT = SAA.read_text(encoding="utf-8")
HELD = [dt.date(2024, 3, 23), dt.date(2024, 3, 27), dt.date(2024, 3, 31), dt.date(2024, 4, 3)]
MANUAL = dataclasses.replace(BY_WAKE[dt.date(2024, 4, 1)], tst=395, sol=None, se=100.0)


@pytest.fixture(scope="module")
def nights() -> list[DeviceNight]:
    return read_device_nights(SAA)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sleep-export.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("want", [*(BY_WAKE[d] for d in HELD), MANUAL], ids=str)
def test_every_night_is_exact(nights: list[DeviceNight], want: Night) -> None:
    check(by_wake(nights)[want.wake], want, zone=want.zone)


def test_only_five_nights_no_nap(nights: list[DeviceNight]) -> None:
    assert sorted(n.wake_date for n in nights) == sorted([*HELD, dt.date(2024, 4, 1)])
    assert not any(n.is_nap for n in nights)


def test_manual_record_has_the_apps_figures_not_the_watchs(nights: list[DeviceNight]) -> None:
    night = by_wake(nights)[dt.date(2024, 4, 1)]
    assert (night.tib_min, night.tst_min, night.sol_min) == (395, 395, None)
    assert (night.tst_min, night.sol_min) != (375, 10)


def test_dst_night_uses_id_and_hours_not_from_to(nights: list[DeviceNight]) -> None:
    night = by_wake(nights)[dt.date(2024, 3, 31)]
    assert night.tib_min == 435  # the wall-clock difference is 495
    assert night.bed_end.isoformat() == "2024-03-31T07:20:00+02:00"


def test_london_record_is_shown_in_its_tz(nights: list[DeviceNight]) -> None:
    night = by_wake(nights)[dt.date(2024, 3, 27)]
    assert night.zone == "Europe/London"
    assert night.bed_start.isoformat() == "2024-03-26T23:40:00+00:00"


def test_daytime_record_is_a_nap(tmp_path: Path) -> None:
    nap = (
        "Id,Tz,From,To,Sched,Hours,Rating,Comment,Framerate,Snore,Noise,Cycles,DeepSleep,"
        'LenAdjust,Geo,"Event","Event"\n'
        '"1711286400000","Europe/Berlin","24. 03. 2024 14:20","24. 03. 2024 15:30",'
        '"24. 03. 2024 15:30","1.167","3.0","Nap \\n after lunch","10000","-1","0.1","1","0.2",'
        '"-18","","LIGHT_START-1711286880000","LIGHT_END-1711290000000"\n'
    )
    nights = read_device_nights(write(tmp_path, TEXT + nap))
    [found] = [n for n in nights if n.is_nap]
    assert (found.tib_min, found.tst_min, found.sol_min) == (70, 52, 8)
    assert found.bed_start.isoformat() == "2024-03-24T14:20:00+01:00"


def nth_values_line(number: int) -> int:
    """Line number (1-based) of the number-th record's values line."""
    lines = TEXT.splitlines()
    values = [i for i, line in enumerate(lines, 1) if line.startswith('"1')]
    return values[number - 1]


@pytest.mark.parametrize(
    ("old", "new", "record", "problem"),
    [
        ('"7.250"', '"7,25x"', 3, "Hours '7,25x' is not a number"),
        ('"7.250"', '"-7.25"', 3, "Hours -7.25 is not a possible length"),
        ('"-50"', '"-500"', 4, "LenAdjust -500 gives -130 min asleep"),
        ('"Europe/London"', '"Europe/Narnia"', 4, "unknown time zone 'Europe/Narnia'"),
        ('"1711146000000"', '"yesterday"', 5, "Id 'yesterday' is not a start time"),
        ('"1711146000000"', '"1711146000000²"', 5, "Id '1711146000000²' is not a start time"),
        ('"1711146000000"', '"99999999999999999999"', 5, "Id 99999999999999999999 is not"),
        ('"1711146000000"', '"99999999999999"', 5, "Id 5138-11-16T09:46:39.999000+00:00 is not a"),
        ('"LIGHT_START-1712093580000"', '"LIGHT_START-soon"', 1, "has no time in epoch"),
        ('"LIGHT_START-1712093580000"', '"LIGHT_START-²"', 1, "has no time in epoch"),
        ('"LIGHT_START-1712093580000"', '"LIGHT_START-1612093580000"', 1, "outside the night"),
    ],
)
def test_bad_value_names_line_record_and_problem(
    tmp_path: Path, old: str, new: str, record: int, problem: str
) -> None:
    path = write(tmp_path, TEXT.replace(old, new, 1))
    with pytest.raises(ImportFormatError) as caught:
        read_device_nights(path)
    assert caught.value.where == f"line {nth_values_line(record)} (record #{record})"
    assert problem in caught.value.problem
    assert "Sleep as Android CSV" in str(caught.value)
    assert "sleep-export.csv" in str(caught.value)
    result = read_device_import(path)
    assert len(result.nights) == 4
    assert len(result.problems) == 1


def test_values_before_header(tmp_path: Path) -> None:
    values = TEXT.splitlines()[1]
    with pytest.raises(ImportFormatError, match=r"line 1\): data before any 'Id,Tz,From,To"):
        read_device_nights(write(tmp_path, values + "\n" + TEXT), "sleep_as_android")


@pytest.mark.parametrize("content", [b"", b"\x00\x01binary\xff", b"a,b,c\n1,2,3\n"])
def test_not_a_sleep_as_android_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "sleep-export.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFormatError, match=r"sleep-export\.csv \(Sleep as Android CSV, line"):
        read_device_nights(path, "sleep_as_android")


@pytest.mark.parametrize("percent", [5, 15, 30, 50, 75, 99])
def test_a_file_cut_short_names_the_record_it_ends_in(tmp_path: Path, percent: int) -> None:
    data = SAA.read_bytes()
    path = tmp_path / "sleep-export.csv"
    path.write_bytes(data[: len(data) * percent // 100])
    with pytest.raises(ImportFormatError, match="cut short") as caught:
        read_device_nights(path)
    assert "line " in caught.value.where
    lenient = read_device_import(path)
    (problem,) = lenient.problems
    assert "cut short" in problem
    complete = {n.wake_date for n in read_device_nights(SAA)}
    assert {n.wake_date for n in lenient.nights} < complete  # only whole records are kept


def test_a_file_cut_at_a_line_break_after_a_header_says_so(tmp_path: Path) -> None:
    lines = TEXT.splitlines(keepends=True)
    path = write(tmp_path, "".join(lines[:3]))  # record, record, then the next header only
    with pytest.raises(ImportFormatError, match="a header with no record after it"):
        read_device_nights(path)
