"""The web player on the server's track: it keeps going with the screen off, and fits a phone.

Chromium plays the track in an <audio> element. "Screen off" is emulated the way a phone treats a
page: ``document.visibilityState`` is 'hidden' and the page's timers are frozen (a setTimeout made
while hidden runs only once the page is visible again), so only the media element's own events
move the session on. The journal must have the right progress afterwards, and the played time
sent must be the time the track actually played.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from solemate import safety_service, tonight
from solemate.plan import PlanOptions
from solemate.safety import QUESTIONS
from solemate.web import WebConfig, create_app
from solemate.web.services import Services
from tests.web.browser import PHONE, answer_safety_in_page, screenshot, wait_until
from tests.web.live_server import LiveServer
from tests.web.test_browser import chromium, get_json, open_page  # noqa: F401  (fixture)
from tests.web.test_layout_browser import SIZES, inside, overflow

# A phone's screen going off: hidden, and timers frozen until it comes back.
SCREEN = """
(() => {
  let hidden = false;
  const realTimeout = window.setTimeout.bind(window);
  const parked = [];
  Object.defineProperty(Document.prototype, "visibilityState", {
    configurable: true, get() { return hidden ? "hidden" : "visible"; },
  });
  Object.defineProperty(Document.prototype, "hidden", {
    configurable: true, get() { return hidden; },
  });
  window.setTimeout = (fn, ms, ...args) => {
    if (hidden) { parked.push([fn, args]); return 0; }
    return realTimeout(fn, ms, ...args);
  };
  window.__parked = () => parked.length;
  window.__screen = (off) => {
    hidden = off;
    if (!off) for (const [fn, args] of parked.splice(0)) realTimeout(fn, 0, ...args);
    document.dispatchEvent(new Event("visibilitychange"));
  };
})();
"""

SPEED = 16  # the fastest a media element plays


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, speech_cache: Path) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("track")
    config = WebConfig(
        data_dir=folder / "data",
        database_url=f"sqlite:///{folder / 'journal.sqlite3'}",
        speech_cache_dir=speech_cache,
        test_clock=True,
    )
    with LiveServer(create_app(config)) as live:
        yield live


def services_of(live: LiveServer) -> Services:
    app: Any = live.server.config.app
    found: Services = app.state.services
    return found


def start_in_server(live: LiveServer, before: int | None = 6) -> int:
    services = services_of(live)
    today = services.today()
    safety_service.record_screen(services.journal, today, {q.id: False for q in QUESTIONS})
    safety_service.record_tonight(services.journal, today, [])
    session_id, _ = tonight.start_session(
        services.journal, services.planner, PlanOptions(minutes=12), today, before
    )
    return int(session_id)


def wait_for_track(live: LiveServer, session_id: int) -> None:
    services = services_of(live)
    track = get_json(live, f"/api/sessions/{session_id}")["track"]
    state = services.tracks.wait(track["status_url"].rsplit("/", 1)[1], timeout=120)
    assert state is not None
    assert state.state == "ready"


def posted(requests: list[Any], what: str) -> list[dict[str, Any]]:
    return [json.loads(r.post_data) for r in requests if r.url.endswith(f"/{what}")]


def test_the_track_plays_on_with_the_screen_off(chromium: Any, server: LiveServer) -> None:  # noqa: F811
    context, page, problems = open_page(chromium, PHONE)
    context.add_init_script(SCREEN)
    requests: list[Any] = []
    page.on("request", lambda r: requests.append(r) if r.method == "POST" else None)
    page.goto(f"{server.url}/?speed={SPEED}")
    answer_safety_in_page(page)
    page.click(".stress label:has-text('6')")
    page.click("#start")
    page.wait_for_selector("#player:not([hidden])")
    session_id = int(page.url.split("session=")[1].split("&")[0])
    wait_until(page, "(window.solemateLog || []).some(e => e.event === 'track')", timeout=120)
    assert page.evaluate("document.getElementById('p-track').paused") is False

    page.evaluate("window.__screen(true)")
    hidden_at = page.evaluate("window.solemate.player.position()")
    entered_before = page.evaluate("window.solemateLog.filter(e => e.event === 'enter').length")
    # Until the track has gone 40 s on and the page has posted a step reached 20 s after the
    # screen went off: waited for, not slept, as a loaded machine plays fewer seconds a second.
    # (``wait_for_timeout`` lets Playwright deliver the request events meanwhile.)
    deadline = time.monotonic() + 60
    while not (
        page.evaluate("window.solemate.player.position()") > hidden_at + 40
        and any(p["played_seconds"] > hidden_at + 20 for p in posted(requests, "progress"))
    ):
        assert time.monotonic() < deadline, "the track stopped, or no step was posted, screen off"
        page.wait_for_timeout(100)
    state = page.evaluate(
        """() => ({pos: window.solemate.player.position(), parked: window.__parked(),
                   hidden: document.visibilityState,
                   entered: window.solemateLog.filter(e => e.event === 'enter').length})"""
    )
    assert state["hidden"] == "hidden"
    assert state["parked"] > 0  # the page's own timers were frozen
    assert state["pos"] > hidden_at + 40, state  # the track went on regardless
    assert state["entered"] > entered_before  # and the page followed it into new parts
    wait_until(page, "JSON.parse(localStorage.getItem('solemate.outbox') || '[]').length === 0")
    doc = get_json(server, f"/api/sessions/{session_id}")
    segments = doc["timeline"]["segments"]
    here = next(s for s in segments if s["start"] <= state["pos"] < s["end"])
    reached = max(
        (s for s in segments if s["kind"] == "action" and s["start"] <= here["start"]),
        key=lambda s: s["start"],
    )
    session = doc["session"]
    # Recorded while hidden: the journal is at the step playing (or the one just before it,
    # when the page is between a part's start and its post).
    assert (session["foot"], session["step"]) in {
        (reached["foot"], reached["step"]),
        (reached["foot"], reached["step"] - 1),
    }
    progress = posted(requests, "progress")
    assert progress
    assert progress[-1]["played_seconds"] > hidden_at + 20

    # A skip forward is not played time. Read in one go in the page: between separate calls
    # the track goes on playing at 16x, 5 s of session for a third of a second's round trips.
    gained = page.evaluate(
        """() => { const p = window.solemate.player, before = p.playedSeconds();
                   p.nextStep(); p.nextStep(); return p.playedSeconds() - before; }"""
    )
    assert gained < 0.5

    page.evaluate("window.__screen(false)")
    page.wait_for_selector("#p-done:not([hidden])", timeout=90_000)
    assert page.evaluate("document.activeElement.id") == "done-h"
    outline = page.evaluate("getComputedStyle(document.getElementById('done-h')).outlineStyle")
    assert outline == "none"
    wait_until(page, "document.getElementById('done-summary').textContent.includes('night')")
    summary = page.text_content("#done-summary")
    screenshot(page, "track-done")
    page.click("#after-form .scale label:has-text('3')")
    page.click("#after-form button[type=submit]")
    wait_until(page, "document.getElementById('done-summary').textContent.includes('6 → 3')")
    wait_until(page, "JSON.parse(localStorage.getItem('solemate.outbox') || '[]').length === 0")
    finish = posted(requests, "finish")[-1]
    total = doc["timeline"]["total"]
    skipped = finish["played_seconds"]
    assert finish["status"] == "completed"
    # Played: everything but the two skipped parts (and nothing twice).
    assert 0.4 * total < skipped < total
    assert summary.startswith(f"{skipped // 60:.0f}:")  # "11:02 played · …"
    assert "played" in summary
    assert "1 night this month" in summary
    assert get_json(server, f"/api/sessions/{session_id}")["session"]["status"] == "completed"
    assert problems == []
    context.close()


def show_at(page: Any, position: float) -> None:
    page.evaluate(f"window.solemate.player.seek({position})")
    page.evaluate("window.solemate.player.loop()")


def open_paused_player(
    browser: Any, live: LiveServer, device: dict[str, Any]
) -> tuple[Any, Any, list[str], dict[str, Any]]:
    session_id = start_in_server(live)
    wait_for_track(live, session_id)
    context, page, problems = open_page(browser, device)
    page.goto(f"{live.url}/play?session={session_id}&speed={SPEED}")
    page.click("#btn-sound")
    wait_until(page, "(window.solemateLog || []).some(e => e.event === 'track')", timeout=60)
    page.evaluate("window.solemate.player.pause()")
    doc = get_json(live, f"/api/sessions/{session_id}")
    return context, page, problems, doc["timeline"]


def test_counts_and_instructions_on_screen(chromium: Any, server: LiveServer) -> None:  # noqa: F811
    context, page, problems, timeline = open_paused_player(chromium, server, PHONE)
    segments = timeline["segments"]
    # The words change with the title, from the part's first moment.
    for seg in [s for s in segments if s["kind"] == "action"][:6]:
        show_at(page, seg["start"] + 0.05)
        assert page.text_content("#step-title") == seg["title"]
        assert page.text_content("#cue") == seg["instruction"]
        assert page.text_content("#p-count") == ""
    circles = next(s for s in segments if s["action_name"] == "Ankle circles")
    counts = {c["n"]: c["at"] for c in circles["cues"] if c["kind"] == "count"}
    expected = {
        1: "Circle 1 of 5 · clockwise",
        3: "Circle 3 of 5 · clockwise",
        6: "Circle 1 of 5 · counterclockwise",
        7: "Circle 2 of 5 · counterclockwise",
    }
    for n, text in expected.items():
        show_at(page, counts[n] + 0.3)
        assert page.text_content("#p-count") == text
        assert page.text_content("#cue") == circles["instruction"]  # still there beside it
    screenshot(page, "track-counts")
    toes = next(s for s in segments if s["action_name"] == "Rotate each toe, gentle traction")
    second = next(c for c in toes["cues"] if c["kind"] == "count" and c["n"] == 2)
    show_at(page, second["at"] + 0.3)
    assert page.text_content("#p-count") == "The second toe · 2 of 5"
    assert problems == []
    context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_the_player_fits_at_every_moment(chromium: Any, server: LiveServer, size: str) -> None:  # noqa: F811
    context, page, problems, timeline = open_paused_player(chromium, server, SIZES[size])
    segments = timeline["segments"]
    longest = max(
        (s for s in segments if s["kind"] == "action"), key=lambda s: len(s["instruction"])
    )
    circles = next(s for s in segments if s["action_name"] == "Ankle circles")
    moments = {
        "opening": 0.5,
        "longest-words": longest["start"] + 1,
        "counting": next(c["at"] for c in circles["cues"] if c.get("n") == 3) + 0.3,
        "between-feet": next(s["start"] for s in segments if s["kind"] == "between-feet") + 0.5,
        "closing": segments[-1]["start"] + 0.5,
    }
    for name, position in moments.items():
        show_at(page, position)
        path = screenshot(page, f"track-{name}")
        for selector in (
            "#step-title",
            "#ring-time",
            "#cue",
            "#btn-back",
            "#btn-pause",
            "#btn-next",
        ):
            assert inside(page, selector), f"{selector} is outside {size} at {name} ({path.name})"
        assert overflow(page) == 0, f"{name} scrolls sideways at {size}"
    page.evaluate("window.solemate.player.finish('completed')")
    page.wait_for_selector("#p-done:not([hidden])")
    wait_until(page, "document.getElementById('done-summary').textContent.includes('played')")
    screenshot(page, "track-summary")
    assert inside(page, "#done-h")
    assert inside(page, "#done-summary")
    assert overflow(page) == 0
    assert problems == []
    context.close()
