"""Device nights and the diary are shown and exported on the clock they were slept by, whatever
this machine's zone: the same local times under TZ=Asia/Tokyo and TZ=America/New_York, on SQLite
and on PostgreSQL, in the table (the journal's fast reader), the JSON view and the export."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.cli.test_journal_commands import run
from tests.wearables.expected import APPLE, BY_WAKE, FITBIT, OURA

ZONES = ["Asia/Tokyo", "America/New_York"]


@pytest.fixture(params=ZONES)
def machine_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """This process's local zone set to the parameter (TZ and tzset), restored afterwards."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    try:
        yield request.param
    finally:
        monkeypatch.undo()
        time.tzset()


def _hhmm(iso: str) -> str:
    return iso[11:16]


def test_device_nights_show_the_clock_they_were_slept_by(
    cli: CliRunner,
    any_db: str,
    machine_zone: str,
    tmp_path: Path,
) -> None:
    assert time.strftime("%Z", time.localtime(0)) in {"JST", "EST"}  # the zone really changed
    for path in (APPLE, FITBIT, OURA):
        result = run(cli, any_db, "import", str(path), "--zone", "Europe/Berlin")
        assert result.exit_code == 0, result.stderr
    view = json.loads(run(cli, any_db, "journal", "--last", "100", "--format", "json").stdout)
    nights = [n for n in view["device_nights"] if not n["nap"]]
    assert len(nights) == 3 * len(BY_WAKE)
    for n in nights:
        want = BY_WAKE[date.fromisoformat(n["wake_date"])]
        where = (machine_zone, n["source"], n["wake_date"])
        assert (_hhmm(n["bed_start"]), _hhmm(n["bed_end"])) == (want.bed, want.up), where
        if n["source"] == "fitbit" and want.zone != "Europe/Berlin":
            continue  # Fitbit writes no offset: the tracker's zone (Berlin) is all it has
        assert n["bed_start"].endswith(f"+{want.bed_offset:02d}:00"), where
        assert n["bed_end"].endswith(f"+{want.up_offset:02d}:00"), where

    # The table comes from the journal's fast reader: the same clock.
    table = run(cli, any_db, "journal", "--last", "40").stdout
    assert "23:10–06:10" in table  # 04-02 in Berlin
    assert "21:10–04:10" not in table
    assert "00:10–07:10" in table  # 03-24, to bed after midnight

    # The export keeps the offsets, and importing it elsewhere keeps them again.
    exported = tmp_path / "export.json"
    assert run(cli, any_db, "export", "-o", str(exported)).exit_code == 0
    data: dict[str, Any] = json.loads(exported.read_text())
    firsts = {n["bed_start"][:16] for n in data["device_nights"] if n["wake_date"] == "2024-03-23"}
    assert firsts == {"2024-03-22T23:20"}
    again = f"sqlite:///{tmp_path / 'again.sqlite3'}"
    assert run(cli, again, "import", str(exported)).exit_code == 0
    moved = json.loads(run(cli, again, "journal", "--last", "100", "--format", "json").stdout)
    assert moved["device_nights"] == view["device_nights"]


def test_the_diary_shows_the_clock_it_was_slept_by(
    cli: CliRunner,
    any_db: str,
    machine_zone: str,
) -> None:
    night = [
        "--date", "2024-03-23", "--zone", "Europe/Berlin", "--into-bed", "23:20",
        "--tried-to-sleep", "23:20", "--sol", "15", "--awakenings", "1", "--waso", "15",
        "--final-awakening", "06:40", "--out-of-bed", "06:40", "--quality", "3",
    ]  # fmt: skip
    assert run(cli, any_db, "log", "sleep", *night).exit_code == 0
    view = json.loads(run(cli, any_db, "journal", "--format", "json").stdout)
    (entry,) = view["diary"]
    assert (entry["into_bed"], entry["out_of_bed"], entry["tib_min"]) == ("23:20", "06:40", 440)
    table = run(cli, any_db, "journal").stdout
    assert "23:20–06:40" in table
