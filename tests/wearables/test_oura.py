"""Oura sleepmodel.csv: figures, the nap row with the same day, columns by name, bad rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from solemate.wearables import (
    DeviceNight,
    ImportFormatError,
    read_device_import,
    read_device_nights,
)

from .expected import NAP, NIGHTS, OURA, Night, by_wake, check

ROWS = list(csv.reader(io.StringIO(OURA.read_text(encoding="utf-8")), delimiter=";"))
HEADER = ROWS[0]


@pytest.fixture(scope="module")
def nights() -> list[DeviceNight]:
    return read_device_nights(OURA)


def write(tmp_path: Path, rows: list[list[str]], delimiter: str = ";") -> Path:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path = tmp_path / "sleepmodel.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def with_cell(row: int, column: str, value: str) -> list[list[str]]:
    rows = [list(r) for r in ROWS]
    rows[row][HEADER.index(column)] = value
    return rows


@pytest.mark.parametrize("want", NIGHTS, ids=lambda n: str(n.wake))
def test_every_night_is_exact(nights: list[DeviceNight], want: Night) -> None:
    check(by_wake(nights)[want.wake], want, zone=None)


def test_nap_row_with_the_same_day_is_a_separate_nap(nights: list[DeviceNight]) -> None:
    naps = [n for n in nights if n.is_nap]
    assert len(naps) == 1
    assert len(nights) == 13
    check(naps[0], NAP, zone=None)
    assert by_wake(nights)[dt.date(2024, 3, 24)].tib_min == 420


def test_offsets_come_from_the_file(nights: list[DeviceNight]) -> None:
    london = by_wake(nights)[dt.date(2024, 3, 27)]
    assert london.bed_start.isoformat() == "2024-03-26T23:40:00+00:00"
    dst = by_wake(nights)[dt.date(2024, 3, 31)]
    assert (dst.bed_start.isoformat(), dst.bed_end.isoformat()) == (
        "2024-03-30T23:05:00+01:00",
        "2024-03-31T07:20:00+02:00",
    )
    assert dst.tib_min == 435  # the wall-clock difference is 495


def test_columns_are_chosen_by_name(tmp_path: Path, nights: list[DeviceNight]) -> None:
    order = list(reversed(range(len(HEADER))))
    rows = [[row[i] for i in order] + ["x"] for row in ROWS]
    rows[0][-1] = "movement_30_sec"
    assert read_device_nights(write(tmp_path, rows), "oura") == nights


def test_deleted_rows_are_skipped(tmp_path: Path, nights: list[DeviceNight]) -> None:
    rows = with_cell(3, "type", "deleted")
    assert read_device_nights(write(tmp_path, rows)) == [n for n in nights if not n.is_nap]


def test_bad_number_names_line_row_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, with_cell(5, "total_sleep_duration", "abc"))
    with pytest.raises(ImportFormatError) as caught:
        read_device_nights(path)
    assert str(caught.value) == (
        f"{path} (Oura sleepmodel CSV, line 6 (row 5)): "
        "total_sleep_duration 'abc' is not a number of seconds"
    )
    result = read_device_import(path)
    assert len(result.problems) == 1
    assert "line 6 (row 5)" in result.problems[0]
    assert len(result.nights) == 12
    assert dt.date(2024, 3, 26) not in by_wake(list(result.nights))


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("time_in_bed", "30000", "time_in_bed 30000 s disagrees"),
        ("total_sleep_duration", "90000", "is longer than"),
        ("total_sleep_duration", "-60", "not a possible number of seconds"),
        ("latency", "nan", "not a possible number of seconds"),
        ("bedtime_end", "2024-03-22T22:00:00+01:00", "is not after"),
        ("bedtime_start", "2024-03-22T23:20:00", "has no UTC offset"),
        ("bedtime_start", "last night", "is not an ISO 8601 date-time"),
        ("bedtime_start", "0001-01-01T00:00:00+01:00", "is not a possible date"),
        ("type", "siesta", "unknown type 'siesta'"),
    ],
)
def test_impossible_values(tmp_path: Path, column: str, value: str, problem: str) -> None:
    with pytest.raises(ImportFormatError, match=r"line 2 \(row 1\)\): .*" + problem):
        read_device_nights(write(tmp_path, with_cell(1, column, value)))


def test_short_row(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[2] = rows[2][:5]
    with pytest.raises(ImportFormatError, match=r"line 3 \(row 2\)\): 5 fields where the header"):
        read_device_nights(write(tmp_path, rows))


def test_missing_column_is_fatal_even_when_skipping(tmp_path: Path) -> None:
    column = HEADER.index("bedtime_end")
    rows = [row[:column] + row[column + 1 :] for row in ROWS]
    with pytest.raises(ImportFormatError, match=r"line 1\): no column bedtime_end"):
        read_device_import(write(tmp_path, rows), "oura")


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02\xff\xfe", b"hello;world\n1;2\n"])
def test_not_an_oura_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "sleepmodel.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFormatError, match=r"sleepmodel\.csv \(Oura sleepmodel CSV, line 1"):
        read_device_nights(path, "oura")
