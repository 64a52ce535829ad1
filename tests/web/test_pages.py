"""The pages as plain HTML forms: the morning diary, the journal's edit, delete and import."""

from __future__ import annotations

import html
import json
import re

import pytest

from solemate.web import WebConfig, create_app
from tests.web.conftest import Client
from tests.web.test_api import DIARY


def _token(client: Client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def test_morning_form_shows_each_problem_next_to_its_field(client: Client) -> None:
    token = _token(client, "/morning")
    form = {**{k: str(v) for k, v in DIARY.items()}, "csrf_token": token, "editing": ""}
    bad = client.http.post("/morning", data={**form, "sol_min": "lots", "quality": ""})
    assert bad.status_code == 422
    html = bad.text
    assert 'id="sol_min" name="sol_min"' in html
    assert 'aria-invalid="true" aria-describedby="err-sol_min"' in html
    assert '<p class="error" id="err-sol_min">give minutes as a whole number, got' in html
    assert 'id="err-quality"' in html
    assert 'value="lots"' in html  # what was typed is kept
    impossible = client.http.post("/morning", data={**form, "waso_min": "600"})
    assert impossible.status_code == 422
    assert 'id="err-waso_min"' in impossible.text
    assert client.get("/api/sleep").json() == []

    saved = client.http.post("/morning", data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == "/morning?saved=2024-11-02"
    page = client.get("/morning?saved=2024-11-02").text
    assert "sleep efficiency 86.3 %" in page
    edit = client.get("/morning?date=2024-11-02").text
    assert 'name="editing" value="2024-11-02"' in edit
    changed = client.http.post(
        "/morning", data={**form, "editing": "2024-11-02", "quality": "5"}, follow_redirects=False
    )
    assert changed.status_code == 303
    assert client.get("/api/sleep").json()[0]["quality_label"] == "very good"


def test_defaults_come_from_the_night_before(client: Client) -> None:
    client.post("/api/sleep", json={**DIARY, "wake_date": "2024-11-01", "into_bed": "22:40"})
    page = client.get("/morning").text
    assert 'name="into_bed" value="22:40"' in page
    assert "Filled in from the night to 2024-11-01" in page


def test_journal_forms_edit_and_delete(client: Client) -> None:
    client.screen()
    session_id = client.start(before_stress=8)["session"]["id"]
    client.post("/api/sleep", json=DIARY)
    page = client.get("/journal").text
    assert "in progress" in page
    token = _token(client, "/journal")
    rated = client.http.post(
        f"/journal/sessions/{session_id}/rating",
        data={"csrf_token": token, "before": "8", "after": "2"},
        follow_redirects=False,
    )
    assert rated.status_code == 303
    assert client.get("/api/sessions").json()[0]["after_stress"] == 2
    wrong = client.http.post(
        f"/journal/sessions/{session_id}/rating", data={"csrf_token": token, "after": "12"}
    )
    assert wrong.status_code == 422
    assert "after: give a whole number from 0 to 10" in wrong.text
    # "²" passes str.isdigit but not int(); and one bad answer writes neither.
    odd = client.http.post(
        f"/journal/sessions/{session_id}/rating",
        data={"csrf_token": token, "before": "3", "after": "²"},
    )
    assert odd.status_code == 422
    assert "after: give a whole number from 0 to 10" in odd.text
    assert client.get("/api/sessions").json()[0]["before_stress"] == 8

    gone = client.http.post(
        "/journal/sleep/2024-11-02/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert gone.headers["location"] == "/journal?done=night-deleted"
    assert client.get("/api/sleep").json() == []
    client.http.post(f"/journal/sessions/{session_id}/delete", data={"csrf_token": token})
    assert client.get("/api/sessions").json() == []
    assert "The session was deleted." in client.get("/journal?done=session-deleted").text


def test_journal_import_form(client: Client) -> None:
    client.post("/api/sleep", json=DIARY)
    export = client.get("/api/export").content
    token = _token(client, "/journal")
    client.delete("/api/sleep/2024-11-02")
    done = client.http.post(
        "/journal/import",
        data={"csrf_token": token},
        files={"file": ("export.json", export, "application/json")},
    )
    assert done.status_code == 200
    assert "Imported: " in done.text
    assert len(client.get("/api/sleep").json()) == 1
    broken = json.loads(export)
    broken["diary"][0]["quality"] = 42
    before = client.export()
    refused = client.http.post(
        "/journal/import",
        data={"csrf_token": token},
        files={"file": ("export.json", json.dumps(broken).encode(), "application/json")},
    )
    assert refused.status_code == 422
    assert "nothing written" in refused.text
    assert client.export() == before
    junk = client.http.post(
        "/journal/import",
        data={"csrf_token": token},
        files={"file": ("x.json", b"\xff\xfe not json", "application/json")},
    )
    assert junk.status_code == 422
    assert "not a solemate export" in junk.text


def test_print_follows_the_safety_screen(client: Client) -> None:
    unscreened = client.get("/print", params={"minutes": 12})
    assert unscreened.status_code == 409
    assert "Answer the safety questions" in unscreened.text
    client.screen(tonight=False)  # a sheet is made ahead of time: tonight's check is not needed
    plain = client.get("/print", params={"minutes": 12, "voice": "partner"})
    assert plain.status_code == 200
    assert "massaging a partner" in plain.text
    assert client.get("/print", params={"minutes": 2}).status_code == 422
    client.screen(varicose_veins=True)
    changed = client.get("/print", params={"minutes": 12})
    assert "the calf is left out" in changed.text
    client.screen(fever=True)
    refused = client.get("/print", params={"minutes": 12})
    assert refused.status_code == 409
    assert "Do not massage tonight" in refused.text


def test_manifest_and_service_worker(client: Client) -> None:
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
    worker = client.get("/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert "__VERSION__" not in worker.text
    assert "__SHELL__" not in worker.text
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", worker.text).group(1))  # type: ignore[union-attr]
    assert "/play" in shell
    for url in shell:
        assert client.get(url).status_code == 200, url


def _boot(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="boot">(.*?)</script>', html, re.S)
    assert found
    data: dict[str, object] = json.loads(found.group(1))
    return data


def test_the_slider_covers_the_guides_ten_to_fifteen_minutes(client: Client) -> None:
    html = client.get("/").text
    slider = re.search(r'<input type="range" id="minutes"[^>]*>', html)
    assert slider
    assert 'min="10"' in slider.group(0)
    assert 'max="15"' in slider.group(0)
    assert _boot(html)["shortestMinutes"] == 10


def test_tonight_offers_wording_and_counts(client: Client) -> None:
    html = client.get("/").text
    for value, label in [
        ("full", "Full explanations"),
        ("brief", "Brief (I know the routine)"),
    ]:
        assert re.search(rf'name="wording" value="{value}"[^>]*><span>{re.escape(label)}<', html)
    assert re.search(r'name="wording" value="full" checked>', html)
    assert re.search(r'name="counts" value="voice" checked><span>Spoken counts<', html)
    assert re.search(r'name="counts" value="ticks"><span>Soft ticks<', html)
    assert _boot(html)["wording"] == {"value": "full", "offerFull": False}
    assert re.search(r'<p id="brief-notice"[^>]* hidden>', html)


def test_after_five_completed_sessions_tonight_is_brief_and_says_so(client: Client) -> None:
    client.screen()
    for _ in range(5):
        session_id = client.start()["session"]["id"]
        client.post(f"/api/sessions/{session_id}/finish", json={"status": "completed"})
    html = client.get("/").text
    assert _boot(html)["wording"] == {"value": "brief", "offerFull": True}
    notice = re.search(r'<p id="brief-notice"([^>]*)>([^<]*)</p>', html)
    assert notice
    assert "hidden" not in notice.group(1)
    assert notice.group(2) == "Brief cues from now on: you know the routine."
    assert re.search(r'name="wording" value="brief" checked>', html)


@pytest.mark.parametrize("value", ["0", "-1.19e-07", "20241102", "9999-12-31", "1700-01-01"])
def test_the_morning_pages_dates_are_strict(client: Client, value: str) -> None:
    for name in ("date", "saved"):
        response = client.get("/morning", params={name: value})
        assert response.status_code == 422, (name, value, response.text[:200])
        assert "Traceback" not in response.text


def test_the_print_page_chooses_length_and_words_on_the_page(client: Client) -> None:
    client.screen(tonight=False)
    plain = client.get("/print")
    assert plain.status_code == 200
    assert '<form class="card print-form" method="get" action="/print"' in plain.text
    assert '<option value="12" selected>12 min</option>' in plain.text
    assert "full explanations" in plain.text
    brief = client.get("/print", params={"length": "15", "wording": "brief", "voice": "partner"})
    assert brief.status_code == 200
    assert '<option value="15" selected>15 min</option>' in brief.text
    assert "15 min · both feet, left first · massaging a partner" in brief.text
    assert "brief words" in brief.text
    assert 'value="brief" checked' in brief.text
    full = client.get("/print", params={"length": "full", "first_foot": "right"})
    assert '<option value="full" selected>' in full.text
    assert "both feet, right first" in full.text


PRINT_GARBAGE = [
    ({"length": "abc"}, "length: must be 10, 11, 12, 13, 14, 15 (minutes) or full, got 'abc'"),
    ({"length": "9"}, "length: must be"),
    ({"length": "12.5"}, "length: must be"),
    ({"length": "12", "minutes": "12"}, "length: give length, or minutes or preset, not both"),
    ({"length": "full", "preset": "nightly"}, "length: give length, or minutes or preset"),
]


@pytest.mark.parametrize(("params", "message"), PRINT_GARBAGE)
def test_garbage_lengths_on_the_print_page(
    client: Client, params: dict[str, str], message: str
) -> None:
    client.screen(tonight=False)
    before = client.export()
    answer = client.get("/print", params=params)
    assert answer.status_code == 422
    assert message in html.unescape(answer.text)
    assert 'class="sheet"' not in answer.text
    assert "Traceback" not in answer.text
    assert client.export() == before


def _again(page: str) -> str | None:
    found = re.search(r'<button type="button" id="again"[^>]*>([^<]*)</button>', page)
    return html.unescape(found.group(1)) if found else None


def test_same_as_last_night_is_offered_from_the_second_night(client: Client) -> None:
    assert _again(client.get("/").text) is None  # the first night: nothing to repeat
    client.screen()
    client.start(minutes=13, voice="partner", first_foot="right", wording="brief")
    page = client.get("/").text
    assert (
        _again(page) == "Start: same as last night (13 min, my partner, right first, brief words)"
    )
    assert page.index('id="again"') < page.index('id="safety"') < page.index('id="start"')
    client.start(preset="full", feet="left")
    assert _again(client.get("/").text) == (
        "Start: same as last night (the full routine, me, left foot only)"
    )
    client.start()
    assert _again(client.get("/").text) == "Start: same as last night (12 min, me, left first)"


def test_same_as_last_night_waits_for_the_safety_check(client: Client) -> None:
    client.screen()
    client.start()
    client.screen(tonight=False, fever=True)
    page = client.get("/").text
    assert re.search(r'id="again" class="primary big" disabled', page)
    assert re.search(r'<p class="small" id="again-wait">', page)


def test_templates_are_not_checked_for_changes_on_every_request(config: WebConfig) -> None:
    """The templates ship with the package: Jinja's per-request file check stays off."""
    app = create_app(config)
    try:
        assert app.state.services.templates.env.auto_reload is False
    finally:
        app.state.services.journal.close()
