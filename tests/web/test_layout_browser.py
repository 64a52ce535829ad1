"""Every page on a small phone, a big phone and a laptop: nothing scrolls sideways, the player fits.

At 320×568, 390×844 and 1280×800, in the day theme (the system's light and dark) and in night
mode, with axe-core finding no serious or critical problem (contrast included): ``scrollWidth`` never
exceeds the viewport, and the player's title, countdown, instruction and controls are inside it.
Screenshots land in ``tests/web/screenshots/layout-*`` to be looked at.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from solemate import safety_service, tonight
from solemate.plan import PlanOptions
from solemate.safety import QUESTIONS
from solemate.web import WebConfig, create_app
from tests.insights.builders import BERLIN, FIRST_EVENING, build_experiment_journal
from tests.journal.conftest import FakeClock
from tests.web.browser import screenshot, wait_until
from tests.web.live_server import LiveServer
from tests.web.test_accessibility import serious
from tests.web.test_browser import chromium, open_page  # noqa: F401  (fixture)

SIZES: dict[str, dict[str, Any]] = {
    "320x568": {"viewport": {"width": 320, "height": 568}, "is_mobile": True, "has_touch": True},
    "390x844": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "1280x800": {"viewport": {"width": 1280, "height": 800}},
}
PAGES = ["/", "/morning", "/journal", "/insights", "/insights/report", "/print?minutes=12"]


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, speech_cache: Path
) -> Iterator[tuple[LiveServer, int]]:
    """A journal with weeks of sessions and nights, a running experiment, a current safety
    screen with tonight's check, and a session in progress for the player."""
    clock = FakeClock()
    folder = tmp_path_factory.mktemp("layout")
    config = WebConfig(
        data_dir=folder / "data",
        database_url=f"sqlite:///{folder / 'journal.sqlite3'}",
        speech_cache_dir=speech_cache,
        clock=clock,
        test_clock=True,
    )
    app = create_app(config)
    services = app.state.services
    built = build_experiment_journal(services.journal, clock)
    evening = FIRST_EVENING + timedelta(days=built.arms.index("M", 20))
    clock.now = datetime.combine(evening, time(21, 30), BERLIN).astimezone(UTC)
    today = services.today()
    no = {q.id: False for q in QUESTIONS}
    safety_service.record_screen(services.journal, today, no)
    safety_service.record_tonight(services.journal, today, [])
    session_id, _ = tonight.start_session(
        services.journal, services.planner, PlanOptions(minutes=12), today, 6
    )
    with LiveServer(app) as live:
        yield live, session_id


def overflow(page: Any) -> int:
    """How far the page is wider than the device (0: no sideways scrolling).

    Measured against the viewport asked for: a mobile browser widens its layout viewport (and
    ``innerWidth``) to hold content that is too wide, then zooms out.
    """
    width = int(
        page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
    )
    return max(0, width - int(page.viewport_size["width"]))


def inside(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"] + 0.5
        and box["y"] + box["height"] <= size["height"] + 0.5
    )


@pytest.mark.parametrize("theme", ["day-light", "day-dark", "night"])
@pytest.mark.parametrize("size", list(SIZES))
def test_no_page_scrolls_sideways_and_the_player_fits(
    chromium: Any,  # noqa: F811
    server: tuple[LiveServer, int],
    size: str,
    theme: str,
) -> None:
    live, session_id = server
    scheme = "dark" if theme == "day-dark" else "light"
    context, page, problems = open_page(chromium, SIZES[size], bypass_csp=True, color_scheme=scheme)
    chosen = "night" if theme == "night" else "day"
    context.add_init_script(f"localStorage.setItem('solemate.theme', '{chosen}')")
    wide: dict[str, int] = {}
    found: dict[str, list[str]] = {}
    for path in PAGES:
        page.goto(live.url + path)
        page.wait_for_load_state("networkidle")
        if overflow(page) > 0:
            wide[path] = overflow(page)
        found[path] = serious(page)
        name = path.strip("/").split("?")[0].replace("/", "-") or "tonight"
        screenshot(page, f"layout-{theme}-{name}")
    page.goto(f"{live.url}/play?session={session_id}&speed=20")
    page.click("#btn-sound")
    wait_until(page, "document.getElementById('step-title').textContent !== 'Getting ready…'")
    screenshot(page, f"layout-{theme}-player")  # before the checks: it shows what failed
    for selector in ("#step-title", "#ring-time", "#cue", "#btn-back", "#btn-pause", "#btn-next"):
        assert inside(page, selector), f"{selector} is outside the {size} viewport"
    if overflow(page) > 0:
        wide["player"] = overflow(page)
    found["player"] = serious(page)
    context.close()
    assert wide == {}, f"pages wider than {size}: {wide}"
    assert {name: p for name, p in found.items() if p} == {}
    assert problems == []
