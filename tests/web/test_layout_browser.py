"""Every page on a small phone, a big phone and a laptop: nothing scrolls sideways, the player fits.

At 320×568, 390×844 and 1280×800, in the day theme (the system's light and dark) and in night
mode: ``scrollWidth`` never exceeds the viewport, and the player's title, countdown, instruction and controls are inside it. At
320 px every control is at least 44 × 44 px. axe-core finds no serious or critical problem
(contrast included) at 320 and 1280 px in every theme (see ``AXE_SIZES``). Two journals: one in full use (weeks of nights, a
running experiment with its stop form open, a session in progress) and a first night (the safety
questions, the experiment's start form, no report yet, a sheet refused until the questions are
answered). Screenshots land in ``tests/web/screenshots/layout-*`` to be looked at.
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
PAGES = [
    "/",
    "/morning",
    "/journal",
    "/insights",
    "/insights/report",
    "/print?minutes=12",
    "/print?length=full&wording=brief&voice=partner",
    "/login",
]
#: Where axe-core runs. Colours come from the theme alone; what 390 px lays out differently from
#: 320 px is sizes (the 380 px and 640 px-high rules in app.css), which the checks below measure at
#: every size. So axe runs on the smallest phone (every phone rule) and the laptop, in each theme.
AXE_SIZES = ("320x568", "1280x800")
#: The first night: the safety questions, the experiment's start form, no report (report_missing),
#: an empty journal, and the Print page refusing until the questions are answered.
FIRST_NIGHT = ["/", "/insights", "/insights/report", "/journal", "/print"]

# Every control a finger aims at (inline links in running text are exempt, as in WCAG 2.5.8).
TARGETS = """
[...document.querySelectorAll(
  'button, select, summary, input:not([type=radio]):not([type=checkbox]):not([type=hidden]),'
  + ' .seg span, .scale span, label.check, header.site a, a.small-btn, a.button, .weeks a'
)].filter((e) => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
  .map((e) => [e, e.getBoundingClientRect()])
  .filter(([e, r]) => r.width < 44 || r.height < 44)
  .map(([e, r]) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} "${
    e.textContent.trim().slice(0, 20)}" ${Math.round(r.width)}x${Math.round(r.height)}`)
"""


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


@pytest.fixture(scope="module")
def first_night(
    tmp_path_factory: pytest.TempPathFactory, speech_cache: Path
) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("first-night")
    config = WebConfig(
        data_dir=folder / "data",
        database_url=f"sqlite:///{folder / 'journal.sqlite3'}",
        speech_cache_dir=speech_cache,
        clock=FakeClock(),
        test_clock=True,
    )
    with LiveServer(create_app(config)) as live:
        yield live


def small_targets(page: Any) -> list[str]:
    """Controls smaller than 44 × 44 px."""
    found: list[str] = page.evaluate(TARGETS)
    return found


def answer_font_sizes(page: Any) -> dict[str, str]:
    """The morning form's answer fields (times typed as text, counts as numbers) and their font
    sizes: one form, so one size for every answer and its placeholder."""
    sizes: dict[str, str] = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('.grid2 input')]"
        ".map((i) => [i.id, getComputedStyle(i).fontSize]))"
    )
    return sizes


def open_details(page: Any) -> None:
    """Open every folded part (the experiment's start and stop forms), to measure them too."""
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")


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
    first_night: LiveServer,
    size: str,
    theme: str,
) -> None:
    live, session_id = server
    first = first_night
    scheme = "dark" if theme == "day-dark" else "light"
    context, page, problems = open_page(chromium, SIZES[size], bypass_csp=True, color_scheme=scheme)
    chosen = "night" if theme == "night" else "day"
    context.add_init_script(f"localStorage.setItem('solemate.theme', '{chosen}')")
    wide: dict[str, int] = {}
    found: dict[str, list[str]] = {}
    small: dict[str, list[str]] = {}
    visits = [(live.url, path, "") for path in PAGES]
    visits += [(first.url, path, "first-") for path in FIRST_NIGHT]
    for base, path, prefix in visits:
        page.goto(base + path)  # returns at "load": the pages fetch nothing to draw themselves
        open_details(page)
        key = prefix + path
        if overflow(page) > 0:
            wide[key] = overflow(page)
        if size in AXE_SIZES:
            found[key] = serious(page)
        if size == "320x568":
            small[key] = small_targets(page)
        if path == "/morning":
            sizes = answer_font_sizes(page)
            assert len(sizes) == 7, sizes
            assert len(set(sizes.values())) == 1, sizes
        name = path.strip("/").split("?")[0].replace("/", "-") or "tonight"
        name += "-brief" if "brief" in path else ""
        screenshot(page, f"layout-{theme}-{prefix}{name}")
        if path != "/insights/report" or prefix:  # the report is its own document
            assert page.evaluate("document.documentElement.dataset.theme") == chosen, key
    page.goto(f"{live.url}/play?session={session_id}&speed=20")
    page.click("#btn-sound")
    wait_until(page, "document.getElementById('step-title').textContent !== 'Getting ready…'")
    screenshot(page, f"layout-{theme}-player")  # before the checks: it shows what failed
    for selector in ("#step-title", "#ring-time", "#cue", "#btn-back", "#btn-pause", "#btn-next"):
        assert inside(page, selector), f"{selector} is outside the {size} viewport"
    if overflow(page) > 0:
        wide["player"] = overflow(page)
    if size in AXE_SIZES:
        found["player"] = serious(page)
    context.close()
    assert wide == {}, f"pages wider than {size}: {wide}"
    assert {name: p for name, p in found.items() if p} == {}
    tiny = {name: p for name, p in small.items() if p}
    assert tiny == {}, f"controls under 44 px at 320: {tiny}"
    # The first night's Print page answers 409 (answer the safety questions first), as it should.
    refused = "the server responded with a status of 409 (Conflict)"
    assert [p for p in problems if refused not in p] == [], problems
