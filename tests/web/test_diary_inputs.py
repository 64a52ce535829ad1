"""One table of diary answers, given both to `solemate log sleep` and to `POST /api/sleep` on the
same journal (SQLite, then PostgreSQL): each is accepted by both, with the same night stored, or
refused by both, naming the same answer, with nothing stored.

The answers are read by the diary itself (solemate.diary.answers), so the two shells cannot drift.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from typer.testing import CliRunner

from solemate.cli.app import app
from tests.web.conftest import Client

FLAG = {
    "wake_date": "--date",
    "zone": "--zone",
    "into_bed": "--into-bed",
    "tried_to_sleep": "--tried-to-sleep",
    "sol_min": "--sol",
    "awakenings": "--awakenings",
    "waso_min": "--waso",
    "final_awakening": "--final-awakening",
    "out_of_bed": "--out-of-bed",
    "quality": "--quality",
}

BERLIN = {
    "wake_date": "2024-03-23",
    "zone": "Europe/Berlin",
    "into_bed": "23:05",
    "tried_to_sleep": "23:15",
    "sol_min": "20",
    "awakenings": "2",
    "waso_min": "15",
    "final_awakening": "06:40",
    "out_of_bed": "07:00",
    "quality": "4",
}
#: The fall-back night in New York: 01:00–01:59 happened twice on 2023-11-05.
NEW_YORK = {**BERLIN, "wake_date": "2023-11-05", "zone": "America/New_York"}

# (what, changed answers, None if accepted else the answer named, words of the message, TIB)
TABLE: list[tuple[str, dict[str, str], str | None, str, int | None]] = [
    ("a plain night", {}, None, "", 475),
    ("times without a colon", {"final_awakening": "0640", "out_of_bed": "700"}, None, "", 475),
    ("times with a dot or an h", {"into_bed": "23.05", "out_of_bed": "7h00"}, None, "", 475),
    ("a dated time", {"into_bed": "2024-03-22 23:05"}, None, "", 475),
    ("a dated time with a T", {"into_bed": "2024-03-22T23:05"}, None, "", 475),
    ("a written offset", {"into_bed": "2024-03-22T23:05+01:00"}, None, "", 475),
    ("an offset Berlin did not use", {"into_bed": "2024-03-22T23:05+02:00"}, "into_bed",
     "is not a time the clocks in Europe/Berlin showed", None),
    ("an hour past 23", {"into_bed": "25:00"}, "into_bed", "give a time like 23:05", None),
    ("words for a time", {"out_of_bed": "7pm"}, "out_of_bed", "give a time like 23:05", None),
    ("an empty time", {"out_of_bed": " "}, "out_of_bed", "", None),
    ("a third pass", {"out_of_bed": "07:00+2"}, "out_of_bed", "give a time like 23:05", None),
    ("a year out of range", {"into_bed": "0001-03-22 23:05"}, "into_bed", "plausible", None),
    ("minutes in words", {"sol_min": "abc"}, "sol_min", "whole number", None),
    ("negative minutes", {"sol_min": "-5"}, "sol_min", "whole number", None),
    ("a fractional count", {"awakenings": "2.5"}, "awakenings", "whole number", None),
    ("quality 6", {"quality": "6"}, "quality", "outside 1–5", None),
    ("a night shift's day sleep, dated", {
        "into_bed": "2024-03-23 07:30", "tried_to_sleep": "2024-03-23 07:30",
        "final_awakening": "2024-03-23 14:40", "out_of_bed": "2024-03-23 15:00",
    }, None, "", 450),
    ("up after noon, bed after midnight", {
        "into_bed": "01:00", "tried_to_sleep": "01:10", "final_awakening": "12:40",
        "out_of_bed": "13:00",
    }, "out_of_bed", "give the date too: 2024-03-23 13:00", None),
    ("up after noon, given with its date", {
        "into_bed": "01:00", "tried_to_sleep": "01:10", "final_awakening": "2024-03-23 12:40",
        "out_of_bed": "2024-03-23 13:00",
    }, None, "", 720),
    ("a daytime nap", {
        "into_bed": "2024-03-23 14:00", "tried_to_sleep": "2024-03-23 14:00",
        "sol_min": "5", "awakenings": "0", "waso_min": "0",
        "final_awakening": "2024-03-23 14:50", "out_of_bed": "2024-03-23 15:00",
    }, "into_bed", "daytime nap, not a night", None),
    ("a late morning that is not a nap", {
        "final_awakening": "09:40", "out_of_bed": "10:00",
    }, None, "", 655),
]  # fmt: skip

# The fall-back night: a bare time in the repeated hour is asked about, never guessed.
FALL_BACK: list[tuple[str, dict[str, str], str | None, str, int | None]] = [
    ("a bare time in the repeated hour", {"final_awakening": "01:45", "out_of_bed": "06:00"},
     "final_awakening", "happened twice in America/New_York", None),
    ("the first pass", {"final_awakening": "01:45+0", "out_of_bed": "06:00"}, None, "", 475),
    ("the second pass", {"final_awakening": "01:45+1", "out_of_bed": "06:00"}, None, "", 475),
    ("the second pass as an offset", {"final_awakening": "2023-11-05T01:45-05:00",
     "out_of_bed": "06:00"}, None, "", 475),
    ("an offset New York did not use", {"final_awakening": "2023-11-05T01:45-06:00",
     "out_of_bed": "06:00"}, "final_awakening", "is not a time the clocks", None),
    # 23:05 to 07:00 across the change is 8 h 55 min really passed.
    ("the second pass of an hour that was not repeated", {"out_of_bed": "07:00+1"}, None, "",
     535),
]  # fmt: skip

CASES = [(BERLIN, *row) for row in TABLE] + [(NEW_YORK, *row) for row in FALL_BACK]


def _json(answers: dict[str, str]) -> dict[str, Any]:
    """The answers as a web page would send them: digits as numbers, the rest as typed."""
    return {k: int(v) if v.isdigit() and k in ("sol_min", "awakenings", "waso_min", "quality")
            else v for k, v in answers.items()}  # fmt: skip


@pytest.mark.parametrize(
    ("base", "what", "changes", "refused_field", "words", "tib"),
    CASES,
    ids=[f"{c[0]['zone']}: {c[1]}" for c in CASES],
)
def test_the_terminal_and_the_web_accept_the_same_answers(
    client: Client,
    cli: CliRunner,
    database_url: str,
    base: dict[str, str],
    what: str,
    changes: dict[str, str],
    refused_field: str | None,
    words: str,
    tib: int | None,
) -> None:
    answers = {**base, **changes}
    wake = answers["wake_date"]
    web = client.post("/api/sleep", json=_json(answers))
    web_stored = client.get("/api/sleep").json()
    if web.status_code == 201:
        assert client.delete(f"/api/sleep/{wake}").status_code == 204

    options = [part for field, value in answers.items() for part in (FLAG[field], value)]
    logged = cli.invoke(app, ["log", "sleep", *options, "--database", database_url])
    cli_stored = client.get("/api/sleep").json()
    assert "Traceback" not in logged.stdout + logged.stderr

    if refused_field is None:
        assert web.status_code == 201, (what, web.text)
        assert logged.exit_code == 0, (what, logged.stderr)
        assert len(web_stored) == len(cli_stored) == 1
        ignore = {"id"}
        assert {k: v for k, v in web_stored[0].items() if k not in ignore} == {
            k: v for k, v in cli_stored[0].items() if k not in ignore
        }
        assert cli_stored[0]["tib_min"] == tib
    else:
        assert web.status_code == 422, (what, web.text)
        assert web.json()["field"] == refused_field, (what, web.json())
        assert words in web.json()["detail"], (what, web.json())
        assert logged.exit_code in (1, 2), (what, logged.stdout)
        assert logged.stderr.startswith(f"solemate: {FLAG[refused_field]}: "), (what, logged.stderr)
        assert words in logged.stderr, (what, logged.stderr)
        assert web_stored == cli_stored == []


def test_the_first_morning_page_offers_no_answers(client: Client) -> None:
    first = client.get("/morning?date=2024-11-02").text
    for field in ("into_bed", "tried_to_sleep", "final_awakening", "out_of_bed"):
        assert f'id="{field}" name="{field}" value=""' in first, field
    for field in ("sol_min", "awakenings", "waso_min"):
        assert f'name="{field}" min="0"' in first
        assert re.search(rf'id="{field}" name="{field}"[^>]*value=""', first), field
    assert 'placeholder="e.g. 23:05"' in first
    assert " checked" not in first  # no quality chosen for the person
    assert "Filled in from" not in first

    earlier = client.post("/api/sleep", json=_json(BERLIN | {"wake_date": "2024-11-01"}))
    assert earlier.status_code == 201, earlier.text
    later = client.get("/morning?date=2024-11-02").text
    assert 'id="into_bed" name="into_bed" value="23:05"' in later
    assert "Filled in from the night to 2024-11-01" in later


def test_a_repeated_hour_on_the_morning_form_is_asked_about(client: Client) -> None:
    page = client.get("/morning?date=2023-11-05").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    form = {**NEW_YORK, "final_awakening": "01:45", "out_of_bed": "06:00"}
    form |= {"csrf_token": token[1], "editing": "", "comments": ""}
    asked = client.http.post("/morning", data=form)
    assert asked.status_code == 422
    assert 'id="err-final_awakening">2023-11-05 01:45 happened twice' in asked.text
    assert client.get("/api/sleep").json() == []
    saved = client.http.post(
        "/morning", data={**form, "final_awakening": "01:45+1"}, follow_redirects=False
    )
    assert saved.status_code == 303
    (night,) = client.get("/api/sleep").json()
    assert night["final_awakening"] == "2023-11-05T01:45:00-05:00"
