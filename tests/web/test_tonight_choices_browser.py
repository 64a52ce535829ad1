"""Tonight's words and counts on a phone in Debian's Chromium: brief after five sessions, said on
screen, one tap back to full explanations (remembered on the device), and ticked counts in the
player (shown, ticked, never said or fetched as speech).

The screenshot ``tonight-choices-390x844.png`` is saved in ``tests/web/screenshots/``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from solemate import safety_service
from solemate.safety import QUESTIONS
from solemate.web import create_app
from solemate.wording_service import BRIEF_NOTICE, FAMILIAR_AFTER
from tests.web.browser import PHONE, browser_config, screenshot, wait_until
from tests.web.live_server import LiveServer
from tests.web.test_accessibility import serious
from tests.web.test_browser import chromium, open_page  # noqa: F401  (fixture)
from tests.web.test_insights_browser import sideways


@pytest.fixture
def familiar(tmp_path: Path, speech_cache: Path) -> Iterator[tuple[LiveServer, Any]]:
    """A server whose journal has a safety screen and five completed sessions."""
    config = browser_config(tmp_path, speech_cache)
    app = create_app(config)
    journal = app.state.services.journal
    safety_service.record_screen(
        journal, dt.date.today(), dict.fromkeys((q.id for q in QUESTIONS), False)
    )
    safety_service.record_tonight(journal, dt.date.today(), [])
    for _ in range(FAMILIAR_AFTER):
        journal.finish_session(journal.start_session("evening", "1", planned_seconds=720))
    with LiveServer(app) as live:
        yield live, journal


def test_brief_after_five_sessions_one_tap_back_and_soft_ticks(
    chromium: Any,  # noqa: F811
    familiar: tuple[LiveServer, Any],
) -> None:
    server, journal = familiar
    context, page, problems = open_page(chromium, PHONE, bypass_csp=True)  # for axe-core
    speech: list[str] = []
    page.on("request", lambda r: speech.append(r.url) if "/api/speech/" in r.url else None)
    page.goto(server.url + "/?speed=60")
    notice = page.locator("#brief-notice")
    assert notice.is_visible()
    assert notice.text_content() == BRIEF_NOTICE
    assert page.is_checked("input[name=wording][value=brief]")
    assert page.is_checked("input[name=counts][value=voice]")
    page.click("text=Soft ticks")
    page.evaluate("document.getElementById('tonight-form').scrollIntoView({block: 'start'})")
    assert page.locator("#minutes").is_visible()
    assert sideways(page) <= 0
    shot = screenshot(page, "tonight-choices")
    assert shot.stat().st_size > 0
    assert serious(page) == []

    page.click("text=Full explanations")  # one tap back, remembered on this device
    assert not notice.is_visible()
    assert page.is_checked("input[name=wording][value=full]")
    assert page.evaluate("JSON.parse(localStorage.getItem('solemate.prefs')).wording") == "full"
    page.reload()
    assert not page.locator("#brief-notice").is_visible()
    assert page.is_checked("input[name=wording][value=full]")

    page.click("text=Soft ticks")
    page.click("#start")
    page.wait_for_selector("#player:not([hidden])")
    wait_until(page, "(window.solemateLog || []).some(e => e.event === 'tick')")
    session_id = int(page.url.split("session=")[1].split("&")[0])
    options = journal.session(session_id).plan_options
    assert (options["wording"], options["counts"]) == ("full", "ticks")
    log = page.evaluate("window.solemateLog")
    ticked = {e["text"] for e in log if e["event"] == "tick"}
    said = {e["text"] for e in log if e["event"] == "say"}
    assert ticked
    assert not ticked & said
    doc = page.evaluate("window.solemate.player.doc")
    assert not ticked & set(doc["audio"]), "no speech is offered for a ticked count"
    assert all(url.rsplit("/", 1)[1].split(".")[0] in doc["audio"].values() for url in speech)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#btn-end")
    page.wait_for_selector("#p-done:not([hidden])")
    assert problems == []
    context.close()
