"""The Timeline: the one schedule every renderer consumes (terminal, web, audio, print).

A Timeline is an immutable list of contiguous segments, each with absolute start and end seconds and
the cues to say inside it. Renderers only read it; none of them re-derives timing. Its JSON form
(:meth:`Timeline.to_dict`, documented in ``docs/timeline-format.md``) carries a format version so the
web page and stored sessions can tell which shape they hold.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any, Literal

TIMELINE_FORMAT = "solemate.timeline/1"

Foot = Literal["left", "right"]
SegmentKind = Literal["opening", "preparation", "action", "between-feet", "closing"]
CueKind = Literal[
    "opening",
    "preparation",
    "instruction",
    "count",
    "tick",
    "countdown",
    "release",
    "breathe",
    "checkin",
    "transition",
    "closing",
]


@dataclass(frozen=True)
class Cue:
    """Something to say (and show) at ``at`` seconds from the start of the session.

    Cues are in time order; cues with the same ``at`` are said one after another in list order.
    ``n`` and ``of`` number the repetitions of a counted action ("hold 3 of 5").
    """

    at: int
    kind: CueKind
    text: str
    n: int | None = None
    of: int | None = None


@dataclass(frozen=True)
class DurationRange:
    """The usual range of a segment's length, and whether it is the guide's figure or solemate's."""

    low: int
    high: int
    origin: Literal["guide", "solemate"]


@dataclass(frozen=True)
class Segment:
    """One stretch of the Timeline, ``start`` to ``end`` seconds: the opening, preparation, an
    action, the change of feet or the closing."""

    index: int
    kind: SegmentKind
    start: int
    end: int
    title: str
    foot: Foot | None = None
    step: int | None = None
    step_id: str | None = None
    step_title: str | None = None
    action: str | None = None
    action_name: str | None = None
    action_kind: str | None = None
    zones: tuple[str, ...] = ()
    pressure: str | None = None
    instruction: str = ""
    tradition: str | None = None
    usual: DurationRange | None = None
    repetitions: int | None = None
    seconds_each: int | None = None
    counts: tuple[tuple[int, str], ...] = ()
    cues: tuple[Cue, ...] = ()

    @property
    def duration(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Timeline:
    """A planned session: every segment in order, and what it was planned from."""

    routine_id: str
    routine_version: str
    routine_digest: str
    title: str
    language: str
    voice: Literal["self", "partner"]
    feet: tuple[Foot, ...]
    options: dict[str, Any]
    segments: tuple[Segment, ...]
    notes: tuple[str, ...] = ()
    format: str = field(default=TIMELINE_FORMAT)

    @property
    def total(self) -> int:
        return self.segments[-1].end if self.segments else 0

    @property
    def cues(self) -> tuple[Cue, ...]:
        return tuple(cue for segment in self.segments for cue in segment.cues)

    def segment_at(self, seconds: float) -> Segment | None:
        """The segment playing at ``seconds`` (the last one at the very end), or None outside."""
        for segment in self.segments:
            if segment.start <= seconds < segment.end:
                return segment
        return self.segments[-1] if self.segments and seconds == self.total else None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = _plain(self)
        data["total"] = self.total
        return data

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Timeline:
        """Rebuild a Timeline from :meth:`to_dict` output (trusted: made by this program)."""
        if data.get("format") != TIMELINE_FORMAT:
            raise ValueError(f"not a {TIMELINE_FORMAT} timeline (format {data.get('format')!r})")
        segments = []
        for raw in data["segments"]:
            seg = dict(raw)
            seg["zones"] = tuple(seg["zones"])
            seg["counts"] = tuple((int(c), str(label)) for c, label in seg["counts"])
            seg["cues"] = tuple(Cue(**cue) for cue in seg["cues"])
            seg["usual"] = DurationRange(**seg["usual"]) if seg["usual"] else None
            segments.append(Segment(**seg))
        return cls(
            routine_id=data["routine_id"],
            routine_version=data["routine_version"],
            routine_digest=data["routine_digest"],
            title=data["title"],
            language=data["language"],
            voice=data["voice"],
            feet=tuple(data["feet"]),
            options=data["options"],
            segments=tuple(segments),
            notes=tuple(data["notes"]),
            format=data["format"],
        )


_ATOMS = frozenset({str, int, float, bool, type(None)})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    """What :func:`dataclasses.asdict` makes of ``value``, the same values and types, made
    faster: the field names of each class are looked up once, and the immutable values that
    asdict deep-copies (to themselves) are taken as they are. Serving a plan converts a
    Timeline of a few hundred cues, and asdict took about half of that time.
    """
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is tuple or kind is list:
        return kind([v if type(v) in _ATOMS else _plain(v) for v in value])
    names = _FIELD_NAMES.get(kind)
    if names is None and is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))
    if names is not None:
        out = {}
        for name in names:
            v = getattr(value, name)
            out[name] = v if type(v) in _ATOMS else _plain(v)
        return out
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a namedtuple
        return kind(*[_plain(v) for v in value])
    if isinstance(value, (list, tuple)):
        return kind(_plain(v) for v in value)
    if isinstance(value, dict):
        return kind((_plain(k), _plain(v)) for k, v in value.items())
    return copy.deepcopy(value)


COUNTED_KINDS = frozenset({"count", "countdown", "release"})


def shortest_end(segment: Segment, now: float = 0.0) -> int:
    """How early ``segment`` may end: never before ``now`` + 1 s, and never inside a count."""
    floor = max(segment.start + 1, math.ceil(now) + 1)
    counted = [cue.at for cue in segment.cues if cue.kind in COUNTED_KINDS]
    if counted:
        floor = max(floor, max(counted) + 1)
    return floor


def shift(timeline: Timeline, index: int, delta: int, now: float = 0.0) -> Timeline:
    """Give segment ``index`` ``delta`` more seconds (fewer when negative); everything after it moves.

    Shortening stops at :func:`shortest_end`, so a count already under way is never cut and nothing
    before ``now`` changes. Cues that fall beyond the new end are dropped.
    """
    segment = timeline.segments[index]
    new_end = max(segment.end + delta, shortest_end(segment, now))
    moved = new_end - segment.end
    if moved == 0:
        return timeline
    kept = tuple(cue for cue in segment.cues if cue.at < new_end or cue.at == segment.start)
    segments = list(timeline.segments)
    segments[index] = replace(segment, end=new_end, cues=kept)
    for i in range(index + 1, len(segments)):
        later = segments[i]
        segments[i] = replace(
            later,
            start=later.start + moved,
            end=later.end + moved,
            cues=tuple(replace(cue, at=cue.at + moved) for cue in later.cues),
        )
    return replace(timeline, segments=tuple(segments))
