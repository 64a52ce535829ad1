"""A dark bedroom in Debian's Chromium: night mode by itself in the evening and by a remembered
toggle; a day theme that follows the system's light or dark preference; no large bright area at
night; and the Print page, in night mode on screen, printing dark on white on one page.

The evening and the day are the browser's own clock, placed by time zone (no clock is faked).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from solemate import safety_service
from solemate.safety import QUESTIONS
from solemate.web import WebConfig, create_app
from tests.web.browser import PHONE, screenshot
from tests.web.live_server import LiveServer
from tests.web.test_browser import chromium, open_page  # noqa: F401  (fixture)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, speech_cache: Path) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("theme")
    config = WebConfig(
        data_dir=folder / "data",
        database_url=f"sqlite:///{folder / 'journal.sqlite3'}",
        speech_cache_dir=speech_cache,
        test_clock=True,
    )
    app = create_app(config)
    journal = app.state.services.journal
    safety_service.record_screen(
        journal, dt.date.today(), dict.fromkeys((q.id for q in QUESTIONS), False)
    )
    with LiveServer(app) as live:
        yield live


def zone_at(hour: int) -> str:
    """A time zone in which it is now ``hour`` o'clock (give or take the minutes)."""
    offset = (hour - dt.datetime.now(dt.UTC).hour) % 24
    offset = offset - 24 if offset > 12 else offset
    return "Etc/GMT" + ("" if offset == 0 else f"{-offset:+d}")


def theme(page: Any) -> str:
    value: str = page.evaluate("document.documentElement.dataset.theme")
    return value


def background(page: Any) -> str:
    value: str = page.evaluate("getComputedStyle(document.body).backgroundColor")
    return value


@pytest.mark.parametrize(("hour", "expected"), [(21, "night"), (3, "night"), (12, "day")])
def test_night_mode_by_itself_in_the_evening(
    chromium: Any,  # noqa: F811
    served: LiveServer,
    hour: int,
    expected: str,
) -> None:
    context, page, problems = open_page(chromium, PHONE, timezone_id=zone_at(hour))
    page.goto(served.url + "/")
    assert page.evaluate("new Date().getHours()") == hour
    assert theme(page) == expected
    assert page.get_attribute("#theme-toggle", "aria-pressed") == str(expected == "night").lower()
    assert problems == []
    context.close()


def test_the_toggle_is_remembered_and_wins_over_the_clock(
    chromium: Any,  # noqa: F811
    served: LiveServer,
) -> None:
    context, page, problems = open_page(chromium, PHONE, timezone_id=zone_at(12))
    page.goto(served.url + "/journal")
    assert theme(page) == "day"
    page.click("#theme-toggle")
    assert theme(page) == "night"
    assert page.get_attribute("#theme-toggle", "aria-pressed") == "true"
    page.goto(served.url + "/morning")
    assert theme(page) == "night"  # remembered on the next page
    context.close()
    context, page, _ = open_page(chromium, PHONE, timezone_id=zone_at(22))
    page.goto(served.url + "/")
    assert theme(page) == "night"
    page.click("#theme-toggle")
    page.reload()
    assert theme(page) == "day"  # chosen by hand in the evening: kept
    assert problems == []
    context.close()


@pytest.mark.parametrize(
    ("scheme", "colour"), [("light", "rgb(247, 243, 237)"), ("dark", "rgb(0, 0, 0)")]
)
def test_the_day_theme_follows_the_system(
    chromium: Any,  # noqa: F811
    served: LiveServer,
    scheme: str,
    colour: str,
) -> None:
    context, page, _ = open_page(chromium, PHONE, color_scheme=scheme, timezone_id=zone_at(12))
    page.goto(served.url + "/morning")
    assert theme(page) == "day"
    assert background(page) == colour
    context.close()


# Every element bigger than this (px²) must be dim at night: no panel, button or lit zone glows.
LARGE = 2000
BRIGHT = """(limit) => {
  const luminance = (css) => {
    const m = css.match(/rgba?\\(([\\d.]+), ([\\d.]+), ([\\d.]+)(?:, ([\\d.]+))?\\)/);
    if (!m || (m[4] !== undefined && Number(m[4]) === 0)) return 0;
    const alpha = m[4] === undefined ? 1 : Number(m[4]);
    const [r, g, b] = [m[1], m[2], m[3]].map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return alpha * (0.2126 * r + 0.7152 * g + 0.0722 * b);
  };
  const found = [];
  for (const e of document.querySelectorAll('body, body *')) {
    const r = e.getBoundingClientRect();
    if (!r.width || r.right <= 0 || r.bottom <= 0 || r.width * r.height < limit) continue;
    const style = getComputedStyle(e);
    const paint = e instanceof SVGElement ? style.fill : style.backgroundColor;
    const y = luminance(paint);
    if (y > 0.06) found.push(`${e.tagName.toLowerCase()}.${e.getAttribute('class') || ''} ${paint}`);
  }
  return found;
}"""


@pytest.mark.parametrize("path", ["/", "/morning", "/journal", "/insights", "/print?minutes=12"])
def test_nothing_large_is_bright_at_night(
    chromium: Any,  # noqa: F811
    served: LiveServer,
    path: str,
) -> None:
    context, page, _ = open_page(chromium, PHONE, timezone_id=zone_at(22))
    page.goto(served.url + path)
    assert theme(page) == "night"
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    assert page.evaluate(BRIGHT, LARGE) == []
    context.close()


def test_the_lit_zone_is_an_outline_at_night(
    chromium: Any,  # noqa: F811
    served: LiveServer,
) -> None:
    context, page, _ = open_page(chromium, PHONE, timezone_id=zone_at(22))
    page.goto(served.url + "/")
    fill = page.evaluate(
        """() => {
          const zone = document.querySelector('#player .footmap [data-zone="heel"]');
          zone.classList.add('lit');
          return [getComputedStyle(zone).fill, getComputedStyle(zone).strokeWidth];
        }"""
    )
    assert fill == ["rgba(201, 138, 75, 0.22)", "2.5px"]
    context.close()


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_the_print_page_follows_night_mode_on_screen_and_prints_dark_on_white(
    chromium: Any,  # noqa: F811
    served: LiveServer,
) -> None:
    context, page, problems = open_page(chromium, PHONE, timezone_id=zone_at(22))
    page.goto(served.url + "/print?length=12")
    colours = "(() => { const s = getComputedStyle(document.querySelector('.sheet')); return [s.color, s.backgroundColor]; })()"
    assert theme(page) == "night"
    ink, paper = page.evaluate(colours)
    assert (ink, paper) == ("rgb(210, 176, 142)", "rgb(18, 13, 9)")  # night's text on its panel
    screenshot(page, "print-night")
    page.emulate_media(media="print")
    assert page.evaluate(colours) == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"]
    assert not page.is_visible("header.site")
    assert not page.is_visible(".print-form")
    for paper_size in ("A4", "Letter"):
        assert _pages(page.pdf(format=paper_size)) == 1, paper_size
    assert problems == []
    context.close()
