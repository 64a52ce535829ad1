"""The planner's promises, checked over every feasible target and option."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solemate.plan import (
    CHIME_ROOM,
    END_ROOM,
    HOLD_QUIET,
    NIGHTLY_SECONDS,
    PlanError,
    PlanOptions,
    bounds,
    full_seconds,
    plan,
    plan_for_voice,
    room_to_say,
    speech_seconds,
    spoken_texts,
)
from solemate.routine import Action, Range, Routine, builtin_routine
from solemate.safety import SafetyChanges
from solemate.timeline import Segment, Timeline

ROUTINE = builtin_routine("evening")


def check_range(segment: Segment, action: Action) -> None:
    """The segment keeps within the action's min and max, raised only as far as its words need:
    a timed action's length, a counted action's seconds each (a hold: its words and the quiet)."""
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
        counts = [c for c in segment.cues if c.kind in ("count", "tick")]
        need = 0
        if action.repeat.countdown:
            need = max(room_to_say(c.text) for c in counts) + HOLD_QUIET
    assert rng.min <= got, f"{segment.action}: {got} s below its minimum {rng.min}"
    assert got <= max(rng.max, need), f"{segment.action}: {got} s above {max(rng.max, need)}"


def shares(timeline: Timeline) -> dict[str, float]:
    """Each action's share of the session (both feet together)."""
    seconds: dict[str, int] = {}
    for segment in timeline.segments:
        if segment.kind == "action" and segment.action:
            seconds[segment.action] = seconds.get(segment.action, 0) + segment.duration
    return {action: n / timeline.total for action, n in seconds.items()}


@st.composite
def feasible(draw: st.DrawFn) -> tuple[PlanOptions, int]:
    options = PlanOptions(
        feet=draw(st.sampled_from(["both", "left", "right"])),
        first_foot=draw(st.sampled_from(["left", "right"])),
        voice=draw(st.sampled_from(["self", "partner"])),
        preparation=draw(st.booleans()),
        wording=draw(st.sampled_from(["full", "brief"])),
        counts=draw(st.sampled_from(["voice", "ticks"])),
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
        said = 0.3 if before.kind == "tick" else speech_seconds(before.text)  # a tick is not said
        assert before.at + said <= after.at, (before, after)
    last = cues[-1]
    assert last.at + speech_seconds(last.text) + END_ROOM - 1 <= timeline.total


def check_holds(segment: Segment) -> None:
    """Every hold keeps HOLD_QUIET seconds of quiet after its words, before anything else is said."""
    cues = list(segment.cues)
    for i, cue in enumerate(cues):
        if cue.kind in ("count", "tick"):
            said = 0.3 if cue.kind == "tick" else speech_seconds(cue.text)
            following = cues[i + 1]
            assert following.kind in ("countdown", "release")
            assert following.at - (cue.at + said) >= HOLD_QUIET, (cue, following)


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
        check_range(segment, action)
        if action.repeat is not None:
            rep = action.repeat
            kind = "tick" if options.counts == "ticks" else "count"
            counts = [c for c in segment.cues if c.kind == kind]
            assert not [c for c in segment.cues if c.kind in ("count", "tick") and c.kind != kind]
            total = len(counts)
            assert [c.n for c in counts] == list(range(1, total + 1)), "counts are never broken"
            assert all(c.of == total for c in counts)
            if rep.fewest is None:
                assert total == rep.total, "a count the guide fixes is never changed"
            else:
                assert rep.fewest <= total <= rep.total
            assert segment.seconds_each is not None
            if rep.countdown:  # e.g. each ball-of-foot point held 5–10 s, quiet after its words
                assert len([c for c in segment.cues if c.kind == "release"]) == total
                check_holds(segment)
        if options.wording == "brief":
            said = {c.kind for c in segment.cues}
            assert not said & {"breathe", "checkin", "countdown"}, "a brief session stays quiet"
            instruction = next(c for c in segment.cues if c.kind == "instruction")
            assert (
                instruction.text.removeprefix("Left foot. ").removeprefix("Right foot. ")[
                    : len(action.name["en"])
                ]
                == action.name["en"]
            )

    if options.safety.skip_calf:
        assert all("calf" not in seg.zones for seg in timeline.segments)
        assert all("up the calf" not in seg.instruction for seg in timeline.segments)
    if options.safety.gentle_only:
        assert {seg.pressure for seg in timeline.segments if seg.kind == "action"} == {"light"}


def test_full_preset_uses_the_guides_longest_durations() -> None:
    timeline = plan(ROUTINE, PlanOptions(preset="full"))
    assert timeline.total == full_seconds(ROUTINE, PlanOptions())
    by_action = {seg.action: seg for seg in action_segments(timeline, "left")}
    assert by_action["long-strokes"].duration == 180  # two to three minutes
    assert by_action["heel-circles"].duration == 120  # a minute or two
    assert by_action["solar-plexus"].duration == 60  # for a minute
    assert by_action["insomnia-point"].duration == 120  # a minute or two
    assert by_action["ball-points"].seconds_each == 10  # five to ten seconds each


def test_nightly_is_twelve_minutes_and_the_guides_ten_to_fifteen_fit_in_both_wordings() -> None:
    assert plan(ROUTINE).total == NIGHTLY_SECONDS == 720
    assert plan(ROUTINE, PlanOptions(preset="nightly", voice="partner")).total == 720
    for minutes in range(10, 16):  # the guide: "perhaps for ten to fifteen minutes before bed"
        for voice in ("self", "partner"):
            for wording in ("full", "brief"):
                options = PlanOptions(minutes=minutes, voice=voice, wording=wording)
                timeline = plan(ROUTINE, options)
                assert timeline.total == minutes * 60
                assert timeline.feet == ("left", "right")
                check_structure(timeline, ROUTINE)


SHARE_CASES = [
    PlanOptions(minutes=m, voice=v, wording=w, counts=c, safety=SafetyChanges(g, k))
    for m in range(10, 16)
    for v in ("self", "partner")
    for w in ("full", "brief")
    for c in ("voice", "ticks")
    for g in (False, True)
    for k in (False, True)
]


@pytest.mark.parametrize(
    "options",
    SHARE_CASES,
    ids=lambda o: (
        f"{o.minutes:g}-{o.voice}-{o.wording}-{o.counts}-{o.safety.gentle_only:d}{o.safety.skip_calf:d}"
    ),
)
def test_a_short_session_keeps_the_guides_emphasis(options: PlanOptions) -> None:
    """Every action's share of a 10–15 minute session is 0.6–1.6× its share of the full routine,
    every hold keeps its quiet, and the total is exact."""
    full = shares(
        plan(ROUTINE, dataclasses.replace(options, minutes=None, preset="full", wording="full"))
    )
    timeline = plan(ROUTINE, options)
    assert timeline.total == round(options.minutes * 60)  # type: ignore[operator]
    ratios = {action: share / full[action] for action, share in shares(timeline).items()}
    assert ratios.keys() == full.keys()
    outside = {a: round(r, 2) for a, r in ratios.items() if not 0.6 <= r <= 1.6}
    assert not outside, outside
    for segment in timeline.segments:
        if segment.action == "ball-points":
            check_holds(segment)


def test_the_sleep_points_keep_their_weight() -> None:
    full = shares(plan(ROUTINE, PlanOptions(preset="full")))
    twelve = shares(plan(ROUTINE, PlanOptions(minutes=12)))
    for action in ("long-strokes", "heel-circles", "solar-plexus", "insomnia-point"):
        assert twelve[action] / full[action] >= 0.7, action


def test_nightly_grows_only_when_the_options_need_more_than_twelve_minutes() -> None:
    assert plan(ROUTINE, PlanOptions(voice="partner")).total == NIGHTLY_SECONDS
    long_opening = ROUTINE.opening.model_copy(
        update={"seconds": Range(min=420, low=420, high=450, max=480, origin="solemate")}
    )
    slow = ROUTINE.model_copy(update={"opening": long_opening})
    shortest = bounds(slow, PlanOptions())[0]
    assert shortest > NIGHTLY_SECONDS
    assert plan(slow, PlanOptions()).total == shortest


def test_shorter_sessions_say_less_but_never_drop_a_step_or_count() -> None:
    roomy = plan(ROUTINE, PlanOptions(minutes=15))
    tight = plan(ROUTINE, PlanOptions(minutes=10))
    assert [s.action for s in roomy.segments] == [s.action for s in tight.segments]
    words = [sum(len(c.text) for s in t.segments for c in s.cues) for t in (roomy, tight)]
    assert words[1] < words[0]
    named = [
        s for s in tight.segments
        if s.kind == "action" and s.cues[0].text.endswith(f"{s.action_name}.")
    ]  # fmt: skip
    assert named, "a tight session names some actions instead of explaining them"
    assert any("named rather than explained" in note for note in tight.notes)
    # the screen still shows the whole instruction
    for segment in named:
        assert segment.instruction == next(
            s.instruction
            for s in roomy.segments
            if (s.foot, s.action) == (segment.foot, segment.action)
        )


def test_several_points_may_be_fewer_in_a_short_session_spread_along_the_ridge() -> None:
    short = next(
        s for s in plan(ROUTINE, PlanOptions(minutes=10)).segments if s.action == "ball-points"
    )
    assert [c.text for c in short.cues if c.kind == "count"] == [
        "below the big toe.", "below the third toe.", "below the little toe.",
    ]  # fmt: skip
    full = next(
        s for s in plan(ROUTINE, PlanOptions(preset="full")).segments if s.action == "ball-points"
    )
    assert full.repetitions == 5
    # fixed counts are never cut: five circles each way, each of the five toes
    ankle = next(
        s for s in plan(ROUTINE, PlanOptions(minutes=10)).segments if s.action == "ankle-circles"
    )
    assert ankle.repetitions == 10


def test_brief_wording_names_each_part_and_keeps_counts_holds_and_the_towel() -> None:
    brief = plan(ROUTINE, PlanOptions(minutes=12, wording="brief"))
    full = plan(ROUTINE, PlanOptions(minutes=12))
    said = [c for c in brief.cues if c.kind not in ("count",)]
    assert {c.kind for c in brief.cues} <= {
        "opening",
        "instruction",
        "count",
        "release",
        "transition",
        "closing",
    }
    assert sum(len(c.text) for c in said) < 0.5 * sum(len(c.text) for c in full.cues)
    wrap = next(s for s in brief.segments if s.kind == "between-feet")
    assert "towel" in wrap.cues[0].text
    assert [s.action for s in brief.segments] == [s.action for s in full.segments]


def test_ticks_mark_counts_without_words() -> None:
    ticks = plan(ROUTINE, PlanOptions(counts="ticks"))
    ankle = next(s for s in ticks.segments if s.action == "ankle-circles")
    assert [c.kind for c in ankle.cues[1:]] == ["tick"] * 10
    assert [c.n for c in ankle.cues[1:]] == list(range(1, 11))
    assert not any(c.kind == "count" for c in ticks.cues)


def test_measured_speech_lengths_give_each_cue_its_room() -> None:
    """A slow voice's measured lengths: the plan leaves room for them and no cue is late."""
    options = PlanOptions(minutes=12)
    texts = spoken_texts(ROUTINE, options)
    slow = {text: 1.6 * speech_seconds(text) for text in texts}
    timeline = plan(ROUTINE, options, speech=slow)
    assert timeline.total == 720
    said = {c.text for c in timeline.cues}
    assert said <= set(texts), "spoken_texts lists every text a plan may say"
    cues = list(timeline.cues)
    for before, after in itertools.pairwise(cues):
        if before.kind != "countdown":
            assert before.at + slow[before.text] <= after.at, (before, after)
    assert bounds(ROUTINE, options, slow)[0] > bounds(ROUTINE, options)[0]


def test_the_same_options_give_the_same_timeline() -> None:
    options = PlanOptions(minutes=13.5, voice="partner", preparation=True)
    assert plan(ROUTINE, options) == plan(ROUTINE, options)
    assert plan(ROUTINE, options).to_json() == plan(ROUTINE, options).to_json()


def test_counted_subcues_read_as_the_guide_counts() -> None:
    timeline = plan(ROUTINE)
    ankle = next(s for s in timeline.segments if s.action == "ankle-circles")
    counts = [c.text for c in ankle.cues if c.kind == "count"]
    assert counts[0] == "clockwise."
    assert counts[3] == "Circle 4."
    assert counts[5] == "counterclockwise."
    assert [(c.n, c.of) for c in ankle.cues if c.kind == "count"][3] == (4, 10)
    full = plan(ROUTINE, PlanOptions(preset="full"))
    ball = next(s for s in full.segments if s.action == "ball-points")
    assert ball.seconds_each == 10
    said = [
        (c.at - ball.start, c.text)
        for c in ball.cues
        if c.kind in ("count", "countdown", "release")
    ]
    start = said[0][0]
    # a ten-second hold: its words, five seconds of quiet, then "two, one", release
    assert said[:4] == [
        (start, "below the big toe."),
        (start + 8, "two"),
        (start + 9, "one"),
        (start + 10, "And release."),
    ]
    toes = next(s for s in timeline.segments if s.action == "toe-rotate-traction")
    assert [c.text for c in toes.cues if c.kind == "count"][-1] == "the little toe."


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
        (PlanOptions(minutes=4), "The shortest possible is 4 min 42 s, with one foot only"),
        (PlanOptions(minutes=8), "It fits with: one foot only (left)"),
        (PlanOptions(minutes=60), "longer than the longest session"),
        (
            PlanOptions(minutes=9.5, preparation=True),
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


def test_plan_for_voice_measures_only_what_it_says_and_leaves_it_room() -> None:
    asked: list[str] = []

    def measure(texts: Iterable[str]) -> dict[str, float]:
        batch = list(texts)
        asked.extend(batch)
        return {text: 0.8 * speech_seconds(text) for text in batch}

    options = PlanOptions(minutes=12)
    timeline = plan_for_voice(ROUTINE, options, measure)
    said = {c.text for c in timeline.cues if c.kind != "tick"}
    assert said <= set(asked), "every text the session says was measured"
    assert len(asked) == len(set(asked)), "each text is measured once"
    assert len(asked) < len(spoken_texts(ROUTINE, options))
    assert timeline == plan(ROUTINE, options, {t: 0.8 * speech_seconds(t) for t in asked})
    assert plan_for_voice(ROUTINE, options, lambda texts: {}) == plan(ROUTINE, options)


@pytest.mark.parametrize(
    "options",
    [
        PlanOptions(minutes=12),
        PlanOptions(
            minutes=20,
            voice="partner",
            preparation=True,
            feet="right",
            wording="brief",
            counts="ticks",
            safety=SafetyChanges(gentle_only=True, skip_calf=True, patch_test=True),
        ),
    ],
)
def test_the_timeline_dict_is_what_asdict_makes_of_it(options: PlanOptions) -> None:
    """to_dict skips asdict's slow path; the result must not differ, down to tuple or list."""
    timeline = plan(ROUTINE, options)

    def typed(value: object) -> object:
        if isinstance(value, dict):
            return {k: typed(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return (type(value).__name__, [typed(v) for v in value])
        return (type(value).__name__, value)

    expected = {**dataclasses.asdict(timeline), "total": timeline.total}
    assert typed(timeline.to_dict()) == typed(expected)
