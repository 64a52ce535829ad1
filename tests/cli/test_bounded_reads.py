"""Every read is bounded by the bytes actually read: devices, zip bombs, oversized files, and
routine strings that would format into gigabytes. Each is refused quickly, with one clear line,
and the journal stays as it was."""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

import solemate
from solemate.cli.app import app
from solemate.journal import Journal

ROUTINE_BOMB = 'each = "Circle {n:>99999999}."'


def test_routine_check_of_a_device_stops_at_the_limit(cli: CliRunner) -> None:
    started = time.monotonic()
    result = cli.invoke(app, ["routine", "check", "/dev/zero"])
    assert time.monotonic() - started < 5
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert "/dev/zero: is too large (over 1 MB)" in result.stderr


def test_a_placeholder_padded_to_megabytes_is_refused_at_once(
    cli: CliRunner, tmp_path: Path
) -> None:
    source = (Path(solemate.__file__).parent / "routines" / "evening.toml").read_text("utf-8")
    assert '  each = "Circle {n}."' in source
    routine = tmp_path / "padded.toml"
    routine.write_text(source.replace('each = "Circle {n}."', ROUTINE_BOMB), encoding="utf-8")
    started = time.monotonic()
    result = cli.invoke(app, ["routine", "check", str(routine)])
    assert time.monotonic() - started < 5
    assert result.exit_code == 1
    assert "{n:>99999999} pads to 99,999,999 characters; at most 20" in result.stderr
    assert "Traceback" not in result.stderr


def _journal(data_dir: Path) -> Journal:
    return Journal(f"sqlite:///{data_dir / 'journal.sqlite3'}")


def test_a_zip_bomb_is_refused_quickly_and_writes_nothing(
    cli: CliRunner, data_dir: Path, tmp_path: Path
) -> None:
    bomb = tmp_path / "export.zip"
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("apple_health_export/export.xml", "w") as member,
    ):
        member.write(b'<?xml version="1.0"?>\n<HealthData locale="en">\n')
        for _ in range(64):
            member.write(b" " * 1_000_000)
        member.write(b"</HealthData>\n")
    assert bomb.stat().st_size < 200_000
    assert cli.invoke(app, ["log", "note", "before"]).exit_code == 0
    with _journal(data_dir) as journal:
        before = journal.export()
    started = time.monotonic()
    result = cli.invoke(app, ["import", str(bomb)])
    assert time.monotonic() - started < 5
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "export.xml is too large" in result.stderr
    assert "times larger than it is packed" in result.stderr
    with _journal(data_dir) as journal:
        after = journal.export()
    assert {**after, "exported_at": None} == {**before, "exported_at": None}


def test_an_export_past_the_limit_is_refused(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import solemate.cli.transfer_commands as transfer_commands

    monkeypatch.setattr(transfer_commands, "MAX_EXPORT_BYTES", 1000)
    export = tmp_path / "export.json"
    export.write_text(json.dumps({"format": "solemate-journal", "notes": ["x" * 2000]}))
    result = cli.invoke(app, ["import", str(export)])
    assert result.exit_code == 1
    assert f"{export} is too large (over 1000 bytes)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_wearable_csv_past_the_limit_is_refused(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import solemate.wearables._common as common

    monkeypatch.setattr(common, "MAX_EXPORT_BYTES", 2000)
    fixture = Path(__file__).parents[1] / "fixtures" / "sleep-exports" / "sleep_as_android.csv"
    assert fixture.stat().st_size > 2000
    result = cli.invoke(app, ["import", str(fixture)])
    assert result.exit_code == 1
    assert "is too large (over 2000 bytes)" in result.stderr
    assert "Traceback" not in result.stderr
