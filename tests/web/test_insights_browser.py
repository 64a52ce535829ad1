"""The Insights page in Debian's Chromium, on a phone and a desktop: it fits without sideways
scrolling, breaks no rule of the Content-Security-Policy, and passes axe-core.

Screenshots (the first screen, and the whole page) are saved in ``tests/web/screenshots/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from solemate.web import WebConfig, create_app
from tests.insights.builders import BERLIN, FIRST_EVENING, build_experiment_journal
from tests.journal.conftest import FakeClock
from tests.web.browser import DESKTOP, PHONE, SCREENSHOTS, screenshot
from tests.web.live_server import LiveServer
from tests.web.test_accessibility import serious
from tests.web.test_browser import chromium, open_page  # noqa: F401  (fixture)


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, speech_cache: Path, clock: FakeClock
) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("insights")
    config = WebConfig(
        data_dir=folder / "data",
        database_url=f"sqlite:///{folder / 'journal.sqlite3'}",
        speech_cache_dir=speech_cache,
        clock=clock,
    )
    app = create_app(config)
    built = build_experiment_journal(app.state.services.journal, clock)
    control = FIRST_EVENING + timedelta(days=built.arms.index("C", 20))
    # midday of a control evening late in the experiment: a running experiment with history
    clock.now = datetime.combine(control, time(12, 0), BERLIN).astimezone(UTC)
    with LiveServer(app) as live:
        yield live


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory: pytest.TempPathFactory, speech_cache: Path) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("insights-empty")
    config = WebConfig(
        data_dir=folder / "data",
        database_url=f"sqlite:///{folder / 'journal.sqlite3'}",
        speech_cache_dir=speech_cache,
        clock=FakeClock(),
    )
    with LiveServer(create_app(config)) as live:
        yield live


def sideways(page: Any) -> int:
    """How many pixels the page is wider than the screen (0 when nothing scrolls sideways)."""
    overflow: int = page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )
    return overflow


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_insights_fit_the_screen_and_pass_axe(
    chromium: Any,  # noqa: F811
    server: LiveServer,
    device: dict[str, Any],
) -> None:
    context, page, problems = open_page(chromium, device)
    page.goto(server.url + "/insights?weeks=6")
    assert page.locator("svg[role=img]").count() == 8
    assert sideways(page) <= 0
    # every chart scaled to fit its column, none cut off
    widths = page.evaluate(
        "[...document.querySelectorAll('.charts svg')].map(s => "
        "[s.getBoundingClientRect().right, document.documentElement.clientWidth])"
    )
    assert all(right <= width for right, width in widths)
    screenshot(page, "insights")
    size = page.viewport_size
    page.screenshot(
        path=str(SCREENSHOTS / f"insights-full-{size['width']}x{size['height']}.png"),
        full_page=True,
    )
    page.goto(server.url + "/")
    assert page.is_visible("text=Tonight is a control night")
    assert sideways(page) <= 0
    screenshot(page, "tonight-control-night")
    assert problems == []  # a blocked inline style or script would be reported here
    context.close()

    checked = chromium.new_context(**device, bypass_csp=True)
    page = checked.new_page()
    found = {}
    for path in ("/insights?weeks=6", "/insights?weeks=abc", "/"):
        page.goto(server.url + path)
        found[path] = serious(page)
    checked.close()
    assert {path: issues for path, issues in found.items() if issues} == {}


def test_the_empty_page_on_a_phone(chromium: Any, empty_server: LiveServer) -> None:  # noqa: F811
    context, page, problems = open_page(chromium, PHONE)
    page.goto(empty_server.url + "/insights")
    assert page.is_visible("text=Nothing to show yet")
    assert sideways(page) <= 0
    screenshot(page, "insights-empty")
    assert problems == []
    context.close()
    checked = chromium.new_context(**PHONE, bypass_csp=True)
    page = checked.new_page()
    page.goto(empty_server.url + "/insights")
    assert serious(page) == []
    checked.close()


def test_the_report_opens_from_the_page(chromium: Any, server: LiveServer) -> None:  # noqa: F811
    context, page, problems = open_page(chromium, PHONE)
    page.goto(server.url + "/insights")
    page.click("text=Open the experiment report")
    page.wait_for_selector("h1")
    assert page.url.endswith("/insights/report")
    assert "Does the nightly massage change your" in page.text_content("h1")
    assert sideways(page) <= 0
    # the report's own stylesheet applied (the page's policy allows exactly it)
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    screenshot(page, "insights-report")
    assert problems == []
    context.close()


def _luminance(css_colour: str) -> float:
    red, green, blue = (int(v) for v in css_colour.split("(", 1)[1].split(")")[0].split(",")[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255


@pytest.mark.parametrize("scheme", ["dark", "light"])
@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_charts_follow_the_page_and_mark_nights_after_a_massage(
    chromium: Any,  # noqa: F811
    server: LiveServer,
    device: dict[str, Any],
    scheme: str,
) -> None:
    context = chromium.new_context(**device, color_scheme=scheme)
    page = context.new_page()
    page.add_init_script("localStorage.setItem('solemate.theme', 'day')")
    page.goto(server.url + "/insights?weeks=6")
    assert page.evaluate("getComputedStyle(document.querySelector('.charts svg')).filter") == "none"
    charts = page.locator(".charts svg")
    assert charts.count() == 8
    background = page.evaluate(
        "getComputedStyle(document.querySelector('.charts svg rect.ch-bg')).fill"
    )
    text = page.evaluate("getComputedStyle(document.querySelector('.charts svg text.ch-t')).fill")
    page_text = page.evaluate("getComputedStyle(document.body).color")
    if scheme == "dark":
        assert _luminance(background) < 0.15, background
        assert _luminance(text) > 0.7, text
    else:
        assert _luminance(background) > 0.9, background
        assert _luminance(text) < 0.2, text
    # the page's text and the charts' text are on the same side: no bright panel in the dark
    assert (_luminance(page_text) > 0.5) == (_luminance(text) > 0.5)
    sol = page.locator(".charts svg").first
    filled = sol.locator("circle.ch-accent").count()
    rings = sol.locator("circle.ch-ring").count()
    assert filled >= 2  # nights after a massage, plus the legend's dot
    assert rings >= 2
    assert "after massage" in sol.inner_html()
    size = page.viewport_size
    page.screenshot(
        path=str(SCREENSHOTS / f"insights-charts-{scheme}-{size['width']}x{size['height']}.png"),
        full_page=False,
    )
    page.locator(".charts").first.screenshot(
        path=str(SCREENSHOTS / f"insights-charts-{scheme}-only-{size['width']}.png")
    )
    context.close()


def test_the_page_names_no_command(
    chromium: Any,  # noqa: F811
    server: LiveServer,
    empty_server: LiveServer,
) -> None:
    context, page, problems = open_page(chromium, PHONE)
    for live in (server, empty_server):
        page.goto(live.url + "/insights?weeks=6")
        text = page.text_content("main") or ""
        assert "solemate " not in text
        assert "Run '" not in text
        page.goto(live.url + "/insights/report")
        assert "solemate " not in (page.text_content("body") or "")
    # with no experiment, the page offers its own way to plan one, and what it could find
    page.goto(empty_server.url + "/insights")
    page.click("text=Plan an experiment")
    assert page.is_visible("text=What it can find.")
    assert page.is_visible("text=Suggested length: 42 nights")
    # the empty journal's report page answers 409 (no experiment yet), which the console logs
    assert [p for p in problems if "409 (Conflict)" not in p] == []
    context.close()
