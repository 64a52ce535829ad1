"""Sessions as they happened, through the API: played time, the 80 % rule, sessions left open."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from solemate.web import WebConfig
from tests.journal.conftest import FakeClock
from tests.web.conftest import Client


def _step_segment(doc: dict[str, object], nth: int = 0) -> int:
    timeline = doc["timeline"]
    assert isinstance(timeline, dict)
    steps = [s["index"] for s in timeline["segments"] if s["kind"] == "action" and s["step"]]
    return int(steps[nth])


def test_a_session_skipped_through_is_recorded_as_skipped_with_its_played_time(
    client: Client, clock: FakeClock
) -> None:
    client.screen()
    doc = client.start(minutes=12)
    sid = doc["session"]["id"]
    clock.advance(seconds=4)
    progress = client.post(
        f"/api/sessions/{sid}/progress",
        json={"segment": _step_segment(doc), "played_seconds": 3.5},
    )
    assert progress.status_code == 200, progress.text
    clock.advance(seconds=6)
    # The page says it reached the end and claims it all: the server holds it to the clock.
    done = client.post(
        f"/api/sessions/{sid}/finish", json={"status": "completed", "played_seconds": 720}
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["played_seconds"]) == ("skipped", 10)
    listed = client.get("/api/sessions").json()
    assert [(s["status"], s["played_seconds"], s["planned_seconds"]) for s in listed] == [
        ("skipped", 10, 720)
    ]
    # The Journal page shows it as skipped, with its played time.
    page = client.get("/journal").text
    assert "skipped" in page
    assert "played 10 s" in page


def test_a_session_played_to_80_percent_is_completed(client: Client, clock: FakeClock) -> None:
    client.screen()
    sid = client.start(minutes=12)["session"]["id"]
    clock.advance(minutes=13)
    done = client.post(
        f"/api/sessions/{sid}/finish", json={"status": "completed", "played_seconds": 576}
    )
    assert (done.json()["status"], done.json()["played_seconds"]) == ("completed", 576)
    short = client.start(minutes=12)["session"]["id"]
    clock.advance(minutes=13)
    done = client.post(
        f"/api/sessions/{short}/finish", json={"status": "completed", "played_seconds": 575}
    )
    assert done.json()["status"] == "skipped"
    stopped = client.start(minutes=12)["session"]["id"]
    clock.advance(minutes=2)
    done = client.post(
        f"/api/sessions/{stopped}/finish", json={"status": "interrupted", "played_seconds": 100}
    )
    assert (done.json()["status"], done.json()["played_seconds"]) == ("interrupted", 100)


def test_played_time_only_grows_and_a_new_start_closes_the_old_at_its_last_step(
    client: Client, clock: FakeClock
) -> None:
    client.screen()
    doc = client.start(minutes=12)
    sid = doc["session"]["id"]
    clock.advance(seconds=60)
    first_step = _step_segment(doc)
    assert client.post(
        f"/api/sessions/{sid}/progress", json={"segment": first_step, "played_seconds": 55}
    ).json()["recorded"]
    at_step = client.get(f"/api/sessions/{sid}").json()["session"]["progress_at"]
    clock.advance(seconds=5)
    # A late, smaller report (an outbox flushed out of order) does not lower it.
    client.post(f"/api/sessions/{sid}/progress", json={"segment": 0, "played_seconds": 20})
    clock.advance(minutes=30)  # the browser was closed
    client.start(minutes=12)
    old = client.get(f"/api/sessions/{sid}").json()["session"]
    assert (old["status"], old["played_seconds"], old["ended_at"]) == (
        "interrupted",
        55,
        at_step,
    )


def test_a_session_left_open_six_hours_is_interrupted_when_next_listed(
    client: Client, clock: FakeClock
) -> None:
    client.screen()
    doc = client.start(minutes=12)
    sid = doc["session"]["id"]
    clock.advance(seconds=30)
    client.post(
        f"/api/sessions/{sid}/progress", json={"segment": _step_segment(doc), "played_seconds": 28}
    )
    clock.advance(hours=5)
    assert client.get("/api/sessions").json()[0]["status"] == "in_progress"
    clock.advance(hours=1, seconds=1)
    (listed,) = client.get("/api/sessions").json()
    assert (listed["status"], listed["played_seconds"]) == ("interrupted", 28)
    late = client.post(f"/api/sessions/{sid}/finish", json={"status": "completed"})
    assert late.status_code == 409


def test_the_journal_command_shows_played_time_and_unknown(
    client: Client, clock: FakeClock, config: WebConfig
) -> None:
    from solemate.cli.app import _register, app

    client.screen()
    sid = client.start(minutes=12)["session"]["id"]
    clock.advance(seconds=90)
    client.post(f"/api/sessions/{sid}/finish", json={"status": "completed", "played_seconds": 90})
    old = client.start(minutes=12)["session"]["id"]
    clock.advance(minutes=12)
    client.post(f"/api/sessions/{old}/finish", json={"status": "completed"})  # no played time
    url = config.database_url
    assert url is not None
    _register()
    runner = CliRunner()
    as_json = runner.invoke(app, ["journal", "--format", "json", "--database", url])
    assert as_json.exit_code == 0, as_json.output
    sessions = json.loads(as_json.stdout)["sessions"]
    assert [(s["status"], s["played_min"]) for s in sessions] == [
        ("skipped", 1.5),
        ("completed", None),
    ]
    as_csv = runner.invoke(app, ["journal", "--format", "csv", "--database", url])
    assert as_csv.exit_code == 0, as_csv.output
    rows = [r for r in csv.DictReader(io.StringIO(as_csv.stdout)) if r["kind"] == "sessions"]
    assert [(r["status"], r["played_min"]) for r in rows] == [("skipped", "1.5"), ("completed", "")]
    table = runner.invoke(app, ["journal", "--database", url], env={"COLUMNS": "120"})
    assert table.exit_code == 0, table.output
    assert "played" in table.stdout
    assert "unknown" in table.stdout
