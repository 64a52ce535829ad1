"""Apple Health export: the README figures, the source-overlap traps, zip input, damage, memory."""

from __future__ import annotations

import datetime as dt
import tracemalloc
import zipfile
from pathlib import Path

import pytest

import solemate.wearables.apple as apple
from solemate.wearables import (
    DeviceNight,
    ImportFormatError,
    detect_format,
    read_device_import,
    read_device_nights,
)

from .expected import APPLE, APPLE_WRONG_TIB_TST, NIGHTS, Night, by_wake, check

TEXT = APPLE.read_text(encoding="utf-8")
PROLOG, _, _ = TEXT.partition(" <Record ")
BODY = TEXT[len(PROLOG) :].rpartition("</HealthData>")[0]
WATCH_DEVICE = (
    "&lt;&lt;HKDevice: 0x302e4d1a0&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, "
    "hardware:Watch6,14, software:10.4&gt;"
)


@pytest.fixture(scope="module")
def nights() -> list[DeviceNight]:
    return read_device_nights(APPLE)


def export(tmp_path: Path, records: str, name: str = "export.xml") -> Path:
    path = tmp_path / name
    path.write_text(PROLOG + records + "</HealthData>\n", encoding="utf-8")
    return path


def sleep_record(source: str, value: str, start: str, end: str, extra: str = "") -> str:
    device = f' device="{WATCH_DEVICE}"' if "Watch" in source else ""
    return (
        f' <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="{source}"{device} '
        f'startDate="{start}" endDate="{end}" value="HKCategoryValueSleepAnalysis{value}">'
        f"{extra}</Record>\n"
    )


@pytest.mark.parametrize("want", NIGHTS, ids=lambda n: str(n.wake))
def test_every_night_is_exact(nights: list[DeviceNight], want: Night) -> None:
    check(by_wake(nights)[want.wake], want, zone=want.zone)


def test_twelve_nights_and_no_nap(nights: list[DeviceNight]) -> None:
    assert [n.wake_date for n in nights] == [n.wake for n in NIGHTS]
    assert not any(n.is_nap for n in nights)
    assert {n.source for n in nights} == {"apple"}


@pytest.mark.parametrize(("wake", "wrong"), APPLE_WRONG_TIB_TST.items())
def test_overlapping_sources_are_not_added_up(
    nights: list[DeviceNight], wake: str, wrong: tuple[int, int]
) -> None:
    night = by_wake(nights)[dt.date.fromisoformat(f"2024-{wake}")]
    assert (night.tib_min, night.tst_min) != wrong
    assert night.device == "Mara’s Apple Watch"


def test_autosleep_only_night_uses_autosleep(nights: list[DeviceNight]) -> None:
    night = by_wake(nights)[dt.date(2024, 3, 29)]
    assert night.device == "AutoSleep"
    assert (night.tst_min, night.sol_min) == (350, 18)


def test_london_night_is_keyed_and_shown_in_hktimezone(nights: list[DeviceNight]) -> None:
    night = by_wake(nights)[dt.date(2024, 3, 27)]
    assert night.zone == "Europe/London"
    assert night.bed_start.isoformat() == "2024-03-26T23:40:00+00:00"
    assert night.bed_end.isoformat() == "2024-03-27T05:50:00+00:00"
    # An evening-date key from the Berlin start (03-27) would collide with the next night.
    assert by_wake(nights)[dt.date(2024, 3, 28)].bed_start.strftime("%H:%M") == "23:15"


def test_dst_night_is_real_minutes_not_wall_clock(nights: list[DeviceNight]) -> None:
    night = by_wake(nights)[dt.date(2024, 3, 31)]
    assert night.tib_min == 435  # the wall-clock difference is 495
    assert night.bed_start.isoformat() == "2024-03-30T23:05:00+01:00"
    assert night.bed_end.isoformat() == "2024-03-31T07:20:00+02:00"


def test_dst_record_is_forty_minutes_not_a_hundred(tmp_path: Path) -> None:
    path = export(
        tmp_path,
        sleep_record(
            "Mara’s iPhone", "InBed", "2024-03-31 01:30:00 +0100", "2024-03-31 03:30:00 +0200"
        )
        + sleep_record(
            "Mara’s Apple Watch",
            "AsleepCore",
            "2024-03-31 01:41:00 +0100",
            "2024-03-31 03:21:00 +0200",
        ),
    )
    [night] = read_device_nights(path)
    assert (night.tib_min, night.tst_min, night.sol_min) == (60, 40, 11)


def test_zip_is_streamed_from_its_member(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("apple_health_export/export_cda.xml", "<ClinicalDocument/>")
        archive.write(APPLE, "apple_health_export/export.xml")
    assert detect_format(path) == "apple"
    assert read_device_nights(path) == read_device_nights(APPLE)


def test_zip_with_another_folder_name(tmp_path: Path) -> None:
    path = tmp_path / "Export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(APPLE, "Exportieren/export.xml")
    assert len(read_device_nights(path, "apple")) == 12


def test_zip_without_export_xml(tmp_path: Path) -> None:
    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8")
    assert detect_format(path) is None
    with pytest.raises(ImportFormatError, match=r"photos\.zip.*no apple_health_export/export\.xml"):
        read_device_nights(path, "apple")


def test_truncated_zip(tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(APPLE, "apple_health_export/export.xml")
    data = good.read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFormatError, match=r"cut\.zip.*not a readable zip"):
        read_device_nights(cut, "apple")
    damaged = tmp_path / "damaged.zip"
    middle = len(data) // 2
    damaged.write_bytes(
        data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 64]) + data[middle + 64 :]
    )
    with pytest.raises(ImportFormatError, match=r"damaged\.zip.*cannot read the file"):
        read_device_nights(damaged, "apple")


@pytest.mark.parametrize("chunk", [7, 64, 333, 4096])
def test_chunk_boundaries_do_not_matter(
    monkeypatch: pytest.MonkeyPatch, nights: list[DeviceNight], chunk: int
) -> None:
    monkeypatch.setattr(apple, "_CHUNK", chunk)
    assert read_device_nights(APPLE) == nights


def test_sleep_type_in_other_places_is_not_a_sleep_record(tmp_path: Path) -> None:
    decoy = (
        ' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="HKCategoryTypeIdentifier'
        'SleepAnalysis" startDate="2024-03-23 02:00:00 +0100" endDate="2024-03-23 02:00:00 +0100"'
        ' value="50">\n  <MetadataEntry key="note" value="HKCategoryTypeIdentifierSleepAnalysis"/>\n'
        " </Record>\n"
    )
    path = export(tmp_path, decoy + BODY + decoy)
    assert read_device_nights(path) == read_device_nights(APPLE)


def test_pre_ios16_asleep_and_duplicates_count_once(tmp_path: Path) -> None:
    records = sleep_record(
        "Mara’s iPhone", "InBed", "2024-03-22 23:00:00 +0100", "2024-03-23 07:00:00 +0100"
    ) + 2 * sleep_record(
        "Mara’s Apple Watch", "Asleep", "2024-03-22 23:30:00 +0100", "2024-03-23 06:30:00 +0100"
    )
    [night] = read_device_nights(export(tmp_path, records))
    assert (night.tib_min, night.tst_min, night.sol_min, night.se_pct) == (480, 420, 30, 87.5)
    assert night.zone is None  # no HKTimeZone: the offsets of the file are kept
    assert night.bed_start.utcoffset() == dt.timedelta(hours=1)


def test_daytime_session_is_a_nap(tmp_path: Path) -> None:
    records = BODY + sleep_record(
        "Mara’s Apple Watch", "AsleepCore", "2024-03-24 14:28:00 +0100", "2024-03-24 15:20:00 +0100"
    )
    nights = read_device_nights(export(tmp_path, records))
    naps = [n for n in nights if n.is_nap]
    assert len(naps) == 1
    assert naps[0].tst_min == 52
    assert naps[0].sol_min is None
    assert by_wake(nights)[dt.date(2024, 3, 24)].tib_min == 420


def test_bad_record_names_line_and_problem(tmp_path: Path) -> None:
    bad = TEXT.replace('startDate="2024-03-24 01:15:00 +0100"', 'startDate="yesterday"')
    path = tmp_path / "export.xml"
    path.write_text(bad, encoding="utf-8")
    line = bad[: bad.index("yesterday")].count("\n") + 1
    with pytest.raises(ImportFormatError) as caught:
        read_device_nights(path)
    message = str(caught.value)
    assert "export.xml" in message
    assert "Apple Health export" in message
    assert f"line {line} (Record #18)" in message
    assert "startDate 'yesterday'" in message
    result = read_device_import(path)
    assert len(result.problems) == 1
    assert f"line {line}" in result.problems[0]
    assert len(result.nights) == 12
    assert read_device_nights(path, skip_bad=True) == list(result.nights)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            'endDate="2024-03-23 00:05:00 +0100"',
            'endDate="2024-03-22 22:05:00 +0100"',
            "is before startDate",
        ),
        ('value="HKCategoryValueSleepAnalysisAsleepDeep"', 'value="Dozing"', "unknown sleep value"),
        (
            'endDate="2024-03-23 00:05:00 +0100"',
            'endDate="9999-12-31 23:59:00 -1400"',
            "is not a possible date",
        ),
        ('value="Europe/London"', 'value="Europe/Atlantis"', "unknown time zone 'Europe/Atlantis'"),
        (
            'endDate="2024-03-23 00:05:00 +0100"',
            'endDate="2024-03-23 00:05:00 +0²00"',
            "endDate",
        ),
        (
            'startDate="2024-03-22 23:35:00 +0100"',
            'startDate="2024-03-20 23:35:00 +0100"',
            "impossible",
        ),
    ],
)
def test_impossible_values(tmp_path: Path, old: str, new: str, problem: str) -> None:
    path = tmp_path / "export.xml"
    path.write_text(TEXT.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ImportFormatError, match=problem) as caught:
        read_device_nights(path)
    assert "line " in caught.value.where


@pytest.mark.parametrize(
    ("target", "garbled", "reason", "later"),
    [
        (
            'startDate="2024-03-28 01:02:00 +0100"',
            'startDate="2024-03-28 01:02:00 +0100',
            "malformed <Record> start tag",
            0,
        ),
        ('value="Europe/London"/>', 'value="Europe/London&bogus;"/>', "undefined entity", 0),
        # The parser notices the unclosed <Oops> at the </Record> on the next line.
        ('value="Europe/London"/>', 'value="Europe/London"/><Oops>', "mismatched tag", 1),
    ],
)
def test_garbled_xml_reports_the_original_line(
    tmp_path: Path, target: str, garbled: str, reason: str, later: int
) -> None:
    path = tmp_path / "export.xml"
    path.write_text(TEXT.replace(target, garbled, 1), encoding="utf-8")
    line = TEXT[: TEXT.index(target)].count("\n") + 1 + later
    with pytest.raises(ImportFormatError, match=rf"line {line}\b.*: not well-formed.*{reason}"):
        read_device_nights(path)


@pytest.mark.parametrize(
    ("cut_at", "problem"),
    [
        ('startDate="2024-03-30 02:27:00', "ends inside a <Record> tag"),
        ('<MetadataEntry key="HKTimeZone" value="Europe/London"/>', "ends inside a sleep record"),
        ('type="HKQuantityTypeIdentifierStepCount"', "without the closing"),
        ("</HealthData>", "without the closing </HealthData>"),
    ],
)
def test_truncated_export(tmp_path: Path, cut_at: str, problem: str) -> None:
    path = tmp_path / "export.xml"
    path.write_text(TEXT[: TEXT.rindex(cut_at) + 10], encoding="utf-8")
    with pytest.raises(ImportFormatError, match=problem) as caught:
        read_device_nights(path, "apple")
    assert "truncated" in str(caught.value)
    assert "line " in caught.value.where


@pytest.mark.parametrize(
    "content",
    [b"", b"\x89PNG\r\n\x1a\n\x00\x00binary", b"<html><body>hello</body></html>", b"plain text"],
)
def test_not_an_apple_export(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "export.xml"
    path.write_bytes(content)
    with pytest.raises(ImportFormatError, match=r"export\.xml \(Apple Health export.*not"):
        read_device_nights(path, "apple")


def heart_rates(count: int) -> str:
    base = dt.datetime(2024, 1, 1)
    out = []
    for i in range(count):
        stamp = (base + dt.timedelta(seconds=37 * i)).strftime("%Y-%m-%d %H:%M:%S +0100")
        out.append(
            f' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Mara’s Apple Watch" '
            f'device="{WATCH_DEVICE}" unit="count/min" startDate="{stamp}" endDate="{stamp}" '
            f'value="{50 + i % 30}"/>\n'
        )
    return "".join(out)


def test_memory_does_not_grow_with_file_size(tmp_path: Path) -> None:
    small = export(tmp_path, heart_rates(20_000) + BODY, "small.xml")
    large = export(tmp_path, heart_rates(200_000) + BODY, "large.xml")
    assert large.stat().st_size > 9 * small.stat().st_size

    def peak(path: Path) -> int:
        tracemalloc.start()
        try:
            assert len(read_device_nights(path)) == 12
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small_peak, large_peak = peak(small), peak(large)
    assert large_peak < 1.3 * small_peak + 512 * 1024, (small_peak, large_peak)
    assert large_peak < 16 * 1024 * 1024
