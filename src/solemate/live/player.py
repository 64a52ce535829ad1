"""The live player: keeps a Timeline's time and fires its cues, nothing else.

Deadlines are absolute. The player remembers one anchor, "session position P was at clock time T",
and every deadline is computed from it, so nothing accumulates: a 30-minute session ends on time,
pauses included. Outputs (screen, speech, chimes), inputs (keys, voice) and the journal are passed in.

Played time is kept beside the position: the clock time spent playing, not paused; a skip
jumps the position but plays nothing, and a repeated step is played (and counted) again. The
recorder is given it at every boundary and at the end, so the journal knows how much of a
session was actually played (:meth:`Player.played_seconds`).

A session whose cues turned brief on their own can be given its full-wording plan too: one key
(:attr:`Command.FULL`) changes over to it, and the part under way starts again, explained in full.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from solemate.live.clock import Clock, Inputs
from solemate.live.commands import SHIFT_SECONDS, Command
from solemate.timeline import Cue, Segment, Timeline, shift

ChimeKind = Literal["step", "switch", "end"]
Status = Literal["completed", "interrupted"]
LOOKAHEAD = 4  # cues handed to the sink ahead of time, so speech is ready on its deadline


@dataclass(frozen=True)
class View:
    """Everything a screen needs to draw one moment of the session."""

    timeline: Timeline
    position: float
    segment: Segment
    next_segment: Segment | None
    paused: bool
    last_cue: Cue | None
    offer_full: bool = False
    """Brief cues chosen by the rule: the screen offers full explanations (one key)."""

    @property
    def remaining_in_segment(self) -> float:
        return max(0.0, self.segment.end - self.position)

    @property
    def remaining(self) -> float:
        return max(0.0, self.timeline.total - self.position)


class Sink(Protocol):
    """Where the session goes: a screen, a speaker, a recording."""

    def cue(self, cue: Cue, segment: Segment) -> None:
        """Say (and show) ``cue``."""
        ...

    def tick(self, cue: Cue, segment: Segment) -> None:
        """Mark a count with the soft tick and show its words: a ``tick`` cue is never said."""
        ...

    def chime(self, kind: ChimeKind) -> None: ...

    def prepare(self, cues: Sequence[Cue]) -> None: ...

    def show(self, view: View) -> None: ...

    def notice(self, text: str) -> None: ...

    def cut(self) -> None:
        """Stop what is being said now: the person skipped or went back."""
        ...

    def close(self) -> None: ...


class Recorder(Protocol):
    """Where progress is written as it happens (the journal), so a killed session stays honest.

    ``played`` is the session's played time so far, in session seconds (not paused, not skipped).
    """

    def boundary(self, segment: Segment, played: float) -> None: ...

    def finish(
        self, status: Status, segment: Segment, timeline: Timeline, played: float
    ) -> None: ...


class NullRecorder:
    def boundary(self, segment: Segment, played: float) -> None:
        pass

    def finish(self, status: Status, segment: Segment, timeline: Timeline, played: float) -> None:
        pass


@dataclass(frozen=True)
class Outcome:
    """How a guided session ended: its status, where it stopped and how long was played."""

    status: Status
    position: float
    segment: Segment
    timeline: Timeline
    played: float = 0.0
    """Seconds actually played: not paused, not skipped."""


def _step_key(segment: Segment) -> tuple[str, object, object]:
    return (segment.kind, segment.foot, segment.step)


def _part_key(segment: Segment) -> tuple[str, object, object, object]:
    return (segment.kind, segment.foot, segment.step, segment.action)


def matching_segment(other: Timeline, timeline: Timeline, segment: Segment) -> Segment:
    """``segment`` of ``timeline`` in ``other``, a plan of the same session in other words.

    The same part (kind, foot, step, action) at the same repetition; the part at the same time when
    ``other`` has no such part.
    """
    key = _part_key(segment)
    nth = sum(_part_key(s) == key for s in timeline.segments[: segment.index])
    same = [s for s in other.segments if _part_key(s) == key]
    if nth < len(same):
        return same[nth]
    return other.segment_at(min(segment.start, other.total)) or other.segments[-1]


class Player:
    def __init__(
        self,
        timeline: Timeline,
        clock: Clock,
        inputs: Inputs,
        sinks: Sequence[Sink],
        recorder: Recorder | None = None,
        full_wording: Timeline | None = None,
    ) -> None:
        self.timeline = timeline
        self.full_wording = full_wording
        """The same session in full wording, offered until taken (None: nothing to offer)."""
        self.clock = clock
        self.inputs = inputs
        self.sinks = list(sinks)
        self.recorder = recorder or NullRecorder()
        self._reindex()
        self._anchor_pos = 0.0
        self._anchor_time = 0.0
        self._played = 0.0  # played before the current stretch of play
        self._playing_since: float | None = None  # clock time the current stretch began
        self.paused = False
        self._next = 0  # index of the next cue to fire
        self._current: Segment | None = None
        self._recorded: Segment | None = None  # the last action segment written to the recorder
        self._last_cue: Cue | None = None

    # --- time ---------------------------------------------------------------------------------

    def _reindex(self) -> None:
        self._cues = [(cue, segment) for segment in self.timeline.segments for cue in segment.cues]
        self._times = [cue.at for cue, _ in self._cues]

    def position(self) -> float:
        if self.paused:
            return self._anchor_pos
        return self._anchor_pos + (self.clock.now() - self._anchor_time)

    def played_seconds(self) -> float:
        """Time actually played so far: clock time not paused; a skip plays nothing."""
        if self._playing_since is None:
            return self._played
        return self._played + max(0.0, self.clock.now() - self._playing_since)

    def _stop_playing(self) -> None:
        self._played = self.played_seconds()
        self._playing_since = None

    def _anchor(self, position: float) -> None:
        self._anchor_pos = position
        self._anchor_time = self.clock.now()

    def _deadline_for(self, position: float) -> float:
        return self._anchor_time + (position - self._anchor_pos)

    def _segment_at(self, position: float) -> Segment:
        return (
            self.timeline.segment_at(min(position, self.timeline.total))
            or self.timeline.segments[-1]
        )

    # --- outputs ------------------------------------------------------------------------------

    def _emit_view(self) -> None:
        position = min(self.position(), float(self.timeline.total))
        segment = self._segment_at(position)
        following = self.timeline.segments[segment.index + 1 :]
        view = View(
            self.timeline,
            position,
            segment,
            following[0] if following else None,
            self.paused,
            self._last_cue,
            self.full_wording is not None,
        )
        for sink in self.sinks:
            sink.show(view)

    def _enter(self, segment: Segment) -> None:
        """A new segment begins: chime and record when the step (or the foot) changes."""
        previous = self._current
        self._current = segment
        if previous is not None and _step_key(previous) == _step_key(segment):
            return
        if segment.kind == "between-feet":
            self._chime("switch")
        elif segment.kind == "action" and previous is not None:
            self._chime("step")
        self.recorder.boundary(segment, self.played_seconds())
        if segment.kind == "action":
            self._recorded = segment

    def _chime(self, kind: ChimeKind) -> None:
        for sink in self.sinks:
            sink.chime(kind)

    def _fire_due(self) -> None:
        position = self.position()
        # A segment begins at its start (its chime, and the journal), even when its first words
        # come a moment later, after the chime.
        if position < self.timeline.total:
            segment = self._segment_at(position)
            if segment is not self._current:
                self._enter(segment)
        while self._next < len(self._cues) and self._times[self._next] <= position + 1e-9:
            cue, segment = self._cues[self._next]
            if segment is not self._current:
                self._enter(segment)
            for sink in self.sinks:
                if cue.kind == "tick":
                    sink.tick(cue, segment)
                else:
                    sink.cue(cue, segment)
            self._last_cue = cue
            self._next += 1
            upcoming = [c for c, _ in self._cues[self._next : self._next + LOOKAHEAD]]
            for sink in self.sinks:
                sink.prepare(upcoming)

    # --- commands -----------------------------------------------------------------------------

    def _seek(self, position: float) -> None:
        """Jump to ``position``; cues from there on fire again (a repeated step is said again)."""
        for sink in self.sinks:
            sink.cut()
        self._anchor(position)
        self._next = bisect.bisect_left(self._times, position)

    def _change_to_full(self, segment: Segment) -> None:
        """Go on in full wording: the part under way starts again, now explained in full."""
        full = self.full_wording
        assert full is not None
        self.full_wording = None
        same = matching_segment(full, self.timeline, segment)
        self.timeline = full
        self._reindex()
        self._seek(float(same.start))

    def _handle(self, command: Command) -> Status | None:
        position = self.position()
        segment = self._segment_at(position)
        if command is Command.QUIT:
            return "interrupted"
        if command is Command.TOGGLE:
            command = Command.RESUME if self.paused else Command.PAUSE
        if command is Command.PAUSE and not self.paused:
            self._anchor(position)
            self._stop_playing()
            self.paused = True
        elif command is Command.RESUME and self.paused:
            self.paused = False
            self._anchor(position)
            self._playing_since = self.clock.now()
        elif command is Command.NEXT:
            later = self.timeline.segments[segment.index + 1 :]
            self._seek(float(later[0].start) if later else float(self.timeline.total))
        elif command is Command.REPEAT:
            self._seek(float(segment.start))
        elif command in (Command.MORE, Command.LESS):
            delta = SHIFT_SECONDS if command is Command.MORE else -SHIFT_SECONDS
            self.timeline = shift(self.timeline, segment.index, delta, now=position)
            self._reindex()
            self._current = self.timeline.segments[segment.index]
            # cues before `position` are unchanged, so the count of fired cues still holds
        elif command is Command.FULL and self.full_wording is not None:
            self._change_to_full(segment)
        return None

    # --- the loop -----------------------------------------------------------------------------

    def run(self) -> Outcome:
        self._anchor(0.0)
        self._playing_since = self.clock.now()
        status: Status = "completed"
        try:
            while True:
                self._fire_due()
                position = self.position()
                if position >= self.timeline.total:
                    break
                self._emit_view()
                if self.paused:
                    deadline = math.inf
                else:
                    next_cue = (
                        self._times[self._next] if self._next < len(self._times) else math.inf
                    )
                    tick = math.floor(position) + 1  # the countdown on screen moves once a second
                    deadline = self._deadline_for(min(next_cue, tick, self.timeline.total))
                command = self.inputs.wait(self.clock, deadline)
                if command is not None:
                    result = self._handle(command)
                    if result is not None:
                        status = result
                        break
        except KeyboardInterrupt:  # Ctrl-C ends the session like q: recorded, never lost
            status = "interrupted"
        position = min(self.position(), float(self.timeline.total))
        # Past the end nothing plays: a stalled process waking late has not played the overshoot.
        overshoot = max(0.0, self.position() - self.timeline.total) if not self.paused else 0.0
        self._stop_playing()
        self._played = max(0.0, self._played - overshoot)
        segment = self._segment_at(position if status == "interrupted" else self.timeline.total)
        if status == "completed":
            # A stalled process (a suspended laptop, a busy machine) can wake past the last steps:
            # a completed session is still recorded at its last step.
            last = next(s for s in reversed(self.timeline.segments) if s.kind == "action")
            if self._recorded is None or _step_key(self._recorded) != _step_key(last):
                self.recorder.boundary(last, self._played)
            self._chime("end")
        self._emit_view()
        self.recorder.finish(status, segment, self.timeline, self._played)
        return Outcome(status, position, segment, self.timeline, self._played)


class RecordingSink:
    """Keeps what the player did with the clock time of each, for tests and the timing benchmark."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.cues: list[tuple[float, Cue, Segment]] = []
        self.ticks: list[tuple[float, Cue, Segment]] = []
        self.chimes: list[tuple[float, ChimeKind]] = []
        self.views: list[View] = []
        self.notices: list[str] = []
        self.prepared: list[Cue] = []
        self.cuts: list[float] = []

    def cue(self, cue: Cue, segment: Segment) -> None:
        self.cues.append((self.clock.now(), cue, segment))

    def tick(self, cue: Cue, segment: Segment) -> None:
        self.ticks.append((self.clock.now(), cue, segment))

    def chime(self, kind: ChimeKind) -> None:
        self.chimes.append((self.clock.now(), kind))

    def prepare(self, cues: Sequence[Cue]) -> None:
        self.prepared.extend(cues)

    def show(self, view: View) -> None:
        self.views.append(view)

    def notice(self, text: str) -> None:
        self.notices.append(text)

    def cut(self) -> None:
        self.cuts.append(self.clock.now())

    def close(self) -> None:
        pass
