"""The HTML report in a real browser (Debian's Chromium through Playwright): it loads nothing
from anywhere, fits a phone without sideways scrolling, shows its charts, and prints.

Screenshots are kept under the test's temporary folder (and in ``SOLEMATE_SCREENSHOTS`` when
that is set) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from solemate.insights_service import experiment_report
from solemate.journal import Journal
from solemate.render.experiment_view import report_html
from tests.insights.builders import build_experiment_journal
from tests.journal.conftest import FakeClock


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    clock = FakeClock()
    with Journal(f"sqlite:///{folder / 'journal.sqlite3'}", clock=clock) as journal:
        built = build_experiment_journal(journal, clock)
        html = report_html(experiment_report(journal, built.today))
    path = folder / "report.html"
    path.write_text(html)
    return path


@pytest.fixture
def browser(worker_chromium: Any) -> Iterator[Any]:
    """A fresh context of the test process's Chromium, closed when the test ends."""
    context = worker_chromium.new_context()
    try:
        yield context
    finally:
        context.close()


def _keep(path: Path) -> None:
    target = os.environ.get("SOLEMATE_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)


@pytest.mark.parametrize(("width", "name"), [(390, "phone"), (1000, "desktop")])
def test_the_report_renders_self_contained_and_fits(
    browser: Any, report_file: Path, width: int, name: str
) -> None:
    context = browser
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(report_file.as_uri())
    assert requests == [report_file.as_uri()], "the report must load nothing else"
    assert page.title().startswith("Does the nightly massage change")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow}px of sideways scrolling at {width}px"
    boxes = page.evaluate(
        "[...document.querySelectorAll('figure svg')].map(s => s.getBoundingClientRect().width)"
    )
    assert len(boxes) == 2
    assert all(w > 0.8 * min(width - 40, 540) for w in boxes)
    smallest_text = page.evaluate(
        """Math.min(...[...document.querySelectorAll('figure svg text')].map(
            t => t.getBoundingClientRect().height))"""
    )
    assert smallest_text >= 8, f"chart text only {smallest_text:.1f}px tall at {width}px"
    shot = report_file.with_name(f"report-{name}.png")
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    _keep(shot)
    page.close()


def test_the_report_prints(browser: Any, report_file: Path) -> None:
    page = browser.new_page()
    page.goto(report_file.as_uri())
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=False)
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 2
    page.close()
