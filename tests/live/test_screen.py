"""The terminal screen fits the terminal and says what a person needs, as plain text too (NO_COLOR)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from solemate.live.player import View
from solemate.live.screen import big, render_view
from solemate.plan import PlanOptions, plan
from solemate.routine import Routine


def draw(view: View, width: int, height: int) -> str:
    console = Console(width=width, height=height, record=True, no_color=True, file=io.StringIO())
    console.print(render_view(view, height))
    return console.export_text()


@pytest.mark.parametrize(("width", "height"), [(80, 24), (120, 40)])
def test_screen_fits_and_shows_the_essentials(evening: Routine, width: int, height: int) -> None:
    timeline = plan(evening)
    ball = next(s for s in timeline.segments if s.action == "ball-points")
    view = View(
        timeline, ball.start + 12.5, ball, timeline.segments[ball.index + 1], True, ball.cues[3]
    )
    text = draw(view, width, height)
    lines = text.rstrip("\n").splitlines()
    assert len(lines) <= height
    assert all(len(line) <= width for line in lines)
    assert "LEFT FOOT · STEP 5 OF 7" in text
    assert "Ball of the foot points" in text
    assert "PAUSED" in text
    assert "Tradition, not medical fact" in text
    assert "Next: Strokes between the metatarsals" in text
    assert "q end" in text


def test_big_digits_are_five_rows() -> None:
    assert len(big("12:34").plain.splitlines()) == 5


def test_a_ticked_count_shows_its_words_like_a_spoken_one(evening: Routine) -> None:
    timeline = plan(evening, PlanOptions(counts="ticks"))
    segment = next(s for s in timeline.segments if any(c.kind == "tick" for c in s.cues))
    ticked = next(c for c in segment.cues if c.kind == "tick")
    view = View(timeline, ticked.at + 0.5, segment, None, False, ticked)
    assert ticked.text in draw(view, 120, 40)


@pytest.mark.parametrize(("width", "height"), [(80, 24), (120, 40)])
def test_brief_by_the_rule_says_so_and_offers_full_explanations(
    evening: Routine, width: int, height: int
) -> None:
    timeline = plan(evening, PlanOptions(wording="brief"))
    first = timeline.segments[0]
    offered = View(timeline, 1.0, first, timeline.segments[1], False, None, offer_full=True)
    text = draw(offered, width, height)
    lines = text.rstrip("\n").splitlines()
    assert len(lines) <= height
    assert all(len(line) <= width for line in lines)
    flat = " ".join(" ".join(line.strip("│ ").split()) for line in lines)
    assert "Brief cues from now on: you know the routine. Press F for full explanations." in flat
    plain = View(timeline, 1.0, first, timeline.segments[1], False, None)
    assert "Press F" not in draw(plain, width, height)
