"""Placement to the sample: on time when free, right after the previous speech when not, never early."""

from __future__ import annotations

import itertools

from solemate.audio.arrange import CHIME_GAP, GAP, TICK_KEY, arrange, chime_key, cue_key, speech_key
from solemate.audio.sounds import Chime
from solemate.plan import PlanOptions, plan
from solemate.routine import builtin_routine
from tests.audio.conftest import tiny_timeline

RATE = 1000  # one sample per millisecond keeps the arithmetic readable


def _lengths(timeline: object, speech_ms: int) -> dict[str, int]:
    from solemate.timeline import Timeline

    assert isinstance(timeline, Timeline)
    lengths = {speech_key(c.text): speech_ms for c in timeline.cues if c.kind != "tick"}
    lengths.update({chime_key(k): 1200 for k in Chime})
    lengths[TICK_KEY] = 250
    return lengths


def test_short_cues_start_exactly_at_their_time() -> None:
    timeline = tiny_timeline()
    arrangement = arrange(timeline, _lengths(timeline, 300), RATE, chimes=False)
    starts = [p.start for p in arrangement.speech]
    assert starts == [c.at * RATE for c in timeline.cues]
    assert arrangement.late == []
    assert arrangement.length == timeline.total * RATE


def test_a_cue_waits_for_the_previous_speech_and_never_starts_early() -> None:
    timeline = tiny_timeline()
    arrangement = arrange(timeline, _lengths(timeline, 2500), RATE, chimes=False)
    previous_end = None
    for placed in arrangement.speech:
        assert placed.planned is not None
        assert placed.start >= placed.planned
        if placed.start > placed.planned:
            assert previous_end is not None
            assert placed.start == previous_end + round(GAP * RATE)
        previous_end = placed.end
    assert arrangement.late  # 2.5 s phrases cannot all fit the one-second countdown


def test_chimes_end_before_the_cue_they_announce() -> None:
    timeline = tiny_timeline()
    arrangement = arrange(timeline, _lengths(timeline, 300), RATE)
    placed = sorted(arrangement.placed, key=lambda p: p.start)
    chimes = [(i, p) for i, p in enumerate(placed) if p.kind == "chime"]
    kinds = [p.key for _, p in chimes]
    assert kinds == [
        chime_key(Chime.step),  # left foot, step 1
        chime_key(Chime.step),  # step 2
        chime_key(Chime.feet),  # the other foot
        chime_key(Chime.step),  # right foot, step 2
        chime_key(Chime.end),
    ]
    for i, chime in chimes[:-1]:
        following = placed[i + 1]
        assert following.kind == "speech"
        assert following.start - chime.end == round(CHIME_GAP * RATE)
        assert following.start == following.planned  # the chime fit in the silence before
    end = chimes[-1][1]
    assert end.end == arrangement.length == timeline.total * RATE


def test_sounds_never_overlap() -> None:
    timeline = plan(builtin_routine(), PlanOptions(voice="partner", preparation=True))
    arrangement = arrange(timeline, _lengths(timeline, 4000), RATE)
    placed = sorted(arrangement.placed, key=lambda p: p.start)
    for a, b in itertools.pairwise(placed):
        assert b.start >= a.end


def test_chapters_one_per_step_and_foot_in_time_order() -> None:
    timeline = plan(builtin_routine(), PlanOptions())
    arrangement = arrange(timeline, _lengths(timeline, 300), RATE)
    titles = [c.title for c in arrangement.chapters]
    starts = [c.start for c in arrangement.chapters]
    assert starts == sorted(starts)
    assert len(set(starts)) == len(starts)
    assert titles[0] == "Opening"
    assert titles[-1] == "Closing"
    assert titles.count("Towel wrap, then the other foot") == 1
    steps = [t for t in titles if " foot — Step " in t]
    assert len(steps) == 14
    assert steps[2] == "Left foot — Step 3: Arch work for central calm"


def test_speech_that_runs_past_the_end_lengthens_the_session() -> None:
    timeline = tiny_timeline()
    arrangement = arrange(timeline, _lengths(timeline, 20_000), RATE)
    last = max(p.end for p in arrangement.placed)
    assert arrangement.length > timeline.total * RATE
    assert arrangement.length == last + 500


def test_a_ticked_count_is_placed_as_the_tick_never_as_words() -> None:
    voiced = tiny_timeline()
    ticked = tiny_timeline(counts="ticks")
    said = arrange(voiced, _lengths(voiced, 300), RATE)
    marked = arrange(ticked, _lengths(ticked, 300), RATE)
    ticks = [p for p in marked.placed if p.kind == "tick"]
    tick_cues = [c for c in ticked.cues if c.kind == "tick"]
    assert len(tick_cues) == 2
    assert [p.start for p in ticks] == [c.at * RATE for c in tick_cues]
    assert all(p.key == TICK_KEY and p.length == 250 for p in ticks)
    # ticked holds are not counted down aloud either: only the countdown words and the counts go
    countdown = [c for c in voiced.cues if c.kind == "countdown"]
    assert len(marked.speech) == len(said.speech) - len(tick_cues) - len(countdown)
    assert not any(p.key == speech_key(c.text) for p in marked.placed for c in tick_cues)
    assert len(marked.cues) == len(ticked.cues) == len(said.cues) - len(countdown)
    assert [cue_key(c) for c in ticked.cues].count(TICK_KEY) == 2


def test_a_tick_waits_for_speech_and_counts_as_late() -> None:
    ticked = tiny_timeline(counts="ticks")
    arrangement = arrange(ticked, _lengths(ticked, 6000), RATE, chimes=False)
    ticks = [p for p in arrangement.placed if p.kind == "tick"]
    assert all(p.planned is not None and p.start > p.planned for p in ticks)
    assert set(map(id, ticks)) <= set(map(id, arrangement.late))
