"""The planner's promises, checked over every feasible target and option."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solemate.plan import (
    CHIME_ROOM,
    END_ROOM,
    NIGHTLY_SECONDS,
    PlanError,
    PlanOptions,
    _outline,
    _total,
    bounds,
    full_seconds,
    plan,
    room_to_say,
    speech_seconds,
)
from solemate.routine import Action, Range, Routine, builtin_routine
from solemate.safety import SafetyChanges
from solemate.timeline import Segment, Timeline

ROUTINE = builtin_routine("evening")


def check_range(segment: Segment, action: Action, knots: tuple[int, int]) -> None:
    """The segment keeps the action's range between two knots (0 min, 1 low, 2 high, 3 max), raised
    only as far as its words need: a timed action's length, a counted action's seconds each."""
    if action.repeat is None:
        assert action.seconds is not None
        rng = action.seconds
        got = segment.duration
        said = [c for c in segment.cues if c.kind in ("instruction", "checkin")]
        need = segment.cues[0].at - segment.start + sum(room_to_say(c.text) for c in said)
    else:
        rng = action.repeat.seconds
        assert segment.seconds_each is not None
        got = segment.seconds_each
        counts = [c for c in segment.cues if c.kind == "count"]
        need = max(room_to_say(c.text) for c in counts) + int(action.repeat.countdown)
    values = (rng.min, rng.low, rng.high, rng.max)
    low, high = max(values[knots[0]], need), max(values[knots[1]], need)
    assert low <= got <= high, f"{segment.action}: {got} s outside {low}–{high}"


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
        opens = segment.cues[0].at - segment.start
        assert opens in (0, CHIME_ROOM), "every segment opens with what to do (after its chime)"
    check_room_to_speak(timeline)


def check_room_to_speak(timeline: Timeline) -> None:
    """No cue is due while the one before it is still being said, and the closing chime fits."""
    cues = [cue for segment in timeline.segments for cue in segment.cues]
    for before, after in itertools.pairwise(cues):
        assert before.at + speech_seconds(before.text) <= after.at, (before, after)
    last = cues[-1]
    assert last.at + speech_seconds(last.text) + END_ROOM - 1 <= timeline.total


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
        check_range(segment, action, (0, 3))
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
                check_range(segment, ROUTINE.action(segment.action), (1, 2))


def test_full_preset_uses_the_guides_longest_durations() -> None:
    timeline = plan(ROUTINE, PlanOptions(preset="full"))
    assert timeline.total == full_seconds(ROUTINE, PlanOptions())
    by_action = {seg.action: seg for seg in action_segments(timeline, "left")}
    assert by_action["long-strokes"].duration == 180  # two to three minutes
    assert by_action["heel-circles"].duration == 120  # a minute or two
    assert by_action["solar-plexus"].duration == 60  # for a minute
    assert by_action["insomnia-point"].duration == 120  # a minute or two
    assert by_action["ball-points"].seconds_each == 10  # five to ten seconds each


def test_nightly_is_twelve_minutes_and_the_guides_ten_to_fifteen_fit_with_room_to_speak() -> None:
    assert plan(ROUTINE).total == NIGHTLY_SECONDS == 720
    assert plan(ROUTINE, PlanOptions(preset="nightly", voice="partner")).total == 720
    for minutes in range(12, 16):
        for voice in ("self", "partner"):
            timeline = plan(ROUTINE, PlanOptions(minutes=minutes, voice=voice))
            assert timeline.total == minutes * 60
    # Ten or eleven minutes leave too little room to say every cue on both feet: a clear refusal.
    for minutes in (10, 11):
        with pytest.raises(PlanError, match=r"these options allow \(11 min 25 s\)"):
            plan(ROUTINE, PlanOptions(minutes=minutes))


def test_nightly_grows_only_when_the_options_need_more_than_twelve_minutes() -> None:
    assert plan(ROUTINE, PlanOptions(voice="partner")).total == NIGHTLY_SECONDS
    options = PlanOptions(preparation=True, voice="partner")
    assert plan(ROUTINE, options).total == bounds(ROUTINE, options)[0] > NIGHTLY_SECONDS
    long_opening = ROUTINE.opening.model_copy(
        update={"seconds": Range(min=120, low=120, high=150, max=180, origin="solemate")}
    )
    slow = ROUTINE.model_copy(update={"opening": long_opening})
    # planned apart from the built-in routine, even with the same options just planned for it
    shortest_opening = _outline(ROUTINE, PlanOptions())[0].part.knots[0]
    expected = bounds(ROUTINE, PlanOptions())[0] + 120 - shortest_opening
    assert bounds(slow, PlanOptions())[0] == expected
    shortest = bounds(slow, options)[0]
    assert shortest > NIGHTLY_SECONDS
    assert plan(slow, options).total == shortest


def test_shorter_sessions_say_less_but_never_drop_a_step_or_count() -> None:
    roomy = plan(ROUTINE, PlanOptions(minutes=15))
    tight = plan(ROUTINE, PlanOptions(minutes=12))
    assert [s.action for s in roomy.segments] == [s.action for s in tight.segments]
    words = [sum(len(c.text) for s in t.segments for c in s.cues) for t in (roomy, tight)]
    assert words[1] < words[0]
    second = [s for s in tight.segments if s.foot == "right" and s.kind == "action"]
    assert second[0].cues[0].text.startswith("Right foot. Step 1.")
    # the screen still shows the whole instruction
    assert second[0].instruction == next(
        s.instruction for s in roomy.segments if s.foot == "right" and s.kind == "action"
    )


def test_the_same_options_give_the_same_timeline() -> None:
    options = PlanOptions(minutes=13.5, voice="partner", preparation=True)
    assert plan(ROUTINE, options) == plan(ROUTINE, options)
    assert plan(ROUTINE, options).to_json() == plan(ROUTINE, options).to_json()


def test_counted_subcues_read_as_the_guide_counts() -> None:
    timeline = plan(ROUTINE)
    ankle = next(s for s in timeline.segments if s.action == "ankle-circles")
    counts = [c.text for c in ankle.cues if c.kind == "count"]
    assert counts[0] == "clockwise. One."
    assert counts[3] == "Circle 4."
    assert counts[5] == "counterclockwise. One."
    assert [(c.n, c.of) for c in ankle.cues if c.kind == "count"][3] == (4, 10)
    ball = next(s for s in timeline.segments if s.action == "ball-points")
    assert [c.text for c in ball.cues if c.kind == "count"][2] == "below the third toe."
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
        (23, said[0][1]),
        (30, "three"),
        (31, "two"),
        (32, "one"),
        (33, "And release."),
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
        (PlanOptions(minutes=4), "The shortest possible is 5 min 54 s, with one foot only"),
        (PlanOptions(minutes=8), "It fits with: one foot only (--foot left)"),
        (PlanOptions(minutes=60), "longer than the longest session"),
        (
            PlanOptions(minutes=12, preparation=True),
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


@pytest.mark.parametrize("rate", [90, 120, 200])
def test_a_slower_voice_gets_more_room_and_every_cue_still_fits(rate: int) -> None:
    options = PlanOptions(speech_rate=rate)
    shortest = bounds(ROUTINE, options)[0]
    default = bounds(ROUTINE, PlanOptions())[0]
    assert (shortest > default) if rate < 145 else (shortest <= default)
    timeline = plan(ROUTINE, dataclasses.replace(options, minutes=max(shortest, 720) / 60))
    cues = [cue for segment in timeline.segments for cue in segment.cues]
    for before, after in itertools.pairwise(cues):
        # a countdown keeps its one-word-a-second rhythm at any rate ("three" is 0.9 s at 80)
        if before.kind != "countdown":
            assert before.at + speech_seconds(before.text, rate) <= after.at, (before, after)


def test_a_speech_rate_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="speech rate must be 80–450 words a minute, got 40"):
        PlanOptions(speech_rate=40)
