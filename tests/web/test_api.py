"""The API in-process, on SQLite and PostgreSQL: the same rules as the terminal guide."""

from __future__ import annotations

import json
import tempfile
from typing import Any

import pytest

from solemate.plan import PlanOptions, plan
from solemate.routine import builtin_routine
from solemate.safety import QUESTIONS
from solemate.timeline import Timeline
from solemate.web.api import transfer
from solemate.web.cue_audio import text_digest
from tests.journal.conftest import FakeClock
from tests.web.conftest import Client

DIARY = {
    "wake_date": "2024-11-02",
    "zone": "Europe/Berlin",
    "into_bed": "23:05",
    "tried_to_sleep": "23:15",
    "sol_min": 20,
    "awakenings": 2,
    "waso_min": 15,
    "final_awakening": "06:40",
    "out_of_bed": "07:00",
    "quality": 4,
    "comments": "woke at 3",
}


def test_plan_is_the_timeline_the_planner_makes(client: Client) -> None:
    response = client.get("/api/plan", params={"minutes": 12, "voice": "partner"})
    assert response.status_code == 200
    expected = plan(builtin_routine(), PlanOptions(minutes=12, voice="partner"))
    assert Timeline.from_dict(response.json()) == expected
    assert response.json()["total"] == 720


def test_plan_refuses_an_impossible_length_naming_minutes(client: Client) -> None:
    response = client.get("/api/plan", params={"minutes": 1})
    assert response.status_code == 422
    assert response.json()["field"] == "minutes"
    assert "shorter than the shortest" in response.json()["detail"]
    both = client.get("/api/plan", params={"minutes": 12, "preset": "full"})
    assert both.status_code == 422
    assert "minutes or preset" in both.json()["detail"]
    unknown = client.get("/api/plan", params={"minuets": 12})
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "minuets"


def test_no_session_before_the_safety_screen(client: Client) -> None:
    before = client.export()
    response = client.post("/api/sessions", json={"minutes": 12, "before_stress": 5})
    assert response.status_code == 409
    assert response.json()["field"] == "safety"
    assert client.export() == before  # nothing written, not even the rating


def test_do_not_massage_refuses_to_start(client: Client) -> None:
    verdict = client.screen(fever=True)["verdict"]
    assert verdict["level"] == "do-not-massage"
    response = client.post("/api/sessions", json={"minutes": 12})
    assert response.status_code == 409
    assert "Do not massage tonight" in response.json()["detail"]
    assert client.get("/api/sessions").json() == []


def test_a_stale_screen_is_asked_again(client: Client, clock: FakeClock) -> None:
    client.screen()
    assert client.get("/api/safety").json()["needs_screen"] is False
    clock.advance(days=91)
    state = client.get("/api/safety").json()
    assert state["needs_screen"] is True
    assert "answer again" in state["why"]
    assert client.post("/api/sessions", json={"minutes": 12}).status_code == 409


def test_screen_changes_are_applied_to_the_plan(client: Client) -> None:
    client.screen(heart=True, varicose_veins=True)
    doc = client.start(voice="partner")
    timeline = Timeline.from_dict(doc["timeline"])
    assert timeline.options["safety"] == {
        "gentle_only": True,
        "skip_calf": True,
        "patch_test": False,
    }
    assert all(s.pressure in (None, "light") for s in timeline.segments)
    assert not any("calf" in s.zones for s in timeline.segments)
    assert "Gentle pressure only (safety screen)." in timeline.notes


def test_a_whole_session_is_recorded_like_the_terminal_guide(client: Client) -> None:
    client.screen()
    doc = client.start(minutes=12, first_foot="right", before_stress=7)
    session, timeline = doc["session"], doc["timeline"]
    assert session["status"] == "in_progress"
    assert session["before_stress"] == 7
    assert session["planned_seconds"] == 720 == timeline["total"]
    assert timeline["feet"] == ["right", "left"]
    # every cue text has its audio digest
    assert {c["text"] for s in timeline["segments"] for c in s["cues"]} == set(doc["audio"])

    steps = []
    for segment in timeline["segments"]:
        answer = client.post(
            f"/api/sessions/{session['id']}/progress", json={"segment": segment["index"]}
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["recorded"] is (segment["kind"] == "action")
        if segment["kind"] == "action":
            steps.append((segment["foot"], segment["step"]))
    stored = client.get(f"/api/sessions/{session['id']}").json()["session"]
    assert (stored["foot"], stored["step"]) == steps[-1] == ("left", 7)

    finished = client.post(f"/api/sessions/{session['id']}/finish", json={"status": "completed"})
    assert finished.status_code == 200
    assert finished.json()["status"] == "completed"
    rated = client.post(
        f"/api/sessions/{session['id']}/ratings", json={"moment": "after", "stress": 3}
    )
    assert rated.status_code == 200
    listed = client.get("/api/sessions").json()
    assert [(s["status"], s["before_stress"], s["after_stress"]) for s in listed] == [
        ("completed", 7, 3)
    ]
    # a finished session takes no more progress
    late = client.post(f"/api/sessions/{session['id']}/progress", json={"segment": 1})
    assert late.status_code == 409
    assert late.json()["field"] == "session_id"


def test_a_reloaded_page_gets_the_same_timeline_back(client: Client) -> None:
    client.screen(oil_allergy=True)
    doc = client.start(preset="full", voice="partner")
    again = client.get(f"/api/sessions/{doc['session']['id']}").json()
    assert again["timeline"] == doc["timeline"]
    assert again["audio"] == doc["audio"]
    assert again["zones"]["insomnia-point"] == "Insomnia point"
    assert "no scientific evidence" in again["evidence"]


def test_progress_past_the_end_names_the_segment(client: Client) -> None:
    client.screen()
    doc = client.start()
    response = client.post(f"/api/sessions/{doc['session']['id']}/progress", json={"segment": 33})
    assert response.status_code == 422
    assert response.json()["field"] == "segment"
    missing = client.post("/api/sessions/999/progress", json={"segment": 1})
    assert missing.status_code == 404
    assert missing.json()["field"] == "id"


def test_sleep_diary_round_trip_and_validation_next_to_the_field(client: Client) -> None:
    defaults = client.get("/api/sleep/defaults", params={"wake_date": "2024-11-02"}).json()
    assert defaults["from_date"] is None
    # The first morning offers no answers, only hints: one tap must not store an invented night.
    assert [defaults[f] for f in ("into_bed", "sol_min", "out_of_bed", "quality")] == [None] * 4
    assert defaults["hints"]["into_bed"] == "e.g. 23:05"
    created = client.post("/api/sleep", json=DIARY)
    assert created.status_code == 201, created.text
    night = created.json()
    assert (night["tib_min"], night["tst_min"], night["se_pct"]) == (475, 410, 86.3)
    assert night["quality_label"] == "good"
    twice = client.post("/api/sleep", json=DIARY)
    assert twice.status_code == 409
    assert twice.json()["field"] == "wake_date"

    bad = client.post("/api/sleep", json={**DIARY, "wake_date": "2024-11-01", "sol_min": 600})
    assert bad.status_code == 422
    assert bad.json()["field"] == "sol_min"
    future = client.post("/api/sleep", json={**DIARY, "wake_date": "2024-11-03"})
    assert future.status_code == 422
    assert future.json()["field"] == "wake_date"

    edited = client.put("/api/sleep/2024-11-02", json={**DIARY, "quality": 2, "comments": ""})
    assert edited.status_code == 200
    assert edited.json()["quality_label"] == "poor"
    later = client.get("/api/sleep/defaults", params={"wake_date": "2024-11-03"}).json()
    assert later["from_date"] == "2024-11-02"
    assert later["into_bed"] == "23:05"
    assert client.delete("/api/sleep/2024-11-02").status_code == 204
    assert client.get("/api/sleep").json() == []
    assert client.get("/api/sleep/2024-11-02").status_code == 404


def test_an_export_past_the_memory_limit_is_served_whole(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export is written to a file once it outgrows its memory, then sent in pieces; the
    answer is the same document, with its length, as when it is held in memory."""
    client.screen()
    client.start(before_stress=4)
    client.post("/api/sleep", json=DIARY)
    in_memory = client.get("/api/export")
    monkeypatch.setattr(transfer, "_EXPORT_IN_MEMORY", 100)
    monkeypatch.setattr(transfer, "_EXPORT_CHUNK", 7)
    on_disk = client.get("/api/export")
    assert on_disk.status_code == 200
    assert on_disk.headers["content-type"] == "application/json"
    assert int(on_disk.headers["content-length"]) == len(on_disk.content) > 700
    assert on_disk.content == in_memory.content
    assert on_disk.json()["diary"][0]["wake_date"] == DIARY["wake_date"]


def test_an_export_is_still_served_when_no_temporary_file_can_be_made(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full or read-only temporary folder does not stop a person taking their journal out:
    the export is then written in memory, whole."""
    client.screen()
    client.post("/api/sleep", json=DIARY)
    expected = client.get("/api/export").content
    monkeypatch.setattr(transfer, "_EXPORT_IN_MEMORY", 100)

    def no_room(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "TemporaryFile", no_room)
    answer = client.get("/api/export")
    assert answer.status_code == 200
    assert answer.content == expected


def test_export_import_and_backup(client: Client) -> None:
    client.screen()
    doc = client.start(before_stress=4)
    client.post("/api/sleep", json=DIARY)
    exported = client.get("/api/export", params={"download": True})
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    data = exported.json()
    assert len(data["sessions"]) == 1
    assert len(data["diary"]) == 1

    again = client.post("/api/import", json=data)
    assert again.status_code == 200, again.text
    assert sum(again.json()["added"].values()) == 0  # importing twice changes nothing

    broken = json.loads(json.dumps(data))
    broken["ratings"][0]["stress"] = 99
    before = client.export()
    refused = client.post("/api/import", json=broken)
    assert refused.status_code == 422
    assert refused.json()["field"] == "data"
    assert "ratings row 1" in refused.json()["detail"]
    assert client.export() == before

    backup = client.get("/api/backup")
    assert backup.status_code == 200
    assert "attachment" in backup.headers["content-disposition"]
    assert len(backup.content) > 100
    assert client.delete(f"/api/sessions/{doc['session']['id']}").status_code == 204
    assert client.get("/api/sessions").json() == []


def test_cue_audio_only_for_planned_cues(client: Client) -> None:
    client.screen()
    doc = client.start()
    digest = doc["audio"]["And release."]
    ogg = client.get(f"/api/speech/{digest}.ogg")
    assert ogg.status_code == 200
    assert ogg.content[:4] == b"OggS"
    assert "immutable" in ogg.headers["cache-control"]
    wav = client.get(f"/api/speech/{digest}.wav")
    assert wav.status_code == 200
    assert wav.content[:4] == b"RIFF"
    unknown = client.get(f"/api/speech/{'0' * 24}.ogg")
    assert unknown.status_code == 404
    assert unknown.json()["field"] == "digest"
    assert client.get(f"/api/speech/{digest}.mp3").status_code == 422


def test_plan_takes_wording_and_counts(client: Client) -> None:
    params = {"minutes": 12, "wording": "brief", "counts": "ticks"}
    response = client.get("/api/plan", params=params)
    assert response.status_code == 200
    expected = plan(builtin_routine(), PlanOptions(minutes=12, wording="brief", counts="ticks"))
    assert Timeline.from_dict(response.json()) == expected
    assert any(cue.kind == "tick" for cue in expected.cues)


def test_ticked_counts_get_no_cue_audio(client: Client) -> None:
    client.screen()
    doc = client.start(counts="ticks")
    assert doc["session"]["options"]["counts"] == "ticks"
    cues = [c for s in doc["timeline"]["segments"] for c in s["cues"]]
    ticked = {c["text"] for c in cues if c["kind"] == "tick"}
    said = {c["text"] for c in cues if c["kind"] != "tick"}
    assert ticked
    assert set(doc["audio"]) == said
    digest = text_digest(next(iter(ticked - said)))
    assert client.get(f"/api/speech/{digest}.ogg").status_code == 404


def _complete(client: Client, times: int) -> None:
    for _ in range(times):
        session_id = client.start()["session"]["id"]
        finished = client.post(f"/api/sessions/{session_id}/finish", json={"status": "completed"})
        assert finished.status_code == 200, finished.text


def test_an_unchosen_wording_turns_brief_after_five_completed_sessions(client: Client) -> None:
    from solemate.wording_service import FAMILIAR_AFTER

    client.screen()
    _complete(client, FAMILIAR_AFTER - 1)
    interrupted = client.start()["session"]["id"]
    client.post(f"/api/sessions/{interrupted}/finish", json={"status": "interrupted"})
    assert client.start()["session"]["options"]["wording"] == "full"
    _complete(client, 1)
    assert client.start()["session"]["options"]["wording"] == "brief"
    assert client.start(wording="full")["session"]["options"]["wording"] == "full"
    assert client.start(wording=None)["session"]["options"]["wording"] == "brief"


def test_every_question_needs_an_answer_and_tonight_is_checked(client: Client) -> None:
    partial = client.post("/api/safety", json={"answers": {"fever": False, "gout": False}})
    assert partial.status_code == 422
    missing = {e["field"] for e in partial.json()["errors"] if e["type"] == "missing"}
    assert missing == {f"answers.{q.id}" for q in QUESTIONS if q.id not in ("fever", "gout")}
    state = client.screen(tonight=False, confirm=False, heart=True)
    assert state["tonight_prompt"] == "Anything new tonight?"
    assert not state["may_start"]
    refused = client.post("/api/sessions", json={"minutes": 12})
    assert refused.status_code == 409
    assert "Anything new tonight?" in refused.json()["detail"]
    state = client.post("/api/safety/tonight", json={"new": []}).json()
    assert state["checked_tonight"]
    assert state["needs_confirm"]
    refused = client.post("/api/sessions", json={"minutes": 12})
    assert "check with a clinician first" in refused.json()["detail"]
    state = client.post("/api/safety/confirm").json()
    assert state["may_start"]
    assert state["confirmed_on"]
    assert client.get("/api/safety").json()["confirmed_on"] == state["confirmed_on"]
    client.start()
    bad = client.post("/api/safety/tonight", json={"new": ["mars"]})
    assert bad.status_code == 422
    new = client.post("/api/safety/tonight", json={"new": ["gout"]}).json()
    assert not new["may_start"]
    assert "gout flare" in new["refusal"]


def test_a_stale_session_id_never_reaches_a_newer_session(client: Client) -> None:
    client.screen()
    old = client.start(minutes=12)["session"]["id"]
    assert client.delete(f"/api/sessions/{old}").status_code == 204
    new = client.start(minutes=12)["session"]["id"]
    assert new != old
    before = client.export()
    stale = client.post(f"/api/sessions/{old}/ratings", json={"moment": "after", "stress": 3})
    assert stale.status_code == 404
    assert stale.json()["detail"].endswith(f"no session with id {old}")
    assert client.export() == before


def test_two_starts_leave_one_session_in_progress(client: Client) -> None:
    client.screen()
    first = client.start(minutes=12)["session"]["id"]
    second = client.start(minutes=12)["session"]["id"]
    listed = {s["id"]: s["status"] for s in client.get("/api/sessions").json()}
    assert listed == {first: "interrupted", second: "in_progress"}
    late = client.post(f"/api/sessions/{first}/progress", json={"segment": 1})
    assert late.status_code == 409
    assert "interrupted, not in progress" in late.json()["detail"]


def test_dates_and_times_are_text_not_numbers(client: Client) -> None:
    before = client.export()
    for field, value in (
        ("wake_date", 0),
        ("wake_date", "0"),
        ("wake_date", "-1.19e-07"),
        ("wake_date", 1730505600),
        ("into_bed", 0),
        ("out_of_bed", 25200),
    ):
        response = client.post("/api/sleep", json={**DIARY, field: value})
        assert response.status_code == 422, (field, value, response.text)
        assert response.json()["field"] == field
    for value in ("-1.19e-07", "0", "20241102", "9999-12-31"):
        defaults = client.get("/api/sleep/defaults", params={"wake_date": value})
        assert defaults.status_code == 422, (value, defaults.text)
        assert defaults.json()["field"] == "wake_date"
    assert client.get("/api/sleep/0").status_code == 422
    assert client.export() == before


def test_only_canonical_iana_zones_are_accepted(client: Client) -> None:
    before = client.export()
    for zone in ("localtime", "posixrules", "Factory", "right/UTC", "posix/Europe/Berlin"):
        response = client.post("/api/sleep", json={**DIARY, "zone": zone})
        assert response.status_code == 422, (zone, response.text)
        assert response.json()["field"] == "zone"
        assert f"unknown time zone '{zone}'" in response.json()["detail"]
    assert client.export() == before
    assert client.post("/api/sleep", json={**DIARY, "zone": "Etc/UTC"}).status_code == 201


def test_the_last_sessions_come_with_their_ratings_read_from_the_first_shown(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A short list (the player asks for the last 62) reads the ratings of what it shows, not of
    the whole journal's years."""
    client.screen()
    ids = []
    for before in (5, 6, 7):
        sid = client.start(before_stress=before)["session"]["id"]
        client.post(f"/api/sessions/{sid}/finish", json={"status": "completed"})
        client.post(f"/api/sessions/{sid}/ratings", json={"moment": "after", "stress": before - 3})
        ids.append(sid)
    journal = client.http.app.state.services.journal  # type: ignore[attr-defined]
    asked: list[dict[str, object]] = []
    read = journal.ratings

    def ratings(**query: Any) -> Any:
        asked.append(query)
        return read(**query)

    monkeypatch.setattr(journal, "ratings", ratings)
    shown = client.get("/api/sessions?last=2").json()
    assert [(s["id"], s["before_stress"], s["after_stress"]) for s in shown] == [
        (ids[1], 6, 3),
        (ids[2], 7, 4),
    ]
    assert asked == [{"from_session": ids[1]}]
