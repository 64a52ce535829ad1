"""The experiment from the phone: start, stop and the control night's button, as plain forms.

Each form calls the same service function as ``solemate experiment``; a refused form shows its
message beside the field, answers 4xx, and leaves the journal's experiments as they were.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from solemate.insights_service import start, tonight_assignment
from solemate.journal import Journal
from solemate.journal.experiments import experiments
from tests.web.conftest import Client

DEFAULTS = {
    "outcome": "sol",
    "control": "15 minutes of reading",
    "nights": "28",
    "design": "pairs",
    "minimum": "",
    "first_evening": "",
}


def _journal(client: Client) -> Journal:
    journal: Journal = client.http.app.state.services.journal  # type: ignore[attr-defined]
    return journal


def _today(client: Client) -> date:
    today: date = client.http.app.state.services.today()  # type: ignore[attr-defined]
    return today


def _token(client: Client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def _post(client: Client, path: str, **fields: str) -> Any:
    data = {"csrf_token": _token(client, "/insights"), **fields}
    return client.http.post(path, data=data, follow_redirects=False)


def _first_control_night(client: Client) -> date:
    today = _today(client)
    (stored,) = experiments(_journal(client))
    return today + timedelta(days=stored.arms.index("C"))


def test_the_form_offers_the_clis_defaults(client: Client) -> None:
    html = client.get("/insights").text
    form = html.split('action="/insights/experiment"', 1)[1].split("</form>", 1)[0]
    assert '<option value="sol" selected>Minutes to fall asleep (SOL)</option>' in form
    assert 'value="15 minutes of reading"' in form
    assert 'name="nights" min="2" max="3660" value="28"' in form
    assert 'name="design" value="pairs" checked' in form
    assert "Empty means the usual: 10 min for SOL" in form
    assert f'name="first_evening" value="{_today(client).isoformat()}"' in form
    assert "cannot be blinded" in form
    assert "expecting to sleep better" in form
    assert "Stop the experiment" not in html


def test_starting_through_the_form_stores_the_plan_and_shows_it(client: Client) -> None:
    today = _today(client)
    response = _post(client, "/insights/experiment", **DEFAULTS)
    assert response.status_code == 303
    assert response.headers["location"] == "/insights?done=started#experiment-h"
    (stored,) = experiments(_journal(client))
    assert (stored.outcome, stored.design, stored.nights) == ("sol", "pairs", 28)
    assert (stored.control, stored.minimum, stored.first_evening) == (
        "15 minutes of reading",
        10,
        today,
    )
    html = client.get(response.headers["location"]).text
    assert "Experiment started: the whole plan is stored now." in html
    section = html.split('id="experiment-h"', 1)[1].split("</section>", 1)[0]
    assert (
        f"From the evening of {today:%a %d %b %Y} to {stored.last_evening:%a %d %b %Y}" in section
    )
    assignment = tonight_assignment(_journal(client), today)
    assert assignment is not None
    assert assignment.line() in section
    assert "<dd>10 min</dd>" in section
    assert "Stop the experiment" in section
    assert 'action="/insights/experiment"' not in html  # no second start while one runs


def test_a_short_experiment_starts_with_the_clis_warning(client: Client) -> None:
    response = _post(
        client,
        "/insights/experiment",
        **{**DEFAULTS, "nights": "14", "outcome": "quality", "minimum": "0.5"},
    )
    assert response.status_code == 303
    (stored,) = experiments(_journal(client))
    assert (stored.nights, stored.outcome, stored.minimum) == (14, "quality", 0.5)
    html = client.get("/insights").text
    assert "14 nights give 7 nights of each kind" in html


BAD_FIELDS = [
    ("nights", "lots", "give a whole number of nights"),
    ("nights", "", "give a whole number of nights"),
    ("nights", "-4", "give a whole number of nights"),
    ("nights", "28.5", "give a whole number of nights"),
    ("nights", "٢٨", "give a whole number of nights"),
    ("nights", "1", "an experiment needs at least 2 nights"),
    ("nights", "0", "an experiment needs at least 2 nights"),
    ("nights", "27", "pairs need an even number of nights"),
    ("nights", "9998", "must be 2 to 3660 nights"),
    ("outcome", "mood", "&#39;mood&#39; is not recorded by the sleep diary"),
    ("outcome", "", "is not recorded by the sleep diary"),
    ("design", "months", "unknown block design"),
    ("control", "", "the control activity must be 1 to 100 characters"),
    ("control", "   ", "the control activity must be 1 to 100 characters"),
    ("control", "r" * 101, "the control activity must be 1 to 100 characters"),
    ("minimum", "ten", "give a number such as 10"),
    ("minimum", "nan", "give a number such as 10"),
    ("minimum", "inf", "give a number such as 10"),
    ("minimum", "1e400", "give a number such as 10"),
    ("minimum", "0", "must be above 0"),
    ("minimum", "-5", "must be above 0"),
    ("first_evening", "tomorrow", "give a date like 2024-03-01"),
    ("first_evening", "9999-12-31", "give a date like 2024-03-01"),
    ("first_evening", "2000-01-01", "is in the past; the plan comes first"),
]
ERROR_IDS = {"first_evening": "err-first"}


@pytest.mark.parametrize(("name", "raw", "message"), BAD_FIELDS)
def test_a_bad_field_is_refused_beside_it_with_nothing_stored(
    client: Client, name: str, raw: str, message: str
) -> None:
    response = _post(client, "/insights/experiment", **{**DEFAULTS, name: raw})
    assert response.status_code == 422
    html = response.text
    error = ERROR_IDS.get(name, f"err-{name}")
    found = re.search(rf'<p class="error" id="{error}">([^<]*)</p>', html)
    assert found, html
    assert message in found.group(1)
    assert "Nothing was started." in html
    assert "<details open>" in html  # the form stays open on the answer to correct
    assert experiments(_journal(client)) == []


def test_weeks_design_needs_a_multiple_of_fourteen(client: Client) -> None:
    bad = _post(client, "/insights/experiment", **{**DEFAULTS, "design": "weeks", "nights": "21"})
    assert bad.status_code == 422
    assert "multiple of 14 nights; got 21" in bad.text
    assert experiments(_journal(client)) == []
    good = _post(client, "/insights/experiment", **{**DEFAULTS, "design": "weeks"})
    assert good.status_code == 303
    assert experiments(_journal(client))[0].design == "weeks"


def test_every_form_needs_its_csrf_token(client: Client) -> None:
    today = _today(client)
    for path, data in (
        ("/insights/experiment", DEFAULTS),
        ("/insights/experiment/stop", {"confirm": "yes"}),
        ("/experiment/control", {}),
    ):
        for token in ({}, {"csrf_token": "forged"}):
            response = client.http.post(path, data={**data, **token}, follow_redirects=False)
            assert response.status_code == 403, (path, token)
        if path == "/insights/experiment":
            start(_journal(client), today=today, seed=3)
    (stored,) = experiments(_journal(client))
    assert stored.stopped_at is None
    assert _journal(client).control_activities() == []


def test_a_second_start_over_a_running_one_is_refused(client: Client) -> None:
    before = start(_journal(client), today=_today(client), seed=5)[0]
    # a page opened before the first start still carries the start form
    response = _post(client, "/insights/experiment", **DEFAULTS)
    assert response.status_code == 409
    assert f"Nothing started: experiment {before.id} is still running" in response.text
    assert experiments(_journal(client)) == [before]


def test_stopping_needs_the_box_ticked_then_stops(client: Client) -> None:
    today = _today(client)
    start(_journal(client), today=today, seed=5)
    unconfirmed = _post(client, "/insights/experiment/stop", reason="travelling")
    assert unconfirmed.status_code == 422
    assert '<p class="error" id="err-stop-confirm">tick the box to confirm' in unconfirmed.text
    assert 'value="travelling"' in unconfirmed.text
    assert experiments(_journal(client))[0].stopped_at is None
    too_long = _post(client, "/insights/experiment/stop", reason="x" * 2001, confirm="yes")
    assert too_long.status_code == 422
    assert "must be at most 2000 characters" in too_long.text
    assert experiments(_journal(client))[0].stopped_at is None
    stopped = _post(client, "/insights/experiment/stop", reason="travelling", confirm="yes")
    assert stopped.status_code == 303
    assert stopped.headers["location"] == "/insights?done=stopped#experiment-h"
    (stored,) = experiments(_journal(client))
    assert stored.stopped_at is not None
    assert stored.stop_reason == "travelling"
    html = client.get(stopped.headers["location"]).text
    assert "Experiment stopped." in html
    assert "Stopped early" in html
    assert 'action="/insights/experiment"' in html  # a new one can be planned
    again = _post(client, "/insights/experiment/stop", confirm="yes")
    assert again.status_code == 409
    assert "Nothing stopped: no experiment is running." in again.text
    assert experiments(_journal(client)) == [stored]


def test_the_control_button_records_once_and_says_so_twice(client: Client) -> None:
    today = _today(client)
    start(_journal(client), today=today, seed=5)
    control = _first_control_night(client)
    client_clock = client.http.app.state.services.config.clock  # type: ignore[attr-defined]
    client_clock.advance(days=(control - today).days)
    assert _today(client) == control
    page = client.get("/").text
    assert "I did the control activity tonight" in page
    token = _token(client, "/insights")
    first = client.http.post(
        "/experiment/control", data={"csrf_token": token}, follow_redirects=False
    )
    assert first.status_code == 303
    assert first.headers["location"] == "/?control=recorded#experiment-tonight-h"
    html = client.get(first.headers["location"]).text
    assert "Recorded: you did the control activity tonight." in html
    assert "I did the control activity tonight" not in html
    second = client.http.post(
        "/experiment/control", data={"csrf_token": token}, follow_redirects=False
    )
    assert second.status_code == 303
    assert second.headers["location"] == "/?control=already#experiment-tonight-h"
    assert (
        "Already recorded tonight; pressing again added nothing."
        in client.get(second.headers["location"]).text
    )
    (logged,) = _journal(client).control_activities()
    assert (logged.on_date, logged.minutes) == (control, 15)


def test_the_control_button_is_refused_on_a_massage_night(client: Client) -> None:
    today = _today(client)
    (stored, _) = start(_journal(client), today=today, seed=5)
    massage = today + timedelta(days=stored.arms.index("M"))
    clock = client.http.app.state.services.config.clock  # type: ignore[attr-defined]
    clock.advance(days=(massage - today).days)
    assert "I did the control activity tonight" not in client.get("/").text
    token = _token(client, "/insights")
    response = client.http.post(
        "/experiment/control", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 409
    assert "Not recorded: tonight is a massage night" in response.text
    assert _journal(client).control_activities() == []


def test_the_control_button_without_an_experiment(client: Client) -> None:
    token = _token(client, "/insights")
    response = client.http.post(
        "/experiment/control", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 409
    assert "Not recorded: no experiment is running tonight." in response.text
    assert _journal(client).control_activities() == []


def test_the_form_says_what_the_plan_can_find_before_it_starts(client: Client) -> None:
    html = client.get("/insights").text
    form = html.split('action="/insights/experiment"', 1)[1].split("</form>", 1)[0]
    assert "What it can find." in form
    assert "62 % with 28 nights, 81 % with 42, 91 % with 56" in form
    assert "Suggested length: 42 nights" in form


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"minimum": "ten"}, "a change of 10 min"),  # unreadable: the default stands in
        ({"minimum": "-4"}, "a change of 10 min"),
        ({"outcome": "tst", "minimum": "30", "nights": "x"}, "a change of 30 min"),
        ({"outcome": "mood"}, "a change of 10 min"),
        ({"design": "weeks", "nights": "30"}, "% with 28 nights"),
    ],
)
def test_a_refused_form_still_says_what_its_readable_answers_could_find(
    client: Client, fields: dict[str, str], shown: str
) -> None:
    response = _post(client, "/insights/experiment", **{**DEFAULTS, **fields})
    assert response.status_code == 422
    assert "Traceback" not in response.text
    assert "What it can find." in response.text
    assert shown in response.text
    assert experiments(_journal(client)) == []
