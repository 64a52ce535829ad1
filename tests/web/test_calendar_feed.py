"""The calendar feed: /calendar.ics on a loopback server, a secret per-person link on the network
that a new link revokes, and the Reminders card on Tonight."""

from __future__ import annotations

import re
import warnings
from dataclasses import replace
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from solemate.journal import Journal
from solemate.web import WebConfig, create_app
from solemate.web.sign_in import set_passphrase
from tests.web.conftest import Client

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSPHRASE = "correct horse battery"


def _event(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    cal: Any = Calendar.from_ical(response.content)
    assert cal.walk("VTIMEZONE")
    (event,) = cal.walk("VEVENT")
    assert event.walk("VALARM")
    return event


def test_a_loopback_server_serves_the_feed_and_shows_it_on_tonight(client: Client) -> None:
    event = _event(client.get("/calendar.ics"))
    assert event["rrule"]["FREQ"] == ["DAILY"]
    assert str(event["summary"]) == "Foot massage"
    tonight = client.get("/").text
    assert 'aria-labelledby="reminders-h"' in tonight
    assert "http://127.0.0.1/calendar.ics" in tonight
    assert "No diary nights yet, so 22:00" in tonight
    assert 'action="/reminders/link"' not in tonight  # no secret link needed on this computer


def test_an_unknown_link_is_404(client: Client) -> None:
    assert client.get("/calendar/not-a-real-link.ics").status_code == 404


@pytest.fixture
def network(config: WebConfig) -> WebConfig:
    with Journal(config.database_url) as journal:
        set_passphrase(journal, PASSPHRASE)
    return replace(config, allowed_hosts=None, require_login=True)


def _signed_in(config: WebConfig) -> TestClient:
    http = TestClient(create_app(config), base_url="http://192.0.2.1:8765")
    token = _csrf(http, "/login")
    answer = http.post(
        "/login",
        data={"passphrase": PASSPHRASE, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return http


def _csrf(http: TestClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', http.get(path).text)
    assert found
    return found.group(1)


def _new_link(http: TestClient) -> str:
    answer = http.post("/reminders/link", data={"csrf_token": _csrf(http, "/")})
    assert answer.status_code == 200, answer.text
    found = re.search(r"http://192\.0\.2\.1:8765(/calendar/[A-Za-z0-9_-]{43}\.ics)", answer.text)
    assert found, answer.text
    return found.group(1)


def test_on_the_network_only_the_secret_link_serves_the_feed(network: WebConfig) -> None:
    with _signed_in(network) as http:
        assert http.get("/calendar.ics").status_code == 404
        tonight = http.get("/").text
        assert "Make a calendar link" in tonight
        link = _new_link(http)
        assert "Make a new calendar link" in http.get("/").text
        assert link not in http.get("/").text  # shown once, then only its digest is kept
    # A calendar app: no cookie, no passphrase, only the link.
    with TestClient(create_app(network), base_url="http://192.0.2.1:8765") as app:
        _event(app.get(link))
        assert app.get("/calendar.ics", follow_redirects=False).status_code == 303  # sign in
        assert app.get("/calendar/guess.ics").status_code == 404


def test_a_new_link_revokes_the_old_one(network: WebConfig) -> None:
    with _signed_in(network) as http:
        old = _new_link(http)
        new = _new_link(http)
    with TestClient(create_app(network), base_url="http://192.0.2.1:8765") as app:
        assert app.get(old).status_code == 404
        _event(app.get(new))


def test_making_a_link_needs_the_form_token(network: WebConfig) -> None:
    with _signed_in(network) as http:
        refused = http.post("/reminders/link", data={"csrf_token": "x" * 43})
        assert refused.status_code == 403
        assert "Make a calendar link" in http.get("/").text  # nothing was made
        missing = http.post("/reminders/link", data={})
        assert missing.status_code == 403


def test_making_a_link_needs_the_passphrase(network: WebConfig) -> None:
    with TestClient(create_app(network), base_url="http://192.0.2.1:8765") as app:
        token = _csrf(app, "/login")
        refused = app.post("/reminders/link", data={"csrf_token": token}, follow_redirects=False)
        assert refused.status_code == 401
