"""The planner's promises, checked over every feasible target and option."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solemate.plan import (
    NIGHTLY_SECONDS,
    PlanError,
    PlanOptions,
    _outline,
    _total,
    bounds,
    full_seconds,
    plan,
)
from solemate.routine import Action, Routine, builtin_routine
from solemate.safety import SafetyChanges
from solemate.timeline import Segment, Timeline

ROUTINE = builtin_routine("evening")


def part_limits(action: Action, knots: tuple[int, int]) -> tuple[int, int]:
    """Allowed length of an action's segment between two knots (0 min, 1 low, 2 high, 3 max)."""
    if action.repeat is None:
        assert action.seconds is not None
        values = (action.seconds.min, action.seconds.low, action.seconds.high, action.seconds.max)
        return values[knots[0]], values[knots[1]]
    rep = action.repeat
    values = (rep.seconds.min, rep.seconds.low, rep.seconds.high, rep.seconds.max)
    fixed = rep.lead + rep.rest * rep.total
    return fixed + rep.total * values[knots[0]], fixed + rep.total * values[knots[1]]


@st.composite
def feasible(draw: st.DrawFn) -> tuple[PlanOptions, int]:
    options = PlanOptions(
        feet=draw(st.sampled_from(["both", "left", "right"])),
        first_foot=draw(st.sampled_from(["left", "right"])),
        voice=draw(st.sampled_from(["self", "partner"])),
        preparation=draw(st.booleans()),
        safety=SafetyChanges(gentle_only=draw(st.booleans()), skip_calf=draw(st.booleans())),
    )
    shortest, longest = bounds(ROUTINE, options)
    target = draw(st.integers(shortest, longest))
    return dataclasses.replace(options, minutes=target / 60), target


def check_structure(timeline: Timeline, routine: Routine) -> None:
    segments = timeline.segments
    assert segments[0].start == 0
    for before, after in itertools.pairwise(segments):
        assert before.end == after.start, "segments must be contiguous"
    for i, segment in enumerate(segments):
        assert segment.index == i
        assert segment.duration > 0
        ats = [cue.at for cue in segment.cues]
        assert ats == sorted(ats)
        assert all(segment.start <= at <= segment.end for at in ats)
        assert segment.cues[0].at == segment.start, "every segment opens with what to do"


def action_segments(timeline: Timeline, foot: str) -> list[Segment]:
    return [s for s in timeline.segments if s.kind == "action" and s.foot == foot]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feasible())
def test_every_feasible_target_is_met_exactly_and_keeps_the_guide(
    case: tuple[PlanOptions, int],
) -> None:
    options, target = case
    timeline = plan(ROUTINE, options)
    assert timeline.total == target
    check_structure(timeline, ROUTINE)

    expected_actions = [(s + 1, a.id) for s, step in enumerate(ROUTINE.steps) for a in step.actions]
    for foot in timeline.feet:
        got = [(seg.step, seg.action) for seg in action_segments(timeline, foot)]
        assert got == expected_actions, (
            "each foot gets every step and action of the guide, in order"
        )

    for segment in timeline.segments:
        if segment.kind != "action":
            continue
        assert segment.action is not None
        action = ROUTINE.action(segment.action)
        low, high = part_limits(action, (0, 3))
        assert low <= segment.duration <= high, (
            f"{segment.action}: {segment.duration} s outside {low}–{high}"
        )
        if action.repeat is not None:
            rep = action.repeat
            counts = [c for c in segment.cues if c.kind == "count"]
            assert [c.n for c in counts] == list(range(1, rep.total + 1)), "counts are never broken"
            assert all(c.of == rep.total for c in counts)
            assert segment.seconds_each is not None
            assert rep.seconds.min <= segment.seconds_each <= rep.seconds.max
            if rep.seconds.origin == "guide":  # e.g. each ball-of-foot point held 5–10 s
                assert rep.seconds.low <= segment.seconds_each <= rep.seconds.high
            if rep.countdown:
                assert len([c for c in segment.cues if c.kind == "release"]) == rep.total

    if options.safety.skip_calf:
        assert all("calf" not in seg.zones for seg in timeline.segments)
        assert all("up the calf" not in seg.instruction for seg in timeline.segments)
    if options.safety.gentle_only:
        assert {seg.pressure for seg in timeline.segments if seg.kind == "action"} == {"light"}


@settings(max_examples=150, deadline=None)
@given(feasible())
def test_targets_between_the_usual_totals_keep_every_usual_range(
    case: tuple[PlanOptions, int],
) -> None:
    options, _ = case
    parts = [item.part for item in _outline(ROUTINE, options)]
    low_total, high_total = round(_total(parts, 1)), round(_total(parts, 2))
    for target in (low_total, (low_total + high_total) // 2, high_total):
        timeline = plan(ROUTINE, dataclasses.replace(options, minutes=target / 60))
        for segment in timeline.segments:
            if segment.kind == "action" and segment.action:
                low, high = part_limits(ROUTINE.action(segment.action), (1, 2))
                assert low <= segment.duration <= high, (target, segment.action)


def test_full_preset_uses_the_guides_longest_durations() -> None:
    timeline = plan(ROUTINE, PlanOptions(preset="full"))
    assert timeline.total == full_seconds(ROUTINE, PlanOptions())
    by_action = {seg.action: seg for seg in action_segments(timeline, "left")}
    assert by_action["long-strokes"].duration == 180  # two to three minutes
    assert by_action["heel-circles"].duration == 120  # a minute or two
    assert by_action["solar-plexus"].duration == 60  # for a minute
    assert by_action["insomnia-point"].duration == 120  # a minute or two
    assert by_action["ball-points"].seconds_each == 10  # five to ten seconds each


def test_nightly_is_twelve_minutes_and_the_guides_ten_to_fifteen_all_fit() -> None:
    assert plan(ROUTINE).total == NIGHTLY_SECONDS == 720
    for minutes in range(10, 16):
        assert plan(ROUTINE, PlanOptions(minutes=minutes)).total == minutes * 60


def test_the_same_options_give_the_same_timeline() -> None:
    options = PlanOptions(minutes=13.5, voice="partner", preparation=True)
    assert plan(ROUTINE, options) == plan(ROUTINE, options)
    assert plan(ROUTINE, options).to_json() == plan(ROUTINE, options).to_json()


def test_counted_subcues_read_as_the_guide_counts() -> None:
    timeline = plan(ROUTINE)
    ankle = next(s for s in timeline.segments if s.action == "ankle-circles")
    counts = [c.text for c in ankle.cues if c.kind == "count"]
    assert counts[3] == "Circle 4 of 5, clockwise."
    assert counts[5] == "Circle 1 of 5, counterclockwise."
    ball = next(s for s in timeline.segments if s.action == "ball-points")
    assert [c.text for c in ball.cues if c.kind == "count"][2].startswith("Point 3 of 5")
    # a 5-second hold leaves room to count down from two after "Point 3 of 5 …" is said
    assert ball.seconds_each == 5
    assert [c.text for c in ball.cues if c.kind in ("countdown", "release")][:3] == [
        "two",
        "one",
        "And release.",
    ]
    full = plan(ROUTINE, PlanOptions(preset="full"))
    ball = next(s for s in full.segments if s.action == "ball-points")
    said = [
        (c.at - ball.start, c.text)
        for c in ball.cues
        if c.kind in ("count", "countdown", "release")
    ]
    assert said[:5] == [
        (7, said[0][1]),
        (14, "three"),
        (15, "two"),
        (16, "one"),
        (17, "And release."),
    ]
    toes = next(s for s in timeline.segments if s.action == "toe-rotate-traction")
    assert [c.text for c in toes.cues if c.kind == "count"][-1] == "Toe 5 of 5: the little toe."


def test_voices_and_checkins() -> None:
    mine = plan(ROUTINE, PlanOptions(voice="self"))
    theirs = plan(ROUTINE, PlanOptions(voice="partner"))
    strokes_self = next(s for s in mine.segments if s.action == "long-strokes")
    strokes_partner = next(s for s in theirs.segments if s.action == "long-strokes")
    assert "your left foot" in strokes_self.instruction
    assert "their left foot" in strokes_partner.instruction
    assert not any(c.kind == "checkin" for c in mine.cues)
    assert any("pressure" in c.text for c in theirs.cues if c.kind == "checkin")


def test_towel_wrap_between_the_feet_names_both() -> None:
    timeline = plan(ROUTINE, PlanOptions(first_foot="right"))
    wrap = next(s for s in timeline.segments if s.kind == "between-feet")
    assert "Wrap your right foot warmly in the towel" in wrap.instruction
    assert "move to your left foot" in wrap.instruction
    assert timeline.feet == ("right", "left")
    one = plan(ROUTINE, PlanOptions(feet="left", minutes=6))
    assert not any(s.kind == "between-feet" for s in one.segments)


def test_breathing_reminders_during_long_strokes() -> None:
    timeline = plan(ROUTINE, PlanOptions(preset="full"))
    strokes = next(s for s in timeline.segments if s.action == "long-strokes")
    breaths = [c.at - strokes.start for c in strokes.cues if c.kind == "breathe"]
    assert breaths == [45, 90, 135]


def test_preparation_is_spoken_only_when_asked_and_partner_items_only_for_partners() -> None:
    without = plan(ROUTINE)
    assert not any(s.kind == "preparation" for s in without.segments)
    mine = [
        s.instruction
        for s in plan(ROUTINE, PlanOptions(preparation=True)).segments
        if s.kind == "preparation"
    ]
    theirs = [
        s.instruction
        for s in plan(ROUTINE, PlanOptions(preparation=True, voice="partner")).segments
        if s.kind == "preparation"
    ]
    assert len(theirs) == len(mine) + 1
    assert any("reclined" in text for text in theirs)


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        (PlanOptions(minutes=4), "The shortest possible is 4 min 54 s, with one foot only"),
        (PlanOptions(minutes=8), "It fits with: one foot only (--foot left)"),
        (PlanOptions(minutes=60), "longer than the longest session"),
        (
            PlanOptions(minutes=10.2, preparation=True),
            "It fits with: without the spoken preparation",
        ),
    ],
)
def test_impossible_lengths_are_refused_with_what_would_fit(
    options: PlanOptions, needle: str
) -> None:
    with pytest.raises(PlanError) as info:
        plan(ROUTINE, options)
    assert needle in str(info.value)
    shortest, longest = bounds(ROUTINE, options)
    assert (info.value.shortest, info.value.longest) == (shortest, longest)


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="either minutes or a preset"):
        PlanOptions(minutes=12, preset="full")
    with pytest.raises(ValueError, match="minutes must be above 0"):
        PlanOptions(minutes=-1)
    with pytest.raises(ValueError, match="minutes must be above 0"):
        PlanOptions(minutes=float("nan"))
    with pytest.raises(ValueError, match="no language 'de'"):
        plan(ROUTINE, PlanOptions(language="de"))


def test_timeline_json_round_trip() -> None:
    timeline = plan(ROUTINE, PlanOptions(voice="partner", safety=SafetyChanges(skip_calf=True)))
    data = timeline.to_dict()
    assert data["format"] == "solemate.timeline/1"
    assert data["total"] == 720
    assert Timeline.from_dict(data) == timeline
    with pytest.raises(ValueError, match=r"not a solemate\.timeline/1"):
        Timeline.from_dict({**data, "format": "x"})


def test_segment_at() -> None:
    timeline = plan(ROUTINE)
    assert timeline.segment_at(0) is timeline.segments[0]
    assert timeline.segment_at(timeline.total) is timeline.segments[-1]
    assert timeline.segment_at(timeline.total + 1) is None
    middle = timeline.segments[5]
    assert timeline.segment_at(middle.start) is middle
