"""Garbage into every endpoint: a 4xx that names the field, and nothing half-written."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import Client
from tests.web.test_api import DIARY

NOT_JSON = "not json at all {"

# (method, path, body or raw text, the field the answer must name)
Case = tuple[str, str, Any, str]


def _cases(session_id: int) -> list[Case]:
    s = f"/api/sessions/{session_id}"
    answers = {"fever": False}
    cases: list[Case] = [
        ("POST", "/api/safety", NOT_JSON, "body"),
        ("POST", "/api/safety", [], "body"),
        ("POST", "/api/safety", {}, "answers"),
        ("POST", "/api/safety", {"answers": answers}, "answers.calf-clot"),
        ("POST", "/api/safety", {"answers": {"fever": "yes"}}, "answers.fever"),
        ("POST", "/api/safety", {"answers": {"fever": 1}}, "answers.fever"),
        ("POST", "/api/safety", {"answers": {"mars": True}}, "answers.mars"),
        ("POST", "/api/sessions", NOT_JSON, "body"),
        ("POST", "/api/sessions", None, "body"),
        ("POST", "/api/sessions", {"minutes": "twelve"}, "minutes"),
        ("POST", "/api/sessions", {"minutes": -3}, "minutes"),
        ("POST", "/api/sessions", {"minutes": 1e308}, "minutes"),
        ("POST", "/api/sessions", {"minutes": 2}, "minutes"),
        ("POST", "/api/sessions", {"minutes": 12, "preset": "full"}, "preset"),
        ("POST", "/api/sessions", {"preset": "weekly"}, "preset"),
        ("POST", "/api/sessions", {"voice": "robot"}, "voice"),
        ("POST", "/api/sessions", {"first_foot": "middle"}, "first_foot"),
        ("POST", "/api/sessions", {"before_stress": 11}, "before_stress"),
        ("POST", "/api/sessions", {"before_stress": "5"}, "before_stress"),
        ("POST", "/api/sessions", {"before_stress": 2.5}, "before_stress"),
        ("POST", "/api/sessions", {"colour": "blue"}, "colour"),
        ("POST", "/api/sessions", {"wording": "chatty"}, "wording"),
        ("POST", "/api/sessions", {"wording": 1}, "wording"),
        ("POST", "/api/sessions", {"counts": "beeps"}, "counts"),
        ("POST", "/api/sessions", {"counts": None}, "counts"),
        ("POST", f"{s}/progress", NOT_JSON, "body"),
        ("POST", f"{s}/progress", {}, "segment"),
        ("POST", f"{s}/progress", {"segment": -1}, "segment"),
        ("POST", f"{s}/progress", {"segment": "3"}, "segment"),
        ("POST", f"{s}/progress", {"segment": 10**12}, "segment"),
        ("POST", f"{s}/progress", {"segment": 40}, "segment"),
        ("POST", "/api/sessions/0/progress", {"segment": 1}, "session_id"),
        ("POST", "/api/sessions/abc/progress", {"segment": 1}, "session_id"),
        ("POST", f"/api/sessions/{2**40}/progress", {"segment": 1}, "session_id"),
        ("POST", f"{s}/progress", {"segment": 1, "played_seconds": -1}, "played_seconds"),
        ("POST", f"{s}/progress", '{"segment": 1, "played_seconds": NaN}', "played_seconds"),
        ("POST", f"{s}/progress", '{"segment": 1, "played_seconds": Infinity}', "played_seconds"),
        ("POST", f"{s}/progress", {"segment": 1, "played_seconds": "12"}, "played_seconds"),
        ("POST", f"{s}/progress", {"segment": 1, "played_seconds": 1e308}, "played_seconds"),
        ("POST", f"{s}/progress", {"segment": 1, "played_seconds": 86_401}, "played_seconds"),
        ("POST", f"{s}/progress", {"segment": 1, "played_seconds": True}, "played_seconds"),
        ("POST", f"{s}/finish", {"status": "done"}, "status"),
        ("POST", f"{s}/finish", {"played_seconds": -0.5}, "played_seconds"),
        ("POST", f"{s}/finish", '{"status": "completed", "played_seconds": NaN}', "played_seconds"),
        ("POST", f"{s}/finish", {"played_seconds": "all of it"}, "played_seconds"),
        ("POST", f"{s}/finish", {"played_seconds": 10**400}, "played_seconds"),
        ("POST", f"{s}/finish", {"played_seconds": [1]}, "played_seconds"),
        ("POST", f"{s}/finish", [1, 2], "body"),
        ("POST", f"{s}/ratings", {"moment": "during", "stress": 3}, "moment"),
        ("POST", f"{s}/ratings", {"moment": "after", "stress": -1}, "stress"),
        ("POST", f"{s}/ratings", {"moment": "after", "stress": True}, "stress"),
        ("POST", f"{s}/ratings", {"moment": "after"}, "stress"),
        ("POST", "/api/sessions/9999/ratings", {"moment": "after", "stress": 3}, "id"),
        ("POST", "/api/sleep", NOT_JSON, "body"),
        ("POST", "/api/sleep", {**DIARY, "wake_date": "yesterday"}, "wake_date"),
        ("POST", "/api/sleep", {**DIARY, "wake_date": "2024-10-30", "zone": "Mars/Base"}, "zone"),
        (
            "POST",
            "/api/sleep",
            {**DIARY, "wake_date": "2024-10-30", "into_bed": "25:00"},
            "into_bed",
        ),
        (
            "POST",
            "/api/sleep",
            {**DIARY, "wake_date": "2024-10-30", "into_bed": "2024-10-29T23:00:00+05:00"},
            "into_bed",
        ),
        (
            "POST",
            "/api/sleep",
            {**DIARY, "wake_date": "2024-10-30", "sol_min": "twenty"},
            "sol_min",
        ),
        ("POST", "/api/sleep", {**DIARY, "wake_date": "2024-10-30", "quality": 9}, "quality"),
        (
            "POST",
            "/api/sleep",
            {**DIARY, "wake_date": "2024-10-30", "awakenings": -2},
            "awakenings",
        ),
        (
            "POST",
            "/api/sleep",
            {**DIARY, "wake_date": "2024-10-30", "out_of_bed": "22:00"},
            "out_of_bed",
        ),
        (
            "POST",
            "/api/sleep",
            {**DIARY, "wake_date": "2024-10-30", "comments": "x" * 2001},
            "comments",
        ),
        ("POST", "/api/sleep", {**DIARY, "wake_date": "2024-10-30", "mood": "ok"}, "mood"),
        ("POST", "/api/sleep", DIARY, "wake_date"),  # that night already has an entry
        ("POST", "/api/sleep", {**DIARY, "wake_date": "0001-01-01"}, "wake_date"),
        ("POST", "/api/sleep", {**DIARY, "into_bed": "9999-12-31T23:00"}, "into_bed"),
        ("PUT", "/api/sleep/2024-11-02", {**DIARY, "waso_min": 900}, "waso_min"),
        ("PUT", "/api/sleep/not-a-date", DIARY, "wake_date"),
        ("PUT", "/api/sleep/2024-10-01", DIARY, "wake_date"),
        ("DELETE", "/api/sleep/2024-10-01", None, "wake_date"),
        ("DELETE", "/api/ratings/0", None, "rating_id"),
        ("DELETE", "/api/sessions/9999", None, "id"),
        ("POST", "/api/import", NOT_JSON, "body"),
        ("POST", "/api/import", [], "body"),
        ("POST", "/api/import", {"format": "something else"}, "data"),
        ("POST", "/api/import?skip_bad=perhaps", {}, "skip_bad"),
        ("GET", "/api/plan?minutes=abc", None, "minutes"),
        ("GET", "/api/plan?minutes=nan", None, "minutes"),
        ("GET", "/api/plan?voice=robot", None, "voice"),
        ("GET", "/api/plan?gentle=perhaps", None, "gentle"),
        ("GET", "/api/plan?wording=chatty", None, "wording"),
        ("GET", "/api/plan?counts=beeps", None, "counts"),
        ("GET", "/api/sessions?last=-1", None, "last"),
        ("GET", "/api/sleep?last=abc", None, "last"),
        ("GET", "/api/sleep/defaults?wake_date=tomorrow", None, "wake_date"),
        ("GET", "/api/speech/xyz.ogg", None, "digest"),
    ]
    return cases


def _send(client: Client, method: str, path: str, body: Any) -> Any:
    kwargs: dict[str, Any] = {}
    if isinstance(body, str):
        kwargs = {"content": body, "headers": {"content-type": "application/json"}}
    elif body is not None or method in ("POST", "PUT"):
        kwargs = {"json": body}
    return {"GET": client.get, "POST": client.post, "PUT": client.put, "DELETE": client.delete}[
        method
    ](path, **kwargs)


def test_every_endpoint_refuses_garbage_by_field_and_writes_nothing(client: Client) -> None:
    client.screen()
    session_id = client.start(before_stress=5)["session"]["id"]
    assert client.post("/api/sleep", json=DIARY).status_code == 201
    before = client.export()
    wrong = []
    for method, path, body, field in _cases(session_id):
        response = _send(client, method, path, body)
        answer = (
            response.json()
            if response.headers.get("content-type", "").startswith("application/json")
            else {}
        )
        if (
            not (400 <= response.status_code < 500)
            or answer.get("field") != field
            or field not in answer.get("detail", "")
        ):
            wrong.append(f"{method} {path} {str(body)[:60]!r}: {response.status_code} {answer}")
    assert not wrong, "\n".join(wrong)
    assert client.export() == before


def test_bodies_over_the_limit_are_refused_before_reading(client: Client) -> None:
    big = '{"segment": 1, "pad": "' + "x" * 70_000 + '"}'
    response = client.post(
        "/api/sessions/1/progress", content=big, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["field"] == "body"


def test_streamed_bodies_are_cut_at_the_limit(client: Client) -> None:
    def chunks() -> Any:
        for _ in range(100):
            yield b"x" * 1024

    response = client.post(
        "/api/safety", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413, response.text


def test_a_bad_wording_or_counts_says_what_is_allowed(client: Client) -> None:
    client.screen()
    for path, kwargs in [
        ("/api/sessions", {"json": {"minutes": 12, "wording": "chatty"}}),
        ("/api/plan?minutes=12&wording=chatty", {}),
    ]:
        send = client.post if path == "/api/sessions" else client.get
        answer = send(path, **kwargs)
        assert answer.status_code == 422
        assert answer.json()["field"] == "wording"
        assert "'full' or 'brief'" in answer.json()["detail"], answer.json()
    ticks = client.get("/api/plan?minutes=12&counts=beeps").json()
    assert "'voice' or 'ticks'" in ticks["detail"], ticks
