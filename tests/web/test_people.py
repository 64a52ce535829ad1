"""Two people in one journal using the web app in turn, on SQLite and PostgreSQL: who is here,
each one's diary, sessions, ratings and insights kept apart, and the refusals of bad choices."""

from __future__ import annotations

import html
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from solemate.web import WebConfig, create_app
from solemate.web.people import PERSON_COOKIE
from tests.web.conftest import Client
from tests.web.test_api import DIARY

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


class Couple:
    """One app, two browsers (two cookie jars): ``alex`` and ``sam``."""

    def __init__(self, alex: Client, sam: Client) -> None:
        self.alex = alex
        self.sam = sam


def form(client: Client, path: str, **fields: str) -> Any:
    """Post an HTML form as the page would (its CSRF token in a hidden field)."""
    return client.http.post(
        path, data={"csrf_token": client.token, **fields}, follow_redirects=False
    )


@pytest.fixture
def couple(config: WebConfig) -> Iterator[Couple]:
    app = create_app(config)
    with TestClient(app, base_url="http://127.0.0.1") as first:
        second = TestClient(app, base_url="http://127.0.0.1")
        alex, sam = Client(first), Client(second)
        assert form(alex, "/who/add", name="Alex").status_code == 303
        assert form(alex, "/who/add", name="Sam").status_code == 303
        chose = form(sam, "/who", person="Sam")
        assert chose.status_code == 303, chose.text
        yield Couple(alex, sam)


def test_the_unnamed_first_person_is_not_called_me_to_their_partner(config: WebConfig) -> None:
    app = create_app(config)
    with TestClient(app, base_url="http://127.0.0.1") as first:
        me, sam = Client(first), Client(TestClient(app, base_url="http://127.0.0.1"))
        assert me.post("/api/sleep", json=DIARY).status_code == 201  # the journal names me "me"
        assert form(me, "/who/add", name="Sam").status_code == 303
        assert form(sam, "/who", person="Sam").status_code == 303
        refused = sam.post(
            "/api/sessions", json={"minutes": 12, "voice": "partner", "receiver": "me"}
        )
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert detail.startswith("safety: The safety screen of the person you massage decides"), detail
    assert "me's" not in detail


def test_one_person_sees_nothing_about_people(client: Client) -> None:
    client.post("/api/sleep", json=DIARY)
    for path in ("/", "/morning", "/journal", "/insights"):
        text = client.get(path).text
        assert 'href="/who"' not in text, path
        assert "Who massaged whom" not in text, path
    assert "My partner" in client.get("/").text
    assert "Add a person" in client.get("/who").text


def test_the_choice_is_a_lax_httponly_cookie_shown_in_the_header(couple: Couple) -> None:
    response = form(couple.alex, "/who", person="Alex")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{PERSON_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    page = couple.sam.get("/").text
    assert '<p class="here small">Sam · <a href="/who">change</a></p>' in page
    # Tonight names the partner: the other person, never "My partner"
    assert 'data-receiver="Alex"' in page
    assert "My partner" not in page
    assert 'data-receiver="Sam"' not in page


def test_two_people_keep_diaries_sessions_ratings_and_insights_apart(couple: Couple) -> None:
    alex, sam = couple.alex, couple.sam
    assert alex.post("/api/sleep", json=DIARY).status_code == 201
    assert sam.get("/api/sleep").json() == []
    assert (
        sam.post("/api/sleep", json={**DIARY, "quality": 1, "comments": "slept badly"}).status_code
        == 201
    )
    assert [n["quality"] for n in alex.get("/api/sleep").json()] == [4]
    assert [n["quality"] for n in sam.get("/api/sleep").json()] == [1]

    alex.screen()
    own = alex.start(before_stress=7)
    assert (own["session"]["before_stress"]) == 7

    # Alex massages Sam: Sam's screen decides, and Sam has none yet.
    refused = alex.post(
        "/api/sessions", json={"minutes": 12, "voice": "partner", "receiver": "Sam"}
    )
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("safety: Sam's safety screen decides")
    sam.screen()
    given = alex.start(voice="partner", receiver="Sam", before_stress=6)["session"]
    finished = alex.post(
        f"/api/sessions/{given['id']}/finish", json={"status": "completed", "played_seconds": 700}
    )
    assert finished.status_code == 200, finished.text
    rated = alex.post(f"/api/sessions/{given['id']}/ratings", json={"moment": "after", "stress": 2})
    assert rated.status_code == 200, rated.text

    # The session counts for the receiver: in Sam's journal, with Sam's stress before and after.
    sams = sam.get("/api/sessions").json()
    assert [(s["id"], s["before_stress"], s["after_stress"]) for s in sams] == [(given["id"], 6, 2)]
    assert [s["id"] for s in alex.get("/api/sessions").json()] == [own["session"]["id"]]
    assert "<small>from Alex</small>" in sam.get("/journal").text
    # Same as last night, on Alex's phone: massaging Sam again, named.
    assert "Start: same as last night (12 min, Sam, left first)" in alex.get("/").text
    assert (sams[0]["giver"], sams[0]["receiver"]) == ("Alex", "Sam")
    assert "woke at 3" in alex.get("/journal").text
    assert "woke at 3" not in sam.get("/journal").text
    assert "slept badly" in sam.get("/journal").text

    sams_insights = sam.get("/insights").text
    assert "Who massaged whom" in sams_insights
    assert "Alex gave Sam 1 session" in sams_insights
    assert "Alex massaged their own feet once" in sams_insights


def test_an_unknown_or_garbage_cookie_falls_back_to_the_first_person(couple: Couple) -> None:
    couple.alex.post("/api/sleep", json=DIARY)
    for value in ("no-such-uid", "x" * 3000, "%00%ff"):
        http = couple.sam.http
        http.cookies.set(PERSON_COOKIE, value)
        page = http.get("/morning")
        assert page.status_code == 200
        assert '<p class="here small">Alex ·' in page.text
        assert [n["quality"] for n in http.get("/api/sleep").json()] == [4]


def test_refused_choices_name_the_field_and_change_nothing(couple: Couple) -> None:
    alex = couple.alex
    unknown = form(alex, "/who", person="Nobody")
    assert unknown.status_code == 422
    assert "person: nobody here is called &#39;Nobody&#39;" in unknown.text
    assert PERSON_COOKIE not in unknown.headers.get("set-cookie", "")
    for name, says in (
        ("", "cannot be empty"),
        ("alex", "already a person called"),
        ("x" * 41, "at most 40"),
    ):
        refused = form(alex, "/who/add", name=name)
        assert refused.status_code == 422, name
        assert 'id="err-name">name: ' in refused.text
        assert says in refused.text
    assert form(alex, "/who/add").status_code == 422
    page = alex.get("/who").text
    assert page.count('name="person"') == 2  # still Alex and Sam only

    alex.screen()
    before = alex.get("/api/sessions").json()
    for body, field in (
        ({"receiver": "Nobody", "voice": "partner"}, "receiver"),
        ({"receiver": "Sam", "voice": "self"}, "voice"),
        ({"receiver": 42, "voice": "partner"}, "receiver"),
        ({"receiver": "x" * 200, "voice": "partner"}, "receiver"),
    ):
        response = alex.post("/api/sessions", json={"minutes": 12, **body})
        assert response.status_code == 422, body
        assert response.json()["field"] == field, response.json()
    assert alex.get("/api/sessions").json() == before


def test_one_persons_session_is_not_the_others_by_id(couple: Couple) -> None:
    alex, sam = couple.alex, couple.sam
    alex.screen()
    own = alex.start()["session"]["id"]
    for response in (
        sam.get(f"/api/sessions/{own}"),
        sam.post(f"/api/sessions/{own}/ratings", json={"moment": "after", "stress": 1}),
        sam.delete(f"/api/sessions/{own}"),
    ):
        assert response.status_code == 404
        assert response.json()["field"] == "id"
    assert f"no session {own} of Sam's" in sam.get(f"/api/sessions/{own}").text
    assert alex.get(f"/api/sessions/{own}").status_code == 200


def test_safety_screens_and_experiments_are_each_persons_own(couple: Couple) -> None:
    alex, sam = couple.alex, couple.sam
    alex.screen()
    assert alex.get("/api/safety").json()["needs_screen"] is False
    assert sam.get("/api/safety").json()["needs_screen"] is True
    fields = {
        "outcome": "sol",
        "control": "15 minutes of reading",
        "nights": "28",
        "design": "pairs",
        "minimum": "",
        "first_evening": "",
    }
    started = form(sam, "/insights/experiment", **fields)
    assert started.status_code == 303, started.text
    assert "Stop the experiment" in sam.get("/insights").text
    assert "Stop the experiment" not in alex.get("/insights").text
    assert 'action="/insights/experiment"' in alex.get("/insights").text


def test_the_unnamed_first_person_reads_my_answers(client: Client) -> None:
    """The journal's first person, still named "me", is written in the first person; another
    person by name."""
    client.post("/api/sleep", json=DIARY)  # the first write creates "me"
    assert form(client, "/who/add", name="Sam").status_code == 303
    assert "My answers: yes or no to each." in client.get("/").text
    refused = client.delete("/api/ratings/12345")
    assert refused.status_code == 404
    assert "no rating 12345 of mine" in refused.text
    assert form(client, "/who", person="Sam").status_code == 303
    assert "Sam's answers: yes or no to each." in html.unescape(client.get("/").text)
