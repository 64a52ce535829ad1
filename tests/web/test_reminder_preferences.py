"""The Reminders card's form: a time (empty: the suggestion) and days saved for the person, the
card and the feed following them, and bad input refused beside its field with nothing stored."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from icalendar import Calendar

from solemate.journal import Journal
from solemate.journal.reminder_preferences import ReminderPreference, saved_reminder
from tests.web.conftest import Client


def _token(client: Client) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert found
    return found.group(1)


def _save(client: Client, data: dict[str, Any]) -> Any:
    return client.http.post(
        "/reminders/preferences",
        data={"csrf_token": _token(client), **data},
        follow_redirects=False,
    )


def _saved(client: Client) -> ReminderPreference | None:
    url = client.http.app.state.services.config.database_url  # type: ignore[attr-defined]
    with Journal(url) as journal:
        return saved_reminder(journal)


def test_the_card_says_the_suggested_time_plainly(client: Client) -> None:
    page = client.get("/").text
    assert "<strong>22:00 daily</strong>" in page  # no diary yet: not suggested from it
    assert "No diary nights yet, so 22:00" in page
    assert 'action="/reminders/preferences"' in page


def test_with_diary_nights_the_card_says_the_time_comes_from_them(client: Client) -> None:
    from tests.web.test_api import DIARY

    assert client.post("/api/sleep", json=DIARY).status_code == 201
    page = client.get("/").text
    assert "daily, suggested from your diary</strong>" in page
    assert "median of 1 diary night" in page


def test_a_saved_time_and_days_are_shown_and_served(client: Client) -> None:
    answer = _save(client, {"at": "22:15", "days": ["MO", "WE", "FR"]})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/?saved=reminder#reminders-h"
    page = client.get("/").text
    assert "22:15 on Mon, Wed, Fri" in page
    assert 'value="22:15"' in page
    cal: Any = Calendar.from_ical(client.get("/calendar.ics").content)
    (event,) = cal.walk("VEVENT")
    assert event.decoded("dtstart").time().strftime("%H:%M") == "22:15"
    assert event["rrule"]["BYDAY"] == ["MO", "WE", "FR"]


def test_an_empty_time_is_the_suggestion(client: Client) -> None:
    assert (
        _save(client, {"at": "", "days": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]}).status_code
        == 303
    )
    assert "<strong>22:00 daily</strong>" in client.get("/").text


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"at": "25:00", "days": ["MO"]}, "at", "is not a time of day"),
        ({"at": "x" * 500, "days": ["MO"]}, "at", "give HH:MM"),
        ({"at": "22:00"}, "days", "tick at least one day"),
        ({"at": "22:00", "days": ["XX"]}, "days", "unknown day 'XX'"),
    ],
)
def test_bad_input_is_refused_beside_the_field(
    client: Client, data: dict[str, Any], field: str, words: str
) -> None:
    answer = _save(client, data)
    assert answer.status_code == 400
    assert "Traceback" not in answer.text
    found = re.search(rf'<p class="error" id="err-reminder-{field}">([^<]*)</p>', answer.text)
    assert found, answer.text[-2000:]
    assert words in html.unescape(found.group(1))
    assert _saved(client) is None


def test_the_form_needs_its_csrf_token(client: Client) -> None:
    for token in ({}, {"csrf_token": "forged"}):
        answer = client.http.post(
            "/reminders/preferences", data={"at": "22:00", "days": "MO", **token}
        )
        assert answer.status_code == 403
    assert _saved(client) is None
