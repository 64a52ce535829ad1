"""The printable guide: the same page as the saved one, one sheet of A4 or Letter, honest labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from solemate.plan import PlanOptions, plan
from solemate.render import render, renderers
from solemate.render.footmap import ZONE_IDS, foot_map_svg
from solemate.routine import Routine
from tests.golden_files import assert_golden


@pytest.fixture(scope="module")
def page(evening: Routine) -> str:
    return render("print", plan(evening, PlanOptions(minutes=12, voice="partner")))


def test_print_is_a_registered_renderer() -> None:
    assert renderers()["print"].media_type == "text/html"


def test_the_page_matches_the_saved_one(page: str) -> None:
    assert_golden("print-nightly-partner.html", page)


def test_each_action_once_with_a_time_per_foot(page: str) -> None:
    assert page.count("Thumb-walking across the arch") == 1
    assert '<td class="t">2:21</td><td class="t">8:05</td>' in page
    assert "<b>Towel wrap, then the other foot</b>" in page
    assert "<b>End</b>" in page


def test_tradition_is_labelled_as_tradition(page: str) -> None:
    assert "(tradition, not fact: linked in reflexology to the head" in page
    assert "there is no scientific evidence for these links" in page
    assert "Stop at once if anything hurts" in page


def test_nothing_is_loaded_from_anywhere(page: str) -> None:
    assert "<script" not in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page


def test_safety_notes_are_printed(evening: Routine) -> None:
    from solemate.safety import SafetyChanges

    options = PlanOptions(minutes=12, safety=SafetyChanges(gentle_only=True, skip_calf=True))
    page = render("print", plan(evening, options))
    assert "Gentle pressure only (safety screen)." in page
    assert "the calf is left out" in page


def test_the_foot_map_names_every_zone() -> None:
    svg = foot_map_svg(lit=["arch"], foot="left")
    for zone in ZONE_IDS:
        assert f'data-zone="{zone}"' in svg
    assert svg.count('class="fm-zone lit"') == 1
    assert 'class="footmap left"' in svg
    assert "<title" in svg


@pytest.mark.slow
def test_it_prints_on_one_page(page: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.web.browser import ARGS, CHROMIUM

    source = tmp_path / "print.html"
    source.write_text(page, encoding="utf-8")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            tab = browser.new_page()
            tab.goto(source.as_uri())
            for paper in ("A4", "Letter"):
                pdf = tab.pdf(format=paper)
                assert _pages(pdf) == 1, paper
        finally:
            browser.close()


def _pages(pdf: bytes) -> int:
    import re

    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
