"""Nightly in one tap, on a small phone in Debian's Chromium: "Start: same as last night" is the
first thing on the Tonight page from the second night on, waits for tonight's safety check, and
starts a session with last night's stored choices.

The screenshot ``tonight-again-320x568.png`` is saved in ``tests/web/screenshots/``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from solemate import safety_service
from solemate.plan import PlanOptions
from solemate.safety import QUESTIONS
from solemate.web import create_app
from tests.web.browser import browser_config, screenshot
from tests.web.live_server import LiveServer
from tests.web.test_accessibility import serious
from tests.web.test_browser import chromium, open_page  # noqa: F401  (fixture)
from tests.web.test_layout_browser import SIZES, overflow


@pytest.fixture
def second_night(tmp_path: Path, speech_cache: Path) -> Iterator[tuple[LiveServer, Any]]:
    """A journal with one earlier session: 14 min, a partner, right foot first."""
    config = browser_config(tmp_path, speech_cache)
    app = create_app(config)
    services = app.state.services
    today = dt.date.today()
    safety_service.record_screen(
        services.journal, today, dict.fromkeys((q.id for q in QUESTIONS), False)
    )
    earlier = services.planner.timeline(
        PlanOptions(minutes=14, voice="partner", first_foot="right")
    )
    session_id = services.journal.start_session(
        "evening",
        services.planner.version,
        planned_seconds=earlier.total,
        plan_options=dict(earlier.options),
    )
    services.journal.finish_session(session_id)
    with LiveServer(app) as live:
        yield live, services.journal


def test_one_tap_starts_last_nights_session(
    chromium: Any,  # noqa: F811
    second_night: tuple[LiveServer, Any],
) -> None:
    server, journal = second_night
    context, page, problems = open_page(chromium, SIZES["320x568"], bypass_csp=True)
    page.goto(server.url + "/?speed=60")
    again = page.locator("#again")
    label = "Start: same as last night (14 min, my partner, right first)"
    assert again.text_content() == label
    assert again.is_disabled()  # tonight's check is not answered yet
    assert page.is_visible("#again-wait")
    box = again.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= 568, "the one tap is on the first screen"
    assert box["height"] >= 44
    page.click("#nothing-new")
    page.wait_for_selector("#again:not([disabled])")
    assert not page.is_visible("#again-wait")
    assert overflow(page) == 0
    assert serious(page) == []
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "tonight-again")
    again.click()
    page.wait_for_selector("#player:not([hidden])")
    newest = journal.sessions(last=1)[0]
    stored = newest.plan_options
    assert (stored["minutes"], stored["voice"], stored["first_foot"]) == (14, "partner", "right")
    assert len(journal.sessions()) == 2
    assert problems == []
    context.close()
