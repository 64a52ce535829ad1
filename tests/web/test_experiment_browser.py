"""Starting an experiment on a phone in Debian's Chromium, with the keyboard alone.

Screenshots of the filled form and of the plan it stored are saved in ``tests/web/screenshots/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from solemate.journal.experiments import experiments
from solemate.web import WebConfig, create_app
from tests.journal.conftest import FakeClock
from tests.web.browser import PHONE, SCREENSHOTS, screenshot
from tests.web.live_server import LiveServer
from tests.web.test_accessibility import serious
from tests.web.test_browser import chromium, open_page  # noqa: F401  (fixture)
from tests.web.test_insights_browser import sideways


@pytest.fixture
def served(tmp_path: Path, speech_cache: Path) -> Iterator[tuple[LiveServer, Any]]:
    config = WebConfig(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'journal.sqlite3'}",
        speech_cache_dir=speech_cache,
        clock=FakeClock(),
    )
    app = create_app(config)
    with LiveServer(app) as live:
        yield live, app.state.services.journal


def tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_start_an_experiment_with_the_keyboard_on_a_phone(
    chromium: Any,  # noqa: F811
    served: tuple[LiveServer, Any],
) -> None:
    server, journal = served
    context, page, problems = open_page(chromium, PHONE)
    page.goto(server.url + "/insights")
    tab_to(page, ".experiment-start summary")
    page.keyboard.press("Enter")
    tab_to(page, "#x-outcome")
    page.keyboard.press("ArrowDown")  # minutes awake in the night
    tab_to(page, "#x-nights")
    page.keyboard.press("Control+A")
    page.keyboard.type("42")
    tab_to(page, "#x-minimum")
    page.keyboard.type("15")
    assert sideways(page) <= 0
    page.evaluate("document.activeElement.scrollIntoView({block: 'center'})")
    screenshot(page, "experiment-start-form")
    page.screenshot(
        path=str(SCREENSHOTS / "experiment-start-form-full-390x844.png"), full_page=True
    )
    tab_to(page, ".start-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/insights?done=started#experiment-h")
    assert page.is_visible("text=Experiment started: the whole plan is stored now.")
    (stored,) = experiments(journal)
    assert (stored.outcome, stored.nights, stored.minimum) == ("waso", 42, 15)
    assert page.is_visible("text=Stop the experiment")
    assert sideways(page) <= 0
    screenshot(page, "experiment-started")
    assert problems == []
    context.close()

    checked = chromium.new_context(**PHONE, bypass_csp=True)
    page = checked.new_page()
    page.goto(server.url + "/insights")
    page.click("details.stop summary")
    after_start = serious(page)
    page.goto(server.url + "/insights")
    page.click("details.stop summary")
    page.click(".stop-form button[type=submit]")  # unconfirmed: the form with its error
    refused = serious(page)
    checked.close()
    assert after_start == []
    assert refused == []
    assert experiments(journal)[0].stopped_at is None


def test_the_open_start_form_passes_axe(chromium: Any, served: tuple[LiveServer, Any]) -> None:  # noqa: F811
    server, _ = served
    checked = chromium.new_context(**PHONE, bypass_csp=True)
    page = checked.new_page()
    page.goto(server.url + "/insights")
    page.click(".experiment-start summary")
    page.fill("#x-nights", "1")
    page.click(".start-form button[type=submit]")
    page.wait_for_selector("#err-nights")
    found = serious(page)
    checked.close()
    assert found == []
