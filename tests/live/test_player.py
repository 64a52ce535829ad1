"""Whole sessions on a fake clock: every cue on time, and pause, skip, repeat and ±30 s behave."""

from __future__ import annotations

import doctest
import itertools

import pytest

from solemate.live import keys
from solemate.live.clock import FakeClock, ScriptedInputs
from solemate.live.commands import Command
from solemate.live.player import Outcome, Player, RecordingSink
from solemate.plan import CHIME_ROOM, PlanOptions, plan
from solemate.routine import Routine
from solemate.timeline import Segment, Timeline, shift


class ListRecorder:
    def __init__(self) -> None:
        self.boundaries: list[tuple[str | None, int | None]] = []
        self.finished: tuple[str, str | None, int | None] | None = None
        self.played: list[float] = []

    def boundary(self, segment: Segment, played: float) -> None:
        self.boundaries.append((segment.foot, segment.step))
        self.played.append(played)

    def finish(self, status: str, segment: Segment, timeline: Timeline, played: float) -> None:
        self.finished = (status, segment.foot, segment.step)
        self.played.append(played)


def run(
    timeline: Timeline, script: list[tuple[float, Command]] | None = None
) -> tuple[Outcome, RecordingSink, ListRecorder, FakeClock]:
    clock = FakeClock()
    sink = RecordingSink(clock)
    recorder = ListRecorder()
    outcome = Player(timeline, clock, ScriptedInputs(script or []), [sink], recorder).run()
    return outcome, sink, recorder, clock


@pytest.mark.parametrize("options", [PlanOptions(), PlanOptions(preset="full", voice="partner")])
def test_every_cue_fires_in_order_at_its_planned_time(
    evening: Routine, options: PlanOptions
) -> None:
    timeline = plan(evening, options)
    outcome, sink, recorder, clock = run(timeline)
    assert outcome.status == "completed"
    assert clock.t == timeline.total
    assert [cue for _, cue, _ in sink.cues] == list(timeline.cues)
    assert all(at == cue.at for at, cue, _ in sink.cues)
    assert [kind for _, kind in sink.chimes].count("switch") == 1
    assert sink.chimes[-1] == (timeline.total, "end")
    assert recorder.finished == ("completed", None, None)
    # speech can be prepared ahead: every cue was handed over before its deadline
    assert set(sink.prepared) >= set(timeline.cues[1:])


def test_boundaries_are_each_step_of_each_foot(evening: Routine) -> None:
    timeline = plan(evening)
    _, _, recorder, _ = run(timeline)
    steps = [(foot, n) for foot in ("left", "right") for n in range(1, 8)]
    recorded = [b for b in recorder.boundaries if b[1] is not None]
    assert recorded == steps


def test_pause_and_resume_shift_everything_after_by_the_pause(evening: Routine) -> None:
    timeline = plan(evening)
    outcome, sink, _, clock = run(timeline, [(100.0, Command.PAUSE), (160.0, Command.RESUME)])
    assert outcome.status == "completed"
    assert clock.t == timeline.total + 60
    for at, cue, _ in sink.cues:
        assert at == (cue.at if cue.at <= 100 else cue.at + 60)
    assert any(view.paused for view in sink.views)


def test_toggle_twice_is_a_pause(evening: Routine) -> None:
    timeline = plan(evening)
    _, _, _, clock = run(timeline, [(50.0, Command.TOGGLE), (70.0, Command.TOGGLE)])
    assert clock.t == timeline.total + 20


def test_more_and_less_move_the_rest_of_the_plan(evening: Routine) -> None:
    timeline = plan(evening)
    strokes = next(s for s in timeline.segments if s.action == "long-strokes")
    at = strokes.start + 5.0
    outcome, sink, _, clock = run(timeline, [(at, Command.MORE)])
    assert outcome.timeline.total == timeline.total + 30
    assert clock.t == timeline.total + 30
    assert [when for when, _, _ in sink.cues] == [cue.at for cue in outcome.timeline.cues]
    for before, after in zip(timeline.segments, outcome.timeline.segments, strict=True):
        moved = 30 if before.index > strokes.index else 0
        assert [c.at + moved for c in before.cues] == [c.at for c in after.cues]

    outcome, sink, _, clock = run(timeline, [(at, Command.LESS)])
    shortened = outcome.timeline.segments[strokes.index]
    assert shortened.end == max(strokes.end - 30, int(at) + 1)
    assert outcome.timeline.total == timeline.total - (strokes.end - shortened.end)
    assert clock.t == outcome.timeline.total


def test_less_never_cuts_a_count(evening: Routine) -> None:
    timeline = plan(evening)
    ball = next(s for s in timeline.segments if s.action == "ball-points")
    shorter = shift(timeline, ball.index, -30, now=ball.start + 1)
    counts = [c for c in shorter.segments[ball.index].cues if c.kind == "count"]
    assert len(counts) == len([c for c in ball.cues if c.kind == "count"]) >= 3
    assert shorter.segments[ball.index].end > max(c.at for c in shorter.segments[ball.index].cues)


def test_next_skips_to_the_next_part_and_repeat_says_it_again(evening: Routine) -> None:
    timeline = plan(evening)
    heel = next(s for s in timeline.segments if s.action == "heel-circles")
    _, sink, _, clock = run(timeline, [(heel.start + 3.0, Command.NEXT)])
    following = timeline.segments[heel.index + 1]
    fired = [(at, cue) for at, cue, _ in sink.cues]
    opens = following.cues[0].at - following.start  # after the new step's chime
    assert (heel.start + 3.0 + opens, following.cues[0]) in fired
    assert clock.t == timeline.total - (heel.duration - 3)

    _outcome, sink, _, clock = run(timeline, [(heel.start + 10.0, Command.REPEAT)])
    said = [cue for _, cue, _ in sink.cues if cue == heel.cues[0]]
    assert len(said) == 2
    assert clock.t == timeline.total + 10


def test_quit_records_where_it_stopped(evening: Routine) -> None:
    timeline = plan(evening)
    toes = next(s for s in timeline.segments if s.action == "toe-squeeze-roll" and s.foot == "left")
    outcome, _, recorder, _ = run(timeline, [(toes.start + 2.0, Command.QUIT)])
    assert outcome.status == "interrupted"
    assert (outcome.segment.foot, outcome.segment.step) == ("left", 4)
    assert recorder.finished == ("interrupted", "left", 4)


def test_next_on_the_last_part_finishes(evening: Routine) -> None:
    timeline = plan(evening)
    last = timeline.segments[-1]
    outcome, _, recorder, _ = run(timeline, [(last.start + 1.0, Command.NEXT)])
    assert outcome.status == "completed"
    assert recorder.finished is not None
    assert recorder.finished[0] == "completed"


def test_pausing_with_nothing_to_resume_is_reported_by_the_script(evening: Routine) -> None:
    with pytest.raises(RuntimeError, match="paused with no command"):
        run(plan(evening), [(10.0, Command.PAUSE)])


def test_the_view_counts_down(evening: Routine) -> None:
    timeline = plan(evening)
    _, sink, _, _ = run(timeline)
    positions = [v.position for v in sink.views]
    assert positions == sorted(positions)
    assert {int(p) for p in positions} >= set(range(0, timeline.total, 1))
    view = next(v for v in sink.views if v.segment.action == "long-strokes")
    assert view.remaining_in_segment <= view.segment.duration


def test_key_parsing_doctests() -> None:
    assert doctest.testmod(keys).failed == 0


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("\x1b[6~", [Command.NEXT]),  # Page Down from a pedal
        ("\x1b[5~", [Command.REPEAT]),  # Page Up
        ("\x1b[D\x1b[C", [Command.REPEAT, Command.NEXT]),
        ("-+", [Command.LESS, Command.MORE]),
        ("xyz", []),
        ("\x1b", []),
    ],
)
def test_pedal_and_arrow_keys(typed: str, expected: list[Command]) -> None:
    assert keys.parse(typed)[0] == expected


def test_skipping_cuts_the_speech_in_progress(evening: Routine) -> None:
    timeline = plan(evening)
    _, sink, _, _ = run(
        timeline,
        [
            (30.0, Command.NEXT),
            (80.0, Command.REPEAT),
            (90.0, Command.PAUSE),
            (95.0, Command.RESUME),
        ],
    )
    assert sink.cuts == [30.0, 80.0]


def test_a_new_step_chimes_at_its_start_and_speaks_after_the_chime(evening: Routine) -> None:
    timeline = plan(evening)
    _, sink, _, _ = run(timeline)
    steps = [
        s
        for before, s in itertools.pairwise(timeline.segments)
        if s.kind == "action" and (before.foot, before.step) != (s.foot, s.step)
    ]
    chimed = {at for at, kind in sink.chimes if kind in ("step", "switch")}
    for segment in steps:
        assert segment.start in chimed, segment.title
        first_words = next(at for at, cue, _ in sink.cues if cue is segment.cues[0])
        assert first_words == segment.start + CHIME_ROOM


class SlowRecorder(ListRecorder):
    """A journal write that stalls the process (a busy disk) long enough to pass the end."""

    def __init__(self, clock: FakeClock, on: tuple[str, int], seconds: float) -> None:
        super().__init__()
        self.clock, self.on, self.seconds = clock, on, seconds

    def boundary(self, segment: Segment, played: float) -> None:
        super().boundary(segment, played)
        if (segment.foot, segment.step) == self.on:
            self.clock.t += self.seconds


def test_a_stall_past_the_last_steps_still_records_the_last_step(evening: Routine) -> None:
    timeline = plan(evening)
    last = [s for s in timeline.segments if s.kind == "action"][-1]
    clock = FakeClock()
    recorder = SlowRecorder(clock, on=("right", 6), seconds=300)
    outcome = Player(timeline, clock, ScriptedInputs(), [RecordingSink(clock)], recorder).run()
    assert outcome.status == "completed"
    assert ("right", 7) not in recorder.boundaries[:-1]  # the stall skipped the step itself
    assert recorder.boundaries[-1] == (last.foot, last.step)


def test_a_ticked_count_goes_to_the_sinks_tick_and_is_never_said(evening: Routine) -> None:
    timeline = plan(evening, PlanOptions(counts="ticks"))
    ticked = [cue for cue in timeline.cues if cue.kind == "tick"]
    assert ticked
    outcome, sink, _, _ = run(timeline)
    assert outcome.status == "completed"
    assert [cue for _, cue, _ in sink.ticks] == ticked
    assert all(at == cue.at for at, cue, _ in sink.ticks)
    assert not any(cue.kind == "tick" for _, cue, _ in sink.cues)
    assert len(sink.cues) + len(sink.ticks) == len(timeline.cues)
    # the screen is handed the tick's words, as it would a spoken count
    shown = {view.last_cue for view in sink.views if view.last_cue is not None}
    assert set(ticked) <= shown


def test_one_key_changes_a_brief_session_to_full_explanations(evening: Routine) -> None:
    from solemate.live.player import matching_segment

    brief = plan(evening, PlanOptions(wording="brief"))
    full = plan(evening, PlanOptions(wording="full"))
    arch = next(s for s in brief.segments if s.step == 3 and s.foot == "left")
    pressed = arch.start + 5.0
    clock = FakeClock()
    sink = RecordingSink(clock)
    recorder = ListRecorder()
    player = Player(
        brief,
        clock,
        ScriptedInputs([(pressed, Command.FULL)]),
        [sink],
        recorder,
        full_wording=full,
    )
    outcome = player.run()
    assert outcome.status == "completed"
    same = matching_segment(full, brief, arch)
    assert (same.foot, same.step, same.action) == (arch.foot, arch.step, arch.action)
    # the arch starts again from its beginning, in full words; the session ends that much later
    after = [(at, cue) for at, cue, _ in sink.cues if at > pressed]
    assert after[0][1] == same.cues[0]
    assert after[0][0] == pytest.approx(pressed + same.cues[0].at - same.start)
    later = [cue for _, cue in after]
    assert later == [c for c in full.cues if c.at >= same.start]
    assert clock.t == pytest.approx(full.total + pressed - same.start)
    assert outcome.timeline is full
    went_back = next(
        i for i, (a, b) in enumerate(itertools.pairwise(sink.views), 1) if b.position < a.position
    )
    assert all(v.offer_full for v in sink.views[:went_back])
    assert not any(v.offer_full for v in sink.views[went_back:])
    # the arch was entered once: going back into it neither chimes nor records it again
    assert recorder.boundaries.count(("left", 3)) == 1


def test_the_full_key_does_nothing_when_nothing_is_offered(evening: Routine) -> None:
    timeline = plan(evening, PlanOptions(wording="brief"))
    outcome, sink, _, clock = run(timeline, [(100.0, Command.FULL)])
    assert outcome.timeline is timeline
    assert clock.t == timeline.total
    assert sink.notices == []
    assert not any(view.offer_full for view in sink.views)


def test_played_time_leaves_out_pauses_and_skips(evening: Routine) -> None:
    timeline = plan(evening)
    # Played straight through: the whole planned time.
    outcome, _, recorder, _ = run(timeline)
    assert outcome.played == timeline.total
    assert recorder.played[-1] == timeline.total
    assert recorder.played == sorted(recorder.played)  # cumulative at every boundary
    # Paused for ten minutes at 60 s: the pause is not played.
    outcome, _, _, clock = run(timeline, [(60.0, Command.PAUSE), (660.0, Command.RESUME)])
    assert outcome.status == "completed"
    assert clock.t == timeline.total + 600
    assert outcome.played == timeline.total
    # Skipped through, one second per part: only those seconds were played.
    parts = len(timeline.segments)
    script = [(float(i + 1), Command.NEXT) for i in range(parts)]
    outcome, _, recorder, _ = run(timeline, script)
    assert outcome.status == "completed"
    assert outcome.played <= parts + 1
    assert outcome.played < 0.1 * timeline.total
    assert recorder.played[-1] == outcome.played
    # Stopped at 90 s: 90 s played.
    outcome, _, _, _ = run(timeline, [(90.0, Command.QUIT)])
    assert (outcome.status, outcome.played) == ("interrupted", 90.0)
