"""The Insights page, the experiment on the web and ``GET /api/insights``, on SQLite and PostgreSQL.

The journal is the insights suite's fixed one: two weeks of sessions, then a 28-night experiment
with diaries, stress ratings, control evenings and a wearable's nights.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from markupsafe import escape

from solemate.insights_service import experiment_report, experiment_status, insights, start
from solemate.journal import Journal
from solemate.render.charts import CHART_CSS, SVG_STYLE
from solemate.render.experiment_view import report_html
from solemate.render.insights_view import insights_json
from tests.insights.builders import BERLIN, FIRST_EVENING, NIGHTS, Built, build_experiment_journal
from tests.journal.conftest import FakeClock
from tests.web.conftest import Client

GARBAGE_WEEKS = ["abc", "0", "521", "-1", "1e3", "6.5", "0x10", "6 weeks", "9" * 30, "٣"]


def _journal(client: Client) -> Journal:
    journal: Journal = client.http.app.state.services.journal  # type: ignore[attr-defined]
    return journal


def _seed(client: Client, clock: FakeClock) -> Built:
    return build_experiment_journal(_journal(client), clock)


def _on_evening(clock: FakeClock, evening: date) -> date:
    """Move the server's clock to midday of ``evening`` (the same date in any zone from UTC−11
    to UTC+12), so that evening is "tonight"."""
    clock.now = datetime.combine(evening, time(12, 0), BERLIN).astimezone(UTC)
    return evening


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_an_empty_journal_explains_what_to_log(client: Client) -> None:
    page = client.get("/insights")
    assert page.status_code == 200
    html = page.text
    assert "Nothing to show yet" in html
    assert 'href="/morning"' in html
    assert "sleep diary" in html
    assert "how stressed you feel before and after" in html
    assert "<svg" not in html
    assert "None imported in these weeks." in html
    assert 'href="/insights" aria-current="page"' in html  # in the navigation
    data = client.get("/api/insights").json()
    assert data["nights"] == 0
    assert data["sessions"] == 0
    # Nothing written: one (empty) week stands for the six asked for, and says so.
    assert len(data["weeks"]) == 1
    assert data["requested_weeks"] == 6
    assert "Nothing is written in these 6 weeks, so only this week is shown." in html


def test_the_page_shows_every_insight_with_diary_and_devices_apart(
    client: Client, clock: FakeClock
) -> None:
    built = _seed(client, clock)
    page = client.get("/insights", params={"weeks": 6})
    assert page.status_code == 200
    html = page.text
    state = insights(_journal(client), built.today, 6)
    assert "Nothing to show yet" not in html
    weekly = html.split('class="weekly"', 1)[1].split("</table>", 1)[0]
    assert weekly.count('<th scope="row">') == 6
    for week in state.weeks:
        assert f'{week.start:%d %b}</th><td class="n">{week.nights}</td>' in weekly
    for title in (
        "Minutes to fall asleep (SOL)",
        "Minutes awake in the night (WASO)",
        "Total sleep time (TST)",
        "Sleep efficiency (SE)",
        "Stress change per session",
        "Habit strength",
        "Device estimate: total sleep time (not your diary)",
    ):
        assert f"<title>{title}" in html, title
    assert html.count("<svg") == 8
    assert escape(state.stress.words()) in html
    assert "No streak to lose." in html
    assert escape(state.lights_out.words()) in html
    assert "an observation, not proof" in html
    assert escape(state.comparison.caveat) in html
    # the wearable's estimates come after the diary's figures, in a section of their own
    devices = html.index('id="devices-h"')
    assert devices > html.index('id="compare-h"') > html.index('id="diary-h"')
    assert "oura" in html[devices:]
    assert "oura" not in html[:devices]


def test_the_page_allows_the_charts_style_and_nothing_else_inline(
    client: Client, clock: FakeClock
) -> None:
    _seed(client, clock)
    page = client.get("/insights")
    policy = page.headers["content-security-policy"]
    assert f"style-src 'self' {_sha256(CHART_CSS)} 'unsafe-hashes' {_sha256(SVG_STYLE)}" in policy
    assert "unsafe-inline" not in policy
    assert "script-src 'self'" in policy
    styles = set(re.findall(r'style="([^"]*)"', page.text))
    assert styles == {SVG_STYLE}
    # The only style elements are the charts' own, each exactly the hashed sheet.
    sheets = re.findall(r"<style>(.*?)</style>", page.text)
    assert sheets
    assert set(sheets) == {CHART_CSS}
    assert page.text.count("<style") == len(sheets)
    assert "<script>" not in page.text


def test_the_experiment_status_on_the_page(client: Client, clock: FakeClock) -> None:
    _seed(client, clock)
    today = _on_evening(clock, FIRST_EVENING + timedelta(days=16))
    status = experiment_status(_journal(client), today)
    assert status.missing  # the fixed journal leaves mornings blank
    html = client.get("/insights").text
    section = html.split('id="experiment-h"', 1)[1].split("</section>", 1)[0]
    kept = status.massage_kept + status.control_kept
    assert f"{NIGHTS} nights: 14 massage, 14 control" in section
    assert f"{status.nights_done} of {NIGHTS} nights" in section
    assert (
        f"{kept} of {status.nights_done} ({round(100 * kept / status.nights_done)} %): "
        f"{status.massage_kept} massage, {status.control_kept} control" in section
    )
    assert f"{status.diaries} of {status.nights_done}; missing after the evenings of" in section
    for evening in status.missing:
        assert f"{evening:%a %d %b}" in section
    assert status.tonight is not None
    assert escape(status.tonight) in section
    assert 'href="/insights/report"' in section


def test_the_report_is_the_one_the_cli_writes(client: Client, clock: FakeClock) -> None:
    built = _seed(client, clock)
    response = client.get("/insights/report")
    assert response.status_code == 200
    assert response.text == report_html(experiment_report(_journal(client), built.today))
    policy = response.headers["content-security-policy"]
    css = re.search(r"<style>(.*?)</style>", response.text, re.S)
    assert css is not None
    assert _sha256(css.group(1)) in policy
    assert _sha256(SVG_STYLE) in policy
    assert "unsafe-inline" not in policy
    assert "script-src 'self'" in policy


def test_too_few_nights_for_a_report_is_a_clear_message(client: Client, clock: FakeClock) -> None:
    missing = client.get("/insights/report")
    assert missing.status_code == 409
    assert "No experiment yet" in missing.text
    today = clock.now.date()
    start(_journal(client), today=today, seed=1)
    early = client.get("/insights/report")
    assert early.status_code == 409
    assert "A report needs at least 2 nights with a diary in each arm" in early.text
    page = client.get("/insights").text
    assert "No report yet: a report needs at least 2 nights" in page
    assert 'href="/insights/report"' not in page


@pytest.mark.parametrize("raw", GARBAGE_WEEKS)
def test_garbage_weeks_is_refused_clearly(client: Client, raw: str) -> None:
    page = client.get("/insights", params={"weeks": raw})
    assert page.status_code == 422
    assert "weeks: give a whole number of weeks from 1 to 520" in page.text
    assert 'href="/insights?weeks=4"' in page.text
    api = client.get("/api/insights", params={"weeks": raw})
    assert api.status_code == 422
    assert api.json()["field"] == "weeks"


def test_an_overlong_weeks_value_is_refused_on_the_page(client: Client) -> None:
    page = client.get("/insights", params={"weeks": "1" * 5000})
    assert page.status_code == 422
    assert (
        "weeks: give a whole number of weeks from 1 to 520, not &#39;11111111111111111111&#39;"
        in (page.text)
    )
    assert "1" * 21 not in page.text


def test_the_api_answers_what_the_cli_prints_as_json(client: Client, clock: FakeClock) -> None:
    built = _seed(client, clock)
    response = client.get("/api/insights", params={"weeks": 8})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    expected = json.loads(insights_json(insights(_journal(client), built.today, 8)))
    assert response.json() == expected
    # Eight weeks asked for; the diary starts in the second of them, so seven are shown.
    assert len(expected["weeks"]) == 7
    assert expected["requested_weeks"] == 8
    assert expected["device_weeks"]
    assert client.get("/api/insights", params={"weeks": 1}).status_code == 200
    assert client.get("/api/insights", params={"weeks": 520}).status_code == 200


def test_the_api_is_in_the_schema(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/insights"]["get"]
    (weeks,) = operation["parameters"]
    assert weeks["name"] == "weeks"
    assert (weeks["schema"]["minimum"], weeks["schema"]["maximum"]) == (1, 520)
    assert "application/json" in operation["responses"]["200"]["content"]
    assert "/insights" not in schema["paths"]  # pages stay out of the API schema


def test_tonight_says_what_tonight_is_in_the_experiment(client: Client, clock: FakeClock) -> None:
    assert "Tonight is a" not in client.get("/").text
    built = _seed(client, clock)
    control = FIRST_EVENING + timedelta(days=built.arms.index("C"))
    massage = FIRST_EVENING + timedelta(days=built.arms.index("M"))
    _on_evening(clock, control)
    html = client.get("/").text
    assert "Tonight is a control night" in html
    assert (
        "the control activity tonight, not a massage: <strong>15 minutes of reading</strong>"
        in (html)
    )
    assert "Tonight is a massage night" not in html
    _on_evening(clock, massage)
    html = client.get("/").text
    assert "Tonight is a massage night" in html
    assert "control night" not in html
    _on_evening(clock, FIRST_EVENING + timedelta(days=NIGHTS))  # the experiment is over
    assert "Tonight is a" not in client.get("/").text
