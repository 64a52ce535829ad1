"""Gentle pressure, said and shown gently: with the screen's "gentle pressure only", no cue and no
screen text asks for deep, firm or sinking pressure (the guide's own words for those parts do)."""

from __future__ import annotations

import itertools
import re

import pytest

from solemate.plan import PlanOptions, plan
from solemate.routine import Routine
from solemate.safety import SafetyChanges

STRONG = re.compile(r"\b(deep|firm|firmer|firmly|sinking)\b", re.IGNORECASE)
# Words that name strong pressure without asking for it: the opening says the goal is "not deep
# tissue work", and the guide's traditional association of the solar plexus point speaks of
# "deep-seated tension".
NOT_ASKING = ("not deep tissue", "deep-seated")


def asks_for_strong_pressure(text: str) -> list[str]:
    for allowed in NOT_ASKING:
        text = text.replace(allowed, "")
    return STRONG.findall(text)


def test_the_scan_finds_what_the_issue_measured() -> None:
    assert asks_for_strong_pressure("Use your thumbs to apply deep, static pressure") == ["deep"]
    assert asks_for_strong_pressure("Firm, but never painful.") == ["Firm"]
    assert asks_for_strong_pressure("Apply steady, sinking pressure") == ["sinking"]
    assert asks_for_strong_pressure("the goal is relaxation, not deep tissue work") == []
    assert asks_for_strong_pressure("Breathe slowly and deeply.") == []


def test_every_strong_action_has_gentle_wording(evening: Routine) -> None:
    for step in evening.steps:
        for action in step.actions:
            for lang, cue in action.cue.items():
                gentle = cue.for_pressure(True)
                for text in (gentle.self_, gentle.partner, gentle.pressure or ""):
                    assert not asks_for_strong_pressure(text), (action.id, lang, text)
                unchanged = cue.for_pressure(False)
                assert unchanged is cue, "without gentle the guide's own words stay"


SWEEP = list(
    itertools.product(
        [{"minutes": 10}, {"minutes": 12}, {"minutes": 15}, {"preset": "full"}],
        ["self", "partner"],
        ["full", "brief"],
        [False, True],
    )
)


@pytest.mark.parametrize(("length", "voice", "wording", "skip_calf"), SWEEP)
def test_no_gentle_cue_or_screen_text_asks_for_strong_pressure(
    evening: Routine, length: dict[str, object], voice: str, wording: str, skip_calf: bool
) -> None:
    options = PlanOptions(
        **length,  # type: ignore[arg-type]
        voice=voice,  # type: ignore[arg-type]
        wording=wording,  # type: ignore[arg-type]
        safety=SafetyChanges(gentle_only=True, skip_calf=skip_calf),
    )
    timeline = plan(evening, options)
    found = []
    for segment in timeline.segments:
        shown = [
            segment.title,
            segment.instruction,
            segment.action_name or "",
            segment.tradition or "",
        ]
        for text in (*shown, *(cue.text for cue in segment.cues)):
            if asks_for_strong_pressure(text):
                found.append(text)
    for note in timeline.notes:
        found.extend(n for n in [note] if asks_for_strong_pressure(n))
    assert found == []
    assert {s.pressure for s in timeline.segments if s.kind == "action"} == {"light"}
