"""Bounded reads: counted as they come, whatever a file or a zip directory says about its size."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from solemate.bounded import Bounded, TooLarge, open_member, read_bytes


def test_a_device_without_a_size_stops_at_the_limit() -> None:
    with pytest.raises(TooLarge, match=r"^/dev/zero is too large \(over 1 MB\)$"):
        read_bytes(Path("/dev/zero"), 1_000_000)


def test_a_stream_is_counted_as_it_is_read() -> None:
    reader = Bounded(io.BytesIO(b"x" * 100), limit=100, name="fine")
    assert reader.read() == b"x" * 100
    text = io.TextIOWrapper(
        io.BufferedReader(Bounded(io.BytesIO(b"a,b\n" * 1000), limit=3999, name="rows.csv"))
    )
    with pytest.raises(TooLarge, match=r"rows.csv is too large \(over 3999 bytes\)"):
        text.read()


def _zip(tmp_path: Path, member: bytes) -> zipfile.ZipFile:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.xml", member)
    return zipfile.ZipFile(path)


def test_a_zip_member_that_unpacks_far_larger_than_any_export_is_refused_unread(
    tmp_path: Path,
) -> None:
    with (
        _zip(tmp_path, b" " * 50_000_000) as archive,
        pytest.raises(TooLarge, match=r"unpacks \d+ times larger than it is packed"),
    ):
        open_member(archive, "export.xml", 10**10)


def test_a_zip_member_may_not_pass_its_limit(tmp_path: Path) -> None:
    with _zip(tmp_path, os.urandom(1_024_000)) as archive:
        with pytest.raises(TooLarge, match="over 1000 bytes"):
            open_member(archive, "export.xml", 1000)
        with open_member(archive, "export.xml", 2_000_000) as member:
            assert len(member.read()) == 1_024_000
