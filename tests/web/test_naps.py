"""Naps are kept as naps: apart from the nights (the night of that day can still be written), never
in the diary's rows, so never in the night's figures or the experiment; logged the same way from
the terminal and the API, on SQLite and PostgreSQL, and bad input refused naming the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from solemate.cli.app import app
from tests.web.conftest import Client
from tests.web.test_api import DIARY

NAP = {"on_date": "2024-11-02", "zone": "Europe/Berlin", "start": "14:20", "end": "15:30"}


def test_a_nap_is_kept_apart_from_the_night(
    client: Client, cli: CliRunner, database_url: str
) -> None:
    logged = cli.invoke(
        app,
        ["log", "nap", "--date", "2024-11-01", "--zone", "Europe/Berlin", "--start", "1420",
         "--end", "15:30", "--database", database_url],
    )  # fmt: skip
    assert logged.exit_code == 0, logged.stderr
    assert "Saved a nap on 2024-11-01, 14:20–15:30 (70 min), apart from your nights." in (
        logged.stdout
    )
    created = client.post("/api/naps", json=NAP)
    assert created.status_code == 201, created.text
    assert created.json()["start"] == "2024-11-02T14:20:00+01:00"
    assert created.json()["minutes"] == 70
    naps = client.get("/api/naps").json()
    assert [(n["on_date"], n["minutes"]) for n in naps] == [("2024-11-01", 70), ("2024-11-02", 70)]

    # The night of the nap's day is still free, and the diary holds only it.
    assert client.get("/api/sleep").json() == []
    assert client.post("/api/sleep", json=DIARY).status_code == 201
    assert [n["wake_date"] for n in client.get("/api/sleep").json()] == ["2024-11-02"]

    twice = client.post("/api/naps", json=NAP)
    assert twice.status_code == 409 or twice.status_code == 422, twice.text
    assert twice.json()["field"] == "start"
    assert client.delete(f"/api/naps/{naps[0]['id']}").status_code == 204
    assert len(client.get("/api/naps").json()) == 1


def test_a_nap_given_as_a_night_is_pointed_to_the_nap(
    client: Client, cli: CliRunner, database_url: str
) -> None:
    day_sleep = {
        **DIARY,
        "into_bed": "2024-11-02 14:00",
        "tried_to_sleep": "2024-11-02 14:00",
        "awakenings": 0,
        "waso_min": 0,
        "sol_min": 5,
        "final_awakening": "2024-11-02 14:50",
        "out_of_bed": "2024-11-02 15:00",
    }
    web = client.post("/api/sleep", json=day_sleep)
    assert web.status_code == 422
    assert web.json()["field"] == "into_bed"
    assert "daytime nap, not a night" in web.json()["detail"]
    options = [
        "--date", "2024-11-02", "--zone", "Europe/Berlin", "--into-bed", "2024-11-02 14:00",
        "--tried-to-sleep", "2024-11-02 14:00", "--sol", "5", "--awakenings", "0", "--waso", "0",
        "--final-awakening", "2024-11-02 14:50", "--out-of-bed", "2024-11-02 15:00",
        "--quality", "3",
    ]  # fmt: skip
    refused = cli.invoke(app, ["log", "sleep", *options, "--database", database_url])
    assert refused.exit_code == 1
    assert refused.stderr.startswith("solemate: --into-bed: 2024-11-02 14:00 to 15:00")
    assert "with 'solemate log nap'" in refused.stderr
    assert client.get("/api/sleep").json() == []
    assert client.get("/api/naps").json() == []


GARBAGE = [
    ({"start": "25:00"}, "start", "--start", "give a time like 23:05"),
    ({"end": "later"}, "end", "--end", "give a time like 23:05"),
    ({"end": "14:00"}, "end", "--end", "is not after the start"),
    ({"start": "19:30", "end": "21:00"}, "start", "--start", "not a daytime nap"),
    ({"start": "07:00", "end": "08:00"}, "start", "--start", "not a daytime nap"),
    ({"zone": "Mars/Base"}, "zone", "--zone", "unknown time zone"),
    ({"on_date": "2199-11-09"}, "on_date", "--date", "future"),
    ({"on_date": "0001-01-01"}, "on_date", "--date", "plausible"),
]


@pytest.mark.parametrize(("change", "field", "flag", "words"), GARBAGE)
def test_a_bad_nap_is_refused_naming_what_is_wrong(
    client: Client,
    cli: CliRunner,
    database_url: str,
    change: dict[str, str],
    field: str,
    flag: str,
    words: str,
) -> None:
    body = {**NAP, **change}
    web = client.post("/api/naps", json=body)
    assert web.status_code == 422, web.text
    assert web.json()["field"] == field
    assert words in web.json()["detail"] or field in ("zone", "on_date")
    options = {"--date": body["on_date"], "--zone": body["zone"], "--start": body["start"],
               "--end": body["end"]}  # fmt: skip
    args = [part for pair in options.items() for part in pair]
    result = cli.invoke(app, ["log", "nap", *args, "--database", database_url])
    assert result.exit_code in (1, 2), result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.startswith(f"solemate: {flag}: "), result.stderr
    assert client.get("/api/naps").json() == []


def test_naps_travel_with_the_export(client: Client, cli: CliRunner, tmp_path: Path) -> None:
    assert client.post("/api/naps", json=NAP).status_code == 201
    data = client.export()
    (nap,) = data["naps"]
    assert (nap["start"], nap["end"], nap["minutes"]) == (
        "2024-11-02T14:20:00+01:00",
        "2024-11-02T15:30:00+01:00",
        70,
    )
    exported = tmp_path / "export.json"
    exported.write_text(json.dumps(data))
    again = f"sqlite:///{tmp_path / 'again.sqlite3'}"
    result = cli.invoke(app, ["import", str(exported), "--database", again])
    assert result.exit_code == 0, result.stderr
    assert "1 nap" in result.stdout
    moved = cli.invoke(app, ["export", "--database", again])
    assert json.loads(moved.stdout)["naps"] == data["naps"]

    broken = {**data, "naps": [{**nap, "end": nap["start"]}]}
    exported.write_text(json.dumps(broken))
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    refused = cli.invoke(app, ["import", str(exported), "--database", fresh])
    assert refused.exit_code == 1
    assert "naps" in refused.stderr
    assert "end: is not after start" in refused.stderr
