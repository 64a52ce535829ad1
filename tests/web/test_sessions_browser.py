"""Sessions as they happened, in Debian's Chromium: a player closed mid-session, then another
session started, leaves the first one interrupted at its last step with the time it played."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from solemate.web import create_app
from tests.web.browser import (
    CHROMIUM,
    PHONE,
    answer_safety_in_page,
    browser_config,
    entered,
    wait_until,
)
from tests.web.live_server import LiveServer
from tests.web.test_browser import chromium  # noqa: F401  (fixture)

if not Path(CHROMIUM).exists():  # pragma: no cover - depends on the machine
    pytest.fail("Debian's chromium is missing: apt-get install chromium", pytrace=False)


@pytest.fixture
def server(tmp_path: Path, speech_cache: Path) -> Iterator[LiveServer]:
    config = browser_config(tmp_path, speech_cache)
    with LiveServer(create_app(config)) as live:
        yield live


def sessions(server: LiveServer) -> list[dict[str, Any]]:
    with urllib.request.urlopen(server.url + "/api/sessions", timeout=10) as response:
        listed: list[dict[str, Any]] = json.load(response)
    return listed


def test_a_player_closed_mid_session_is_interrupted_when_another_starts(
    chromium: Any,  # noqa: F811
    server: LiveServer,
) -> None:
    context = chromium.new_context(**PHONE)
    problems: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.goto(server.url + "/?speed=10")
    answer_safety_in_page(page)
    page.click("#start")
    page.wait_for_selector("#player:not([hidden])")
    wait_until(page, "(window.solemateLog || []).filter(e => e.event === 'enter').length >= 4")
    # Wait for the page's reports to reach the server, then close the player mid-session.
    wait_until(page, "JSON.parse(localStorage.getItem('solemate.outbox') || '[]').length === 0")
    reached = entered(page)[-1]["index"]
    page.close()
    (first,) = sessions(server)
    assert first["status"] == "in_progress"
    assert first["step"] is not None
    assert first["played_seconds"] is not None
    assert first["played_seconds"] > 0

    # Later, the same browser: Tonight offers the old one back, and a new session is started.
    again = context.new_page()
    again.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    again.goto(server.url + "/?speed=10")
    answer_safety_in_page(again)
    again.click("#start")
    again.wait_for_selector("#player:not([hidden])")
    old, new = sessions(server)
    assert old["id"] == first["id"]
    assert old["status"] == "interrupted"
    assert (old["foot"], old["step"]) == (first["foot"], first["step"])
    assert old["ended_at"] == first["progress_at"]  # at its last recorded step
    assert old["played_seconds"] == first["played_seconds"]
    assert new["status"] == "in_progress"
    assert reached >= 3
    assert problems == []
    context.close()


def test_a_session_skipped_through_says_so_at_the_end(chromium: Any, server: LiveServer) -> None:  # noqa: F811
    """→ to the end in a few seconds: the journal says skipped, and so does the page."""
    context = chromium.new_context(**PHONE)
    problems: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.goto(server.url + "/?speed=1")
    answer_safety_in_page(page)
    page.click("#start")
    page.wait_for_selector("#player:not([hidden])")
    page.click("#btn-next")  # a person's tap, then the same → from the page's player until the end
    for _ in range(200):  # more than the session's parts: the last → ends it
        if page.evaluate("window.solemate.player.finished"):
            break
        page.evaluate("window.solemate.player.nextStep()")
    page.wait_for_selector("#p-done:not([hidden])")
    wait_until(page, "document.getElementById('done-h').textContent === 'Skipped through'")
    (session,) = sessions(server)
    assert session["status"] == "skipped"
    assert session["played_seconds"] < 0.8 * session["planned_seconds"]
    assert problems == []
    context.close()
