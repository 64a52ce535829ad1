"""Two people use the app in turn on one phone-sized page in Debian's Chromium: who is here in
the header, choosing at ``/who``, Alex massaging Sam from Tonight (named, Sam's stress asked),
and Sam then finding that session, with Sam's stress, in Sam's own journal.

The screenshots ``people-header-390x844.png`` and ``people-who-390x844.png`` are saved in
``tests/web/screenshots/``.
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
from tests.web.browser import PHONE, answer_safety_in_page, browser_config, screenshot
from tests.web.live_server import LiveServer
from tests.web.test_accessibility import serious
from tests.web.test_browser import chromium, open_page  # noqa: F401  (fixture)
from tests.web.test_insights_browser import sideways


@pytest.fixture
def couple(tmp_path: Path, speech_cache: Path) -> Iterator[tuple[LiveServer, Any]]:
    """A server whose journal has Alex (the first) and Sam, and Sam's safety screen."""
    config = browser_config(tmp_path, speech_cache)
    app = create_app(config)
    journal = app.state.services.journal
    journal.add_person("Alex")
    journal.add_person("Sam")
    sam = journal.acting_for("Sam")
    no = dict.fromkeys((q.id for q in QUESTIONS), False)
    safety_service.record_screen(sam, dt.date.today(), no)
    safety_service.record_tonight(sam, dt.date.today(), [])
    with LiveServer(app) as live:
        yield live, journal


def test_two_people_in_turn_on_a_phone(
    chromium: Any,  # noqa: F811
    couple: tuple[LiveServer, Any],
) -> None:
    server, journal = couple
    context, page, problems = open_page(chromium, PHONE, bypass_csp=True)  # for axe-core
    page.goto(server.url + "/?speed=60")
    assert page.text_content("header .here") == "Alex · change"
    screenshot(page, "people-header")
    assert sideways(page) <= 0, page.evaluate(
        "[...document.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > "
        "document.documentElement.clientWidth).map(e => e.tagName + '.' + e.className + '#' + e.id)"
    )

    # Alex massages Sam: the partner is named, and the stress asked is Sam's.
    answer_safety_in_page(page)
    page.click("label:has-text('Sam') >> nth=0")
    assert page.text_content("#stress-legend") == "How stressed does Sam feel right now?"
    page.click(".stress label:has-text('6')")
    page.click("#start")
    page.wait_for_selector("#player:not([hidden])")
    [given] = journal.sessions(everyone=True)
    assert (given.giver, given.receiver) == ("Alex", "Sam")

    # Then Sam takes the phone: chooses themselves and finds the session in their journal.
    page.goto(server.url + "/who")
    assert sideways(page) <= 0
    assert serious(page) == []
    screenshot(page, "people-who")
    page.click("button[name=person][value=Sam]")
    page.wait_for_url(server.url + "/")
    assert page.text_content("header .here") == "Sam · change"
    page.goto(server.url + "/journal")
    assert page.input_value(f"#before-{given.id}") == "6"  # Sam's own stress, before
    assert problems == []
    context.close()
