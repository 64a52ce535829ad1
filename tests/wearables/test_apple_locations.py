"""Apple Health export: where a message points, in large files, and only when there is a message."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

import solemate.wearables.apple as apple
from solemate.wearables import ImportFormatError, read_device_import, read_device_nights

from .test_apple import BODY, PROLOG, TEXT, heart_rates

BAD_START = 'startDate="2024-03-24 01:15:00 +0100"'
BAD_END = 'endDate="2024-03-25 05:48:00 +0100"'


def where(text: str, needle: str) -> str:
    """``line N (Record #M)`` of the record holding ``needle``, counted the slow, obvious way."""
    before = text[: text.index(needle)]
    start = before.rindex("<Record")
    records = text[text.index("<HealthData") : start].count("<Record")
    return f"line {before.count(chr(10)) + 1} (Record #{records + 1})"


def big_export(tmp_path: Path, body: str, name: str = "export.xml") -> tuple[Path, str]:
    # Megabytes of heart rates before the sleep records: the reader and the line count both cross
    # many chunk boundaries before they reach a bad record.
    text = PROLOG + heart_rates(12_000) + body + "</HealthData>\n"
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path, text


@pytest.mark.parametrize("chunk", [7, 100, 1 << 20])
def test_bad_record_far_into_the_file_names_its_line_and_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(apple, "_CHUNK", chunk)  # "<Record" cut at every possible place
    body = BODY.replace(BAD_START, 'startDate="yesterday"')
    path, text = big_export(tmp_path, body)
    assert path.stat().st_size > 2 * (1 << 20)  # more than one chunk at the default size
    with pytest.raises(ImportFormatError) as caught:
        read_device_nights(path)
    assert caught.value.where == where(text, "yesterday")


def test_every_skipped_record_is_named_also_in_a_zip(tmp_path: Path) -> None:
    body = BODY.replace(BAD_START, 'startDate="yesterday"').replace(BAD_END, 'endDate="never"')
    plain, text = big_export(tmp_path, body)
    zipped = tmp_path / "export.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(plain, "apple_health_export/export.xml")
    for path in (plain, zipped):
        result = read_device_import(path)
        assert len(result.problems) == 2
        assert where(text, "yesterday") in result.problems[0]
        assert where(text, "never") in result.problems[1]


def test_garbled_xml_far_into_the_file_reports_the_original_line(tmp_path: Path) -> None:
    target = 'value="Europe/London"/>'
    path, text = big_export(tmp_path, BODY.replace(target, 'value="Europe/London&bogus;"/>', 1))
    line = text[: text.index("&bogus;")].count("\n") + 1
    with pytest.raises(ImportFormatError, match=rf"line {line}, column \d+\): not well-formed"):
        read_device_nights(path)


def test_a_truncated_big_file_names_its_last_line(tmp_path: Path) -> None:
    path, text = big_export(tmp_path, BODY)
    cut = text[: text.rindex("</HealthData>")]
    path.write_text(cut, encoding="utf-8")
    with pytest.raises(ImportFormatError, match="without the closing") as caught:
        read_device_nights(path)
    assert caught.value.where == f"line {cut.count(chr(10)) + 1}"


def test_a_good_file_is_read_without_counting_its_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: object, offset: int) -> None:
        raise AssertionError(f"lines counted up to byte {offset} with nothing to report")

    monkeypatch.setattr(apple._Locator, "_advance", refuse)
    path, _ = big_export(tmp_path, BODY)
    assert len(read_device_nights(path)) == 12
    assert read_device_nights(path) == read_device_nights(export_of(tmp_path))


def export_of(tmp_path: Path) -> Path:
    path = tmp_path / "small.xml"
    path.write_text(TEXT, encoding="utf-8")
    return path
