"""The printable guide: the same page as the saved one, one sheet of A4 or Letter, honest labels."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pytest

from solemate.plan import PlanOptions, plan
from solemate.render import render, renderers
from solemate.render.footmap import ZONE_IDS, foot_map_svg
from solemate.routine import Routine
from solemate.safety import SafetyChanges
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


ONE_PAGE = {
    "12 min, partner": PlanOptions(minutes=12, voice="partner"),
    "12 min, brief": PlanOptions(minutes=12, wording="brief"),
    "15 min": PlanOptions(minutes=15),
    "12 min, gentle, no calf": PlanOptions(
        minutes=12, safety=SafetyChanges(gentle_only=True, skip_calf=True)
    ),
    "full": PlanOptions(preset="full"),
}


@pytest.mark.slow
def test_it_prints_on_one_page(evening: Routine, tmp_path: Path, worker_chromium: Any) -> None:
    """Every length, voice and wording the page offers, on one sheet of A4 and of Letter."""
    pages: dict[str, dict[str, int]] = {}
    context = worker_chromium.new_context()
    try:
        tab = context.new_page()
        for name, options in ONE_PAGE.items():
            source = tmp_path / "print.html"
            source.write_text(render("print", plan(evening, options)), encoding="utf-8")
            tab.goto(source.as_uri())
            pages[name] = {paper: _pages(tab.pdf(format=paper)) for paper in ("A4", "Letter")}
    finally:
        context.close()
    assert pages == {name: {"A4": 1, "Letter": 1} for name in ONE_PAGE}


def _pages(pdf: bytes) -> int:
    import re

    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def _big_toe_x(svg: str, view: str) -> float:
    """Where the big toe (the widest toe) of ``view`` ends up across the drawing, transforms applied."""
    import re
    import xml.etree.ElementTree as ET

    ns = "{http://www.w3.org/2000/svg}"
    root = ET.fromstring(svg)
    parents = {child: parent for parent in root.iter() for child in parent}
    (group,) = [g for g in root.iter(f"{ns}g") if f"fm-{view}" in g.get("class", "")]
    toes = next(g for g in group.iter(f"{ns}g") if g.get("data-zone") == "toes")
    big = max(toes.iter(f"{ns}ellipse"), key=lambda e: float(e.get("rx", 0)))
    x = float(big.get("cx", 0))
    node: ET.Element | None = toes
    while node is not None:
        for kind, args in reversed(
            re.findall(r"(translate|scale)\(([^)]*)\)", node.get("transform", ""))
        ):
            first = float(args.split()[0])
            x = x + first if kind == "translate" else x * first
        node = parents.get(node)
    return x


def test_the_sole_and_the_top_are_one_foot_seen_from_both_sides() -> None:
    svg = foot_map_svg(prefix="t")
    sole_x, top_x = _big_toe_x(svg, "sole"), _big_toe_x(svg, "top")
    # The right foot: from above the big toe is on the left (inner side), from below on the right.
    assert sole_x > 70, "seen from below, the right big toe is on the right of the sole"
    assert top_x < 160 + 70, "seen from above, the right big toe is on the left of the top"
    for label in ("Right foot", "Left foot", "Sole, from below", "Top, from above"):
        assert label in svg


def test_a_foot_other_than_left_or_right_is_refused() -> None:
    with pytest.raises(ValueError, match="foot must be left or right"):
        foot_map_svg(foot="middle")


def test_each_row_carries_its_instruction_for_either_foot(page: str) -> None:
    assert "Place both hands on their foot, cradling it gently." in page
    assert "left foot" not in page.split("<table>", 1)[1]


@pytest.mark.parametrize(("first", "other"), [("left", "right"), ("right", "left")])
def test_the_map_shows_the_foot_begun_with(
    evening: Routine, first: Literal["left", "right"], other: str
) -> None:
    from solemate.render.printable import sheet_html

    sheet = sheet_html(plan(evening, PlanOptions(minutes=12, first_foot=first)))
    assert f"The {first} foot from below and from above; the {other} foot is its mirror" in sheet
    assert ('class="footmap left"' in sheet) == (first == "left")
