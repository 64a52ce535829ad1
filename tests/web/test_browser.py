"""The web app in Debian's Chromium: a whole nightly session on a phone with the clock sped up,
keyboard-only use, reload and resume, the audio fallback, and the player offline.

Screenshots at 390×844 and 1280×800 are saved in ``tests/web/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from solemate.web import WebConfig, create_app
from tests.web.browser import (
    CHROMIUM,
    DESKTOP,
    PHONE,
    answer_safety_in_page,
    entered,
    screenshot,
    wait_until,
)
from tests.web.live_server import LiveServer

if not Path(CHROMIUM).exists():  # pragma: no cover - depends on the machine
    pytest.fail("Debian's chromium is missing: apt-get install chromium", pytrace=False)


#: A night typed into the empty first-morning form.
FIRST_NIGHT = {
    "into_bed": "23:05",
    "tried_to_sleep": "23:15",
    "sol_min": "20",
    "awakenings": "1",
    "waso_min": "10",
    "final_awakening": "06:40",
    "out_of_bed": "07:00",
}


def make_server(folder: Path, speech_cache: Path) -> LiveServer:
    config = WebConfig(
        data_dir=folder / "data",
        database_url=f"sqlite:///{folder / 'journal.sqlite3'}",
        speech_cache_dir=speech_cache,
        test_clock=True,
    )
    return LiveServer(create_app(config))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, speech_cache: Path) -> Iterator[LiveServer]:
    with make_server(tmp_path_factory.mktemp("web"), speech_cache) as live:
        yield live


@pytest.fixture
def chromium(worker_chromium: Any) -> Iterator[Any]:
    """The test process's browser (``worker_chromium``); the contexts a test opens are closed
    when it ends, whatever happened: a page left open would go on running its timers and sound
    on the CPU the next tests need."""
    before = set(worker_chromium.contexts)
    try:
        yield worker_chromium
    finally:
        for context in worker_chromium.contexts:
            if context not in before:
                context.close()


def get_json(server: LiveServer, path: str) -> Any:
    with urllib.request.urlopen(server.url + path, timeout=10) as response:
        return json.load(response)


def open_page(chromium: Any, device: dict[str, Any], **extra: Any) -> tuple[Any, Any, list[str]]:
    context = chromium.new_context(**device, **extra)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    return context, page, problems


def expected_titles(timeline: dict[str, Any]) -> list[str]:
    return [s["title"] for s in timeline["segments"]]


def test_a_whole_nightly_session_on_a_phone(chromium: Any, server: LiveServer) -> None:
    context, page, problems = open_page(chromium, PHONE)
    speech: list[str] = []
    page.on("request", lambda r: speech.append(r.url) if "/api/speech/" in r.url else None)
    page.goto(server.url + "/?speed=60")
    screenshot(page, "tonight")
    answer_safety_in_page(page)
    page.click(".stress label:has-text('6')")
    page.click("#start")
    page.wait_for_selector("#player:not([hidden])")
    assert "/play?session=" in page.url

    # pause at the arch for a screenshot of the player, then go on
    wait_until(page, "(window.solemateLog || []).filter(e => e.event === 'enter').length >= 7")
    page.click("#btn-pause")
    screenshot(page, "player")
    assert page.text_content("#btn-pause") == "Resume"
    page.click("#btn-pause")

    page.wait_for_selector("#p-done:not([hidden])", timeout=40_000)
    screenshot(page, "done")
    session_id = int(page.url.split("session=")[1].split("&")[0])
    doc = get_json(server, f"/api/sessions/{session_id}")
    indices = [e["index"] for e in entered(page)]
    assert indices == list(range(len(doc["timeline"]["segments"])))  # every step, in order
    assert [e["title"] for e in entered(page)] == expected_titles(doc["timeline"])
    assert page.text_content("#done-h") == "Session complete"

    page.click("#after-form .scale label:has-text('3')")
    page.click("#after-form button[type=submit]")
    wait_until(page, "document.getElementById('after-status').textContent.includes('Saved')")
    wait_until(page, "JSON.parse(localStorage.getItem('solemate.outbox') || '[]').length === 0")
    session = get_json(server, f"/api/sessions/{session_id}")["session"]
    assert session["status"] == "completed"
    assert (session["before_stress"], session["after_stress"]) == (6, 3)
    last_step = [s for s in doc["timeline"]["segments"] if s["kind"] == "action"][-1]
    assert (session["foot"], session["step"]) == (last_step["foot"], last_step["step"])
    assert speech, "no English voice here, so the server's cue audio must have been fetched"
    assert problems == []
    context.close()


def test_screenshots_of_every_page(chromium: Any, server: LiveServer) -> None:
    for device in (PHONE, DESKTOP):
        context, page, problems = open_page(chromium, device)
        page.goto(server.url + "/?speed=30")
        answer_safety_in_page(page)
        screenshot(page, "tonight-ready")
        page.click("#start")
        wait_until(page, "(window.solemateLog || []).filter(e => e.event === 'enter').length >= 5")
        page.keyboard.press("Space")
        screenshot(page, "player-paused")
        page.click("#btn-end")  # the confirm() is dismissed: the session goes on
        page.goto(server.url + "/morning")
        screenshot(page, "morning")
        if not page.input_value("#into_bed"):  # the first morning offers no answers
            for field, answer in FIRST_NIGHT.items():
                page.fill(f"#{field}", answer)
            page.check("input[name=quality][value='4']", force=True)
        page.click("#diary-form button[type=submit]")
        page.wait_for_selector(".saved")
        screenshot(page, "morning-saved")
        page.goto(server.url + "/journal")
        screenshot(page, "journal")
        page.goto(server.url + "/print?minutes=12&voice=partner")
        screenshot(page, "print")
        assert problems == []
        context.close()


def test_keyboard_only(chromium: Any, server: LiveServer) -> None:
    context, page, problems = open_page(chromium, DESKTOP)
    page.goto(server.url + "/?speed=20")
    answer_safety_in_page(page)
    page.evaluate("document.activeElement.blur()")
    for _ in range(60):  # Tab through the page to Start, as a keyboard user would
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "start":
            break
    else:
        pytest.fail("Start cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("#player:not([hidden])")
    wait_until(page, "(window.solemateLog || []).filter(e => e.event === 'enter').length >= 2")

    page.keyboard.press("Space")
    wait_until(page, "window.solemate.player.paused === true")
    assert page.text_content("#btn-pause") == "Resume"
    at = page.evaluate("window.solemate.player.segmentAt(window.solemate.player.position()).index")
    page.keyboard.press("ArrowRight")
    assert (
        page.evaluate("window.solemate.player.segmentAt(window.solemate.player.position()).index")
        == at + 1
    )
    page.keyboard.press("PageDown")
    assert (
        page.evaluate("window.solemate.player.segmentAt(window.solemate.player.position()).index")
        == at + 2
    )
    page.keyboard.press("PageUp")  # at the very start of a part: one part back
    assert (
        page.evaluate("window.solemate.player.segmentAt(window.solemate.player.position()).index")
        == at + 1
    )
    page.keyboard.press("ArrowLeft")
    assert (
        page.evaluate("window.solemate.player.segmentAt(window.solemate.player.position()).index")
        == at
    )
    page.keyboard.press("Space")
    wait_until(page, "window.solemate.player.paused === false")
    for _ in range(40):  # skip to the end with the pedal key
        if page.is_visible("#p-done"):
            break
        page.keyboard.press("PageDown")
    page.wait_for_selector("#p-done:not([hidden])")
    assert page.evaluate("document.activeElement.id") == "done-h"
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "after_stress":
            break
    page.keyboard.press("ArrowRight")  # radio group: moves to and picks 1
    page.keyboard.press("Enter")  # submits the form
    wait_until(page, "document.getElementById('after-status').textContent.includes('Saved')")
    assert problems == []
    context.close()


def test_reload_mid_session_resumes(chromium: Any, server: LiveServer) -> None:
    context, page, problems = open_page(chromium, PHONE)
    page.goto(server.url + "/?speed=10")
    answer_safety_in_page(page)
    page.click("#start")
    wait_until(page, "(window.solemateLog || []).filter(e => e.event === 'enter').length >= 4")
    before = page.evaluate("window.solemate.player.position()")
    url = page.url
    page.reload()
    assert page.url == url
    page.wait_for_selector("#p-overlay:not([hidden])")
    log = page.evaluate("window.solemateLog")
    resumed = next(e for e in log if e["event"] == "resume")
    assert resumed["position"] >= before  # picked up where it was, not from the start
    assert resumed["index"] >= 3
    page.click("#btn-sound")
    page.wait_for_selector("#p-overlay", state="hidden")
    later = wait_until(
        page, "(window.solemateLog || []).filter(e => e.event === 'enter').length >= 2"
    )
    assert later
    assert page.text_content("#step-title") != "Getting ready…"
    assert problems == []
    context.close()


def test_without_speech_synthesis_the_audio_fallback_is_used(
    chromium: Any, server: LiveServer
) -> None:
    context, page, problems = open_page(chromium, PHONE)
    page.add_init_script("Object.defineProperty(window, 'speechSynthesis', {value: undefined});")
    fetched: list[int] = []
    page.on("response", lambda r: fetched.append(r.status) if "/api/speech/" in r.url else None)
    page.goto(server.url + "/?speed=5")
    answer_safety_in_page(page)
    page.click("#start")
    assert wait_until(page, "window.solemate && window.solemate.player.sound.mode === 'files'")
    count = wait_until(page, "window.solemate.player.sound.prefetched")
    assert count > 20  # every cue of tonight's session
    assert len(fetched) >= count
    assert set(fetched) == {200}
    assert problems == []
    context.close()


FAKE_BROWSER_VOICE = """
window.spoken = [];
const voice = {lang: 'en-GB', name: 'Test voice', localService: true};
window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
Object.defineProperty(window, 'speechSynthesis', {value: {
  getVoices: () => [voice],
  speak: (u) => { if (u.text) window.spoken.push(u.text); },
  cancel: () => {}, addEventListener: () => {}, removeEventListener: () => {},
}});
"""


def test_the_servers_natural_voice_is_preferred_to_the_browsers(
    chromium: Any, server: LiveServer
) -> None:
    context, page, problems = open_page(chromium, PHONE)
    page.add_init_script(FAKE_BROWSER_VOICE)
    fetched: list[int] = []
    page.on("response", lambda r: fetched.append(r.status) if "/api/speech/" in r.url else None)
    page.goto(server.url + "/?speed=5")
    answer_safety_in_page(page)
    page.click("#start")
    assert wait_until(page, "window.solemate && window.solemate.player.sound.mode === 'files'")
    assert wait_until(page, "window.solemate.player.sound.prefetched")
    assert fetched
    assert set(fetched) == {200}
    assert page.evaluate("window.spoken") == []
    assert problems == []
    context.close()


def test_without_the_servers_recordings_the_browser_speaks(
    chromium: Any, server: LiveServer
) -> None:
    context, page, problems = open_page(chromium, PHONE)
    page.add_init_script(FAKE_BROWSER_VOICE)
    context.route("**/api/speech/**", lambda route: route.abort())  # service worker's too
    context.route("**/api/tracks/**", lambda route: route.abort())  # nor the whole track
    page.goto(server.url + "/?speed=5")
    answer_safety_in_page(page)
    page.click("#start")
    wait_until(page, "window.spoken.length >= 2")
    assert page.evaluate("window.solemate.player.sound.mode") == "speech"
    assert page.evaluate("window.spoken[0]").startswith("Let's begin")
    problems[:] = [p for p in problems if "Failed to load resource" not in p]  # refused fetches
    assert problems == []
    context.close()


def test_offline_after_first_load_the_player_still_runs(
    chromium: Any, tmp_path: Path, speech_cache: Path
) -> None:
    live = make_server(tmp_path, speech_cache).start()
    context, page, problems = open_page(chromium, PHONE)
    try:
        page.goto(live.url + "/?speed=8")
        wait_until(page, "navigator.serviceWorker.controller !== null")
        answer_safety_in_page(page)
        page.click("#start")
        wait_until(page, "window.solemate && window.solemate.player.sound.prefetched")
        assert page.evaluate("window.solemate.player.sound.prefetched") > 20
        wait_until(page, "(window.solemateLog || []).filter(e => e.event === 'enter').length >= 2")
    finally:
        live.stop()
    from_worker: list[bool] = []
    page.on(
        "response",
        lambda r: from_worker.append(r.from_service_worker) if "/api/speech/" in r.url else None,
    )
    page.reload()  # the server is gone: the service worker and this device's copy carry on
    page.wait_for_selector("#p-overlay:not([hidden])")
    start = page.evaluate("window.solemate.player.position()")
    page.click("#btn-sound")
    wait_until(page, "(window.solemateLog || []).filter(e => e.event === 'enter').length >= 1")
    assert page.evaluate("window.solemate.player.position()") > start
    wait_until(page, "window.solemate.player.sound.prefetched")
    assert from_worker
    assert all(from_worker)
    wait_until(page, "document.getElementById('p-status').textContent.includes('Offline')")
    assert page.evaluate("JSON.parse(localStorage.getItem('solemate.outbox')).length") > 0
    assert page.text_content("#step-title") not in ("", "No session here", "Getting ready…")
    assert all("ERR_CONNECTION_REFUSED" in p or "Failed to load resource" in p for p in problems)
    context.close()
