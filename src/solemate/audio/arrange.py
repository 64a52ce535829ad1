"""Where every sound of a session goes, to the sample: cues, chimes, and the chapters they make.

Placement rule (the same one the live guide follows): a cue starts at ``round(at × rate)``; when the
previous speech is still going it starts :data:`GAP` after that speech ends, never earlier than its
own time. A chime announces a new step (a bell), the other foot (two notes) and the end (a bowl):
it is placed to finish just before the cue it announces, in the silence after the previous
speech, and when there is no room it pushes that cue later rather than talking over it. A count
the plan marks with a tick (a ``tick`` cue) is placed like a spoken one, but as the soft tick
sound: it is never said.

The arrangement is pure bookkeeping over sample indices; the sounds themselves stay in
:class:`Sounds`, one copy per distinct phrase, so memory follows the routine's vocabulary, not the
session's length.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from solemate.audio.sounds import Chime
from solemate.timeline import Cue, Segment, Timeline

GAP = 0.25
"""Seconds of silence between two phrases when the second had to wait for the first."""

CHIME_GAP = 0.15
"""Seconds between the end of a chime and the voice it announces."""

END_CHIME_AFTER = 1.0
"""Seconds between the closing words and the end bowl."""

TAIL = 0.5
"""Seconds kept after the last sound when speech runs past the planned end."""


@dataclass(frozen=True)
class Placed:
    """One sound at a sample offset. ``key`` names it in :class:`Sounds` (a phrase or a chime)."""

    start: int
    length: int
    key: str
    kind: str  # "speech", "tick" or "chime"
    planned: int | None = None
    """For a cue (speech or tick): its own time in samples (``start`` is later when it waited)."""

    @property
    def end(self) -> int:
        return self.start + self.length


@dataclass(frozen=True)
class Chapter:
    """A chapter mark: its first sample and its title."""

    start: int
    title: str


@dataclass
class Arrangement:
    """Where each clip lies on the session's track, and its chapters."""

    sample_rate: int
    length: int
    planned_length: int
    placed: list[Placed] = field(default_factory=list)
    chapters: list[Chapter] = field(default_factory=list)

    @property
    def speech(self) -> list[Placed]:
        return [p for p in self.placed if p.kind == "speech"]

    @property
    def cues(self) -> list[Placed]:
        """Every cue's sound, said or ticked, in time order."""
        return [p for p in self.placed if p.planned is not None]

    @property
    def late(self) -> list[Placed]:
        """Cues that had to wait for earlier speech (or a chime) to finish."""
        return [p for p in self.cues if p.planned is not None and p.start > p.planned]


def chime_key(kind: Chime) -> str:
    return f"chime:{kind.value}"


def speech_key(text: str) -> str:
    return f"say:{text}"


TICK_KEY = "tick"
"""The one sound every ``tick`` cue plays."""


def cue_key(cue: Cue) -> str:
    """The sound a cue plays: its words, or the tick for a count that is not said."""
    return TICK_KEY if cue.kind == "tick" else speech_key(cue.text)


def chapter_title(segment: Segment) -> str:
    if segment.kind == "action" and segment.foot and segment.step is not None:
        return f"{segment.foot.capitalize()} foot — Step {segment.step}: {segment.step_title}"
    return segment.title


def _chime_for(segment: Segment, last_action: Segment | None) -> Chime | None:
    """A bell for a new step; two notes when the step is also the first on the other foot."""
    if segment.kind != "action" or segment.step is None:
        return None  # the opening, towel and closing are introduced by their words alone
    if last_action is None:
        return Chime.step
    if last_action.foot != segment.foot:
        return Chime.feet
    if last_action.step != segment.step:
        return Chime.step
    return None


def arrange(
    timeline: Timeline,
    lengths: dict[str, int],
    sample_rate: int,
    chimes: bool = True,
) -> Arrangement:
    """Place every cue and chime of ``timeline``; ``lengths`` gives each sound's length in samples.

    ``lengths`` must hold :func:`cue_key` of every cue (the tick, when the plan has ``tick`` cues)
    and, with ``chimes``, the three :func:`chime_key` sounds.
    """
    rate = sample_rate
    gap, chime_gap = round(GAP * rate), round(CHIME_GAP * rate)
    placed: list[Placed] = []
    chapters: list[Chapter] = []
    busy_until = 0  # first free sample after the last placed sound
    last_action: Segment | None = None
    last_title = None
    for segment in timeline.segments:
        chime = _chime_for(segment, last_action) if chimes else None
        chapter_start = round(segment.start * rate)
        first_sound = len(placed)
        for i, cue in enumerate(segment.cues):
            planned = round(cue.at * rate)
            earliest = busy_until + gap if placed else 0
            if i == 0 and chime is not None:
                length = lengths[chime_key(chime)]
                chime_start = max(planned - length - chime_gap, busy_until + gap if placed else 0)
                placed.append(Placed(chime_start, length, chime_key(chime), "chime"))
                busy_until = chime_start + length
                earliest = busy_until + chime_gap
            key = cue_key(cue)
            kind = "tick" if key == TICK_KEY else "speech"
            start = max(planned, earliest)
            placed.append(Placed(start, lengths[key], key, kind, planned=planned))
            busy_until = start + lengths[key]
        if len(placed) > first_sound:
            # A chapter starts with its first sound (its chime, or its first words), so skipping
            # to it lands on the step, wherever earlier speech pushed it.
            chapter_start = placed[first_sound].start
        title = chapter_title(segment)
        if title != last_title:
            if chapters and chapter_start <= chapters[-1].start:
                chapter_start = chapters[-1].start + 1
            chapters.append(Chapter(chapter_start, title))
            last_title = title
        if segment.kind == "action":
            last_action = segment
    planned_length = round(timeline.total * rate)
    if chimes and placed:
        length = lengths[chime_key(Chime.end)]
        start = max(busy_until + round(END_CHIME_AFTER * rate), planned_length - length)
        placed.append(Placed(start, length, chime_key(Chime.end), "chime"))
        busy_until = start + length
    length = planned_length if busy_until <= planned_length else busy_until + round(TAIL * rate)
    return Arrangement(rate, length, planned_length, placed, chapters)
