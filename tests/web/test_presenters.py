"""The page presenters, called without HTTP: each returns the plain state its template draws.

The journal is real (copied from the template migrated once per run); the API sets it up where
that is shortest, and the presenters are then read directly from the app's services.
"""

from __future__ import annotations

import datetime as dt

from solemate.web.models import PrintQuery
from solemate.web.pages.insights import DEFAULT_WEEKS, insights_state
from solemate.web.pages.journal import journal_state
from solemate.web.pages.login import login_state
from solemate.web.pages.morning import form_state, morning_state
from solemate.web.pages.print_sheet import print_state
from solemate.web.pages.shell import manifest_state
from solemate.web.pages.tonight import player_state, tonight_state
from solemate.web.services import Services
from tests.web.conftest import Client
from tests.web.test_api import DIARY


def _services(client: Client) -> Services:
    found: Services = client.http.app.state.services  # type: ignore[attr-defined]
    return found


def test_tonight_before_the_first_session_asks_for_the_screen(client: Client) -> None:
    state = tonight_state(_services(client))
    assert state["title"] == "Tonight"
    assert state["safety"].needs_screen
    assert state["boot"]["lastNight"] is None
    assert state["boot"]["shortestMinutes"] == 10
    assert state["boot"]["fullMinutes"] > 15
    assert state["control_message"] is None
    assert player_state(_services(client))["boot"] == {
        k: v for k, v in state["boot"].items() if k not in ("wording", "lastNight")
    }


def test_tonight_offers_last_nights_choices(client: Client) -> None:
    client.screen()
    client.start(minutes=13, voice="partner", first_foot="right", wording="brief")
    again = tonight_state(_services(client), "a message")["boot"]["lastNight"]
    assert again["label"] == (
        "Start: same as last night (13 min, my partner, right first, brief words)"
    )
    assert again["body"]["minutes"] == 13
    assert not tonight_state(_services(client))["safety"].needs_screen


def test_morning_starts_from_the_night_before_and_edits_a_kept_night(client: Client) -> None:
    svc = _services(client)
    first = morning_state(svc, dt.date(2024, 11, 1))
    assert first["values"]["wake_date"] == "2024-11-01"
    assert first["values"]["into_bed"] == ""  # the first morning has nothing to start from
    assert first["editing"] == ""
    assert first["saved"] is None
    assert first["errors"] == {}
    client.post("/api/sleep", json={**DIARY, "wake_date": "2024-11-01", "into_bed": "22:40"})
    kept = morning_state(svc, saved=dt.date(2024, 11, 1))
    assert kept["editing"] == "2024-11-01"
    assert kept["values"]["into_bed"] == "22:40"
    assert kept["saved"].wake_date == dt.date(2024, 11, 1)
    following = morning_state(svc, dt.date(2024, 11, 2))
    assert following["values"]["into_bed"] == "22:40"
    assert following["defaults_from"] == dt.date(2024, 11, 1)


def test_a_refused_morning_shows_its_answers_and_errors_again() -> None:
    state = form_state({"quality": "9"}, "", {"quality": "from 1 to 5"})
    assert state["values"] == {"quality": "9"}
    assert state["errors"] == {"quality": "from 1 to 5"}
    assert state["saved"] is None


def test_journal_lists_newest_first(client: Client) -> None:
    svc = _services(client)
    empty = journal_state(svc, message="done")
    assert empty["sessions"] == []
    assert empty["nights"] == []
    assert empty["message"] == "done"
    client.screen()
    first = client.start()["session"]["id"]
    second = client.start()["session"]["id"]
    state = journal_state(svc)
    assert [s.id for s in state["sessions"]] == [second, first]
    assert state["backup_kind"] in ("SQLite file", "JSON export")


def test_insights_of_an_empty_journal(client: Client) -> None:
    state = insights_state(_services(client))
    assert state["empty"]
    assert state["weeks"] == DEFAULT_WEEKS
    assert state["experiment"] is None
    assert state["start_form"]["errors"] == {}
    assert insights_state(_services(client), 12, alert="x")["weeks"] == 12


def test_print_follows_the_safety_screen_and_refuses_bad_lengths(client: Client) -> None:
    svc = _services(client)
    status, state = print_state(svc, PrintQuery(minutes=12))
    assert status == 409
    assert state["sheet"] is None
    assert state["problem"].startswith("Not tonight: ")
    client.screen(tonight=False)
    status, state = print_state(svc, PrintQuery(length="13"))
    assert status == 200
    assert state["problem"] is None
    assert state["sheet"]
    assert state["choice"]["length"] == "13"
    status, state = print_state(svc, PrintQuery(length="99"))
    assert status == 422
    assert state["problem"].startswith("length: must be 10, ")
    status, state = print_state(svc, PrintQuery(length="12", minutes=12))
    assert status == 422
    assert state["problem"] == "length: give length, or minutes or preset, not both"


def test_sign_in_sends_on_only_to_a_path_here() -> None:
    assert login_state("/journal")["next"] == "/journal"
    for elsewhere in ("//evil.example", "https://evil.example/", "/\\evil", None, ""):
        assert login_state(elsewhere)["next"] == "/"
    assert login_state("/", "wrong passphrase")["problem"] == "wrong passphrase"


def test_the_manifest_names_this_builds_icons(client: Client) -> None:
    state = manifest_state(_services(client))
    assert state["start_url"] == "/"
    assert all(icon["src"].startswith("/static/icon-") for icon in state["icons"])
    assert all("?v=" in icon["src"] for icon in state["icons"])
