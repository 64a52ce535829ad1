"""Fitbit sleep JSON: figures, the nap, split and classic logs, the DST padding, damage."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from solemate.wearables import (
    DeviceNight,
    ImportFormatError,
    read_device_import,
    read_device_nights,
)

from .expected import BERLIN, FITBIT, NAP, NIGHTS, Night, by_wake, check

LOGS: list[dict[str, Any]] = json.loads(FITBIT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def nights() -> list[DeviceNight]:
    return read_device_nights(FITBIT, zone=BERLIN)


def write(tmp_path: Path, data: object, name: str = "sleep-2024-03-22.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("want", NIGHTS, ids=lambda n: str(n.wake))
def test_every_night_is_exact(nights: list[DeviceNight], want: Night) -> None:
    # Fitbit has wall-clock times only: shown in the tracker's zone, so the London night reads
    # 23:40 → 05:50 with Berlin's offset. The minutes are exact regardless.
    check(by_wake(nights)[want.wake], want, zone=BERLIN, offsets=want.zone == BERLIN)


def test_london_night_keeps_the_trackers_wall_clock(nights: list[DeviceNight]) -> None:
    night = by_wake(nights)[dt.date(2024, 3, 27)]
    assert night.bed_start.isoformat() == "2024-03-26T23:40:00+01:00"
    assert night.bed_end.isoformat() == "2024-03-27T05:50:00+01:00"


def test_nap_is_flagged_not_merged(nights: list[DeviceNight]) -> None:
    naps = [n for n in nights if n.is_nap]
    assert len(naps) == 1
    assert len(nights) == 13
    check(naps[0], NAP, zone=BERLIN)
    assert by_wake(nights)[dt.date(2024, 3, 24)].tib_min == 420


def test_dst_night_ignores_wall_clock_time_in_bed(nights: list[DeviceNight]) -> None:
    night = by_wake(nights)[dt.date(2024, 3, 31)]
    assert night.tib_min == 435  # the wall-clock difference is 495
    assert night.bed_end.isoformat() == "2024-03-31T07:20:00+02:00"


def test_split_night_is_the_span_not_the_sum(nights: list[DeviceNight]) -> None:
    night = by_wake(nights)[dt.date(2024, 4, 2)]
    assert (night.tib_min, night.se_pct) == (420, 83.3)
    assert (night.tib_min, night.se_pct) != (370, 94.6)


def test_fitbit_efficiency_is_not_used(nights: list[DeviceNight]) -> None:
    assert by_wake(nights)[dt.date(2024, 4, 3)].se_pct == 95.2 != 97


def test_classic_log(nights: list[DeviceNight]) -> None:
    night = by_wake(nights)[dt.date(2024, 3, 29)]
    assert (night.tib_min, night.tst_min, night.sol_min) == (385, 350, 18)


def test_zone_is_required(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match=r"fitbit_sleep\.json.*no UTC offset.*zone="):
        read_device_nights(FITBIT)
    with pytest.raises(ImportFormatError, match="unknown time zone 'Mars/Olympus'"):
        read_device_nights(FITBIT, zone="Mars/Olympus")


def test_zone_from_takeout_profile(tmp_path: Path) -> None:
    fitbit = tmp_path / "Takeout" / "Fitbit"
    (fitbit / "Global Export Data").mkdir(parents=True)
    (fitbit / "Your Profile").mkdir()
    (fitbit / "Your Profile" / "Profile.csv").write_text(
        "id,full_name,timezone,height\nABC,Mara,Europe/Berlin,170\n", encoding="utf-8"
    )
    path = write(fitbit / "Global Export Data", LOGS)
    assert read_device_nights(path) == read_device_nights(FITBIT, zone=BERLIN)


def test_repeated_logs_count_once(tmp_path: Path) -> None:
    path = write(tmp_path, LOGS + LOGS[:3])
    assert read_device_nights(path, zone=BERLIN) == read_device_nights(FITBIT, zone=BERLIN)


def test_web_api_wrapper_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, {"sleep": LOGS, "summary": {}})
    assert len(read_device_nights(path, "fitbit", zone=BERLIN)) == 13


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", r"line 1, column 1\): not valid JSON"),
        (FITBIT.read_text(encoding="utf-8")[:5000], r"line \d+, column \d+\): not valid JSON"),
        ('{"foo": 1}', "expected a JSON array of sleep logs, found a JSON object"),
        ('"sleep"', "expected a JSON array of sleep logs, found a JSON string"),
        ("[" * 100_000 + "]" * 100_000, "cannot read the file as JSON text"),
    ],
    ids=["empty", "truncated", "object", "string", "deep"],
)
def test_damaged_file(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "sleep.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFormatError, match=rf"sleep\.json \(Fitbit sleep JSON.*{problem}"):
        read_device_nights(path, "fitbit", zone=BERLIN)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "sleep.json"
    path.write_bytes(b"\xff\xfe\x00\x01garbage\x9c")
    with pytest.raises(ImportFormatError, match=r"sleep\.json \(Fitbit sleep JSON"):
        read_device_nights(path, "fitbit", zone=BERLIN)


def broken(index: int, **changes: object) -> list[dict[str, Any]]:
    logs: list[dict[str, Any]] = json.loads(json.dumps(LOGS))
    logs[index].update(changes)
    for key, value in changes.items():
        if value is None:
            del logs[index][key]
    return logs


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"minutesAsleep": None}, "missing 'minutesAsleep'"),
        ({"minutesAwake": -5}, "minutesAwake -5 is negative"),
        ({"minutesAsleep": "400"}, "minutesAsleep '400' is not a whole number"),
        ({"startTime": "yesterday"}, "startTime 'yesterday' is not a date-time"),
        ({"endTime": "2024-03-30T22:00:00.000"}, "is before startTime"),
        ({"minutesAsleep": 2000}, "impossible"),
        ({"mainSleep": "yes"}, "mainSleep must be true or false"),
        ({"startTime": "9999-12-31T23:00:00.000"}, "is not a possible date"),
    ],
)
def test_bad_log_names_log_and_problem(
    tmp_path: Path, changes: dict[str, object], problem: str
) -> None:
    path = write(tmp_path, broken(4, **changes))
    with pytest.raises(ImportFormatError) as caught:
        read_device_nights(path, zone=BERLIN)
    assert caught.value.where == "log #5 (logId 45120468228)"
    assert problem in caught.value.problem
    result = read_device_import(path, zone=BERLIN)
    assert len(result.problems) == 1
    assert "log #5" in result.problems[0]
    assert len(result.nights) == 12
    assert dt.date(2024, 3, 31) not in by_wake(list(result.nights))


def test_wrong_shape_inside_the_array(tmp_path: Path) -> None:
    path = write(tmp_path, [{"foo": 1}, 42])
    result = read_device_import(path, "fitbit", zone=BERLIN)
    assert result.nights == ()
    assert "log #1" in result.problems[0]
    assert "missing" in result.problems[0]
    assert "log #2" in result.problems[1]
    assert "found a JSON number" in result.problems[1]
