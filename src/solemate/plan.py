"""The planner: fit a routine to a session length and lay it out as a :class:`Timeline`.

Fitting rule. Every timed part of the session (an action, a repetition of a counted action, the
opening, the towel wrap…) has four knots ``min ≤ low ≤ high ≤ max``. One parameter ``t`` from 0 to 3
moves *all* of them together, piecewise linearly: ``t = 0`` is every minimum, ``t = 1`` every usual
low, ``t = 2`` every usual high (the guide's longest durations where the guide gives them: the
``full`` preset) and ``t = 3`` every maximum. The planner solves for the ``t`` that hits the target,
so each part is shortened or lengthened in proportion within its own bounds. Counts are never
touched: a counted action keeps its repetitions, and only the seconds per repetition move. Whole
seconds are assigned last, counted actions first (in whole seconds per repetition), and the timed
actions take up the remainder, so the total equals the target to the second.

Room to speak. A part is never shorter than the words said in it: the bounds of every part are
raised, where needed, to what :func:`speech_seconds` expects the calm default voice to take (the
instruction before the first repetition of a counted action, each count, a partner's check-in, the
words of the opening, the towel wrap and the closing), with :data:`CHIME_ROOM` before the first
words of a step and :data:`END_ROOM` after the closing words for the chimes. So a cue is never still being said when the
next one is due, and a rendered or spoken session ends when the plan says it does.

Everything here is pure and deterministic: the same routine and options give the same Timeline.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Literal

from solemate.routine import Action, Phrases, Range, Routine, Segue
from solemate.safety import SafetyChanges
from solemate.timeline import Cue, CueKind, DurationRange, Foot, Segment, Timeline

Voice = Literal["self", "partner"]
FeetChoice = Literal["both", "left", "right"]
Preset = Literal["nightly", "full"]
Wording = Literal["full", "brief"]
Counts = Literal["voice", "ticks"]
WORDINGS: tuple[Wording, ...] = ("full", "brief")
COUNTS: tuple[Counts, ...] = ("voice", "ticks")

NIGHTLY_SECONDS = 12 * 60
MAX_TARGET_SECONDS = 4 * 60 * 60

SPEECH_RATE = 145
"""Words a minute of the default offline voice, the rate the plan leaves room for unless told."""
MIN_SPEECH_RATE, MAX_SPEECH_RATE = 80, 450

SPEECH_PAUSE = 0.25
"""Seconds of quiet kept after a cue before the next one is due."""

CHIME_ROOM = 2
"""Seconds at the start of a new step (or foot) kept for its chime before the instruction."""

END_ROOM = 4
"""Seconds kept after the closing words for the closing chime."""

_SPEECH_MARKS = ".,;:!?…—"


def speech_seconds(text: str, rate: int = SPEECH_RATE) -> float:
    """About how long the default offline voice takes to say ``text`` at ``rate`` words a minute,
    erring long.

    A line fitted above the measured lengths of every cue the built-in routine can say, in every
    voice, option and length tier (138 phrases, from "two" at 0.46 s to a 52-word preparation at
    20.7 s): 0.06 s a character plus 0.45 s for each pause mark, plus 0.6 s. No measured phrase is
    longer than this estimate (the closest comes within 0.04 s).

    >>> round(speech_seconds("And release."), 2)
    1.77
    """
    marks = sum(text.count(mark) for mark in _SPEECH_MARKS)
    return (0.06 * len(text) + 0.45 * marks + 0.6) * SPEECH_RATE / rate


def room_to_say(text: str, rate: int = SPEECH_RATE) -> int:
    """Whole seconds to keep free for ``text``: its spoken length and a short pause after it.

    >>> room_to_say("And release.")
    3
    """
    return math.ceil(speech_seconds(text, rate) + SPEECH_PAUSE)


def _room(options: PlanOptions, text: str) -> int:
    return room_to_say(text, options.speech_rate)


@dataclass(frozen=True)
class PlanOptions:
    """How to plan a session. Give ``minutes`` or a ``preset`` (``nightly`` when neither is given)."""

    minutes: float | None = None
    preset: Preset | None = None
    feet: FeetChoice = "both"
    first_foot: Foot = "left"
    voice: Voice = "self"
    preparation: bool = False
    language: str = "en"
    safety: SafetyChanges = field(default_factory=SafetyChanges)
    speech_rate: int = SPEECH_RATE
    """The voice's words a minute: a slower voice gets more room for its words."""
    wording: Wording = "full"
    """``full`` explains every part; ``brief`` names it, gives counts and holds, and stays quiet."""
    counts: Counts = "voice"
    """``voice`` says each count; ``ticks`` marks it with a soft tick (a ``tick`` cue, not said)."""

    def __post_init__(self) -> None:
        if self.wording not in WORDINGS:
            raise ValueError(f"wording must be one of {', '.join(WORDINGS)}, got {self.wording!r}")
        if self.counts not in COUNTS:
            raise ValueError(f"counts must be one of {', '.join(COUNTS)}, got {self.counts!r}")
        if not MIN_SPEECH_RATE <= self.speech_rate <= MAX_SPEECH_RATE:
            raise ValueError(
                f"speech rate must be {MIN_SPEECH_RATE}–{MAX_SPEECH_RATE} words a minute, "
                f"got {self.speech_rate}"
            )
        if self.minutes is not None and self.preset is not None:
            raise ValueError("give either minutes or a preset, not both")
        if self.minutes is not None and not (
            math.isfinite(self.minutes) and 0 < self.minutes * 60 <= MAX_TARGET_SECONDS
        ):
            raise ValueError(
                f"minutes must be above 0 and at most {MAX_TARGET_SECONDS // 60}, got {self.minutes}"
            )

    @property
    def foot_order(self) -> tuple[Foot, ...]:
        if self.feet != "both":
            return (self.feet,)
        return ("left", "right") if self.first_foot == "left" else ("right", "left")

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Alternative:
    description: str
    shortest: int
    longest: int
    options: PlanOptions


class PlanError(ValueError):
    """The target cannot be met; says the feasible range and which other options would fit."""

    def __init__(
        self, message: str, shortest: int, longest: int, alternatives: Sequence[Alternative]
    ):
        self.shortest = shortest
        self.longest = longest
        self.alternatives = tuple(alternatives)
        super().__init__(message)


# --- the parts to fit ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    """One thing with a length: ``fixed + unit × x`` seconds, where ``x`` moves between the knots."""

    knots: tuple[int, int, int, int]
    unit: int = 1
    fixed: int = 0

    @classmethod
    def of(cls, rng: Range, unit: int = 1, fixed: int = 0) -> _Part:
        return cls((rng.min, rng.low, rng.high, rng.max), unit, fixed)

    def at_least(self, seconds: int) -> _Part:
        """The same part with no knot below ``seconds`` per unit."""
        knots = tuple(max(k, seconds) for k in self.knots)
        return _Part(knots, self.unit, self.fixed)  # type: ignore[arg-type]

    def at(self, t: float) -> float:
        """Seconds per unit at parameter ``t`` in [0, 3]."""
        piece = min(int(t), 2)
        a, b = self.knots[piece], self.knots[piece + 1]
        return a + (t - piece) * (b - a)

    def length(self, x: float) -> float:
        return self.fixed + self.unit * x


def _total(parts: Sequence[_Part], t: float) -> float:
    return sum(p.length(p.at(t)) for p in parts)


def _solve_t(parts: Sequence[_Part], target: float) -> float:
    """The ``t`` at which the parts add up to ``target`` (which must lie within their bounds)."""
    for piece in range(3):
        low, high = _total(parts, piece), _total(parts, piece + 1)
        if low <= target <= high:
            return piece if high == low else piece + (target - low) / (high - low)
    raise AssertionError("target outside the parts' bounds")


def _fit(parts: Sequence[_Part], target: int) -> list[int]:
    """Whole seconds per unit for every part, adding up exactly to ``target``."""
    t = _solve_t(parts, target)
    piece = min(int(t), 2)
    counted = [i for i, p in enumerate(parts) if p.unit > 1]
    timed = [i for i, p in enumerate(parts) if p.unit == 1]
    chosen: dict[int, int] = {}

    # Counted parts: round to whole seconds per repetition, staying inside the current piece so the
    # timed parts can stay there too (it keeps the guide's ranges intact between low and high).
    for i in counted:
        lo, hi = parts[i].knots[piece], parts[i].knots[piece + 1]
        chosen[i] = min(max(math.floor(parts[i].at(t) + 0.5), lo), hi)

    def timed_room() -> int:
        """Seconds left for the timed parts once the counted parts have their lengths."""
        used = sum(parts[i].length(chosen[i]) for i in counted)
        return target - int(used) - sum(parts[i].fixed for i in timed)

    for k0, k1 in ((piece, piece + 1), (0, 3)):
        lo_sum = sum(parts[i].knots[k0] for i in timed)
        hi_sum = sum(parts[i].knots[k1] for i in timed)
        room = timed_room()
        while not lo_sum <= room <= hi_sum:
            step = 1 if room > hi_sum else -1
            movable = [
                i for i in counted if parts[i].knots[k0] <= chosen[i] + step <= parts[i].knots[k1]
            ]
            if not movable:
                break
            # move the one whose rounding strayed furthest the other way
            best = max(movable, key=lambda i: (step * (parts[i].at(t) - chosen[i]), -i))
            chosen[best] += step
            room = timed_room()
        if lo_sum <= room <= hi_sum:
            break

    room = timed_room()
    timed_parts = [parts[i] for i in timed]
    t_timed = _solve_t([_Part(p.knots) for p in timed_parts], room)
    exact = [p.at(t_timed) for p in timed_parts]
    whole = [math.floor(x + 1e-9) for x in exact]
    remainder = room - sum(whole)
    order = sorted(range(len(whole)), key=lambda j: (-(exact[j] - whole[j]), j))
    while remainder > 0:
        progressed = False
        for j in order:
            if remainder and whole[j] < timed_parts[j].knots[3]:
                whole[j] += 1
                remainder -= 1
                progressed = True
        if not progressed:  # pragma: no cover - cannot happen within bounds
            raise AssertionError("could not place the remaining seconds")
    for j, i in enumerate(timed):
        chosen[i] = whole[j]
    return [chosen[i] for i in range(len(parts))]


# --- the session outline ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """A segment to be: what it is, the part that times it, and the words said in it."""

    kind: Literal["opening", "preparation", "action", "between-feet", "closing"]
    part: _Part
    foot: Foot | None = None
    step_index: int | None = None
    action: Action | None = None
    ref: str = ""
    text: str = ""
    """The instruction (actions) or the whole text (the other segments)."""
    counts: tuple[str, ...] = ()
    """What is said at each repetition of a counted action."""
    lead: int = 0
    rest: int = 0
    chime: int = 0
    """Seconds before the instruction, kept for the chime of a new step."""
    checkin: bool = False
    """Whether a partner is asked how the pressure feels during this action."""
    checkin_room: int = 0
    """Seconds added after the first repetition for a partner's check-in."""


def _describe(routine: Routine, options: PlanOptions, foot: Foot, action: Action) -> str:
    """The action in the routine's words, for this voice and foot (what the screen shows)."""
    lang, voice = options.language, options.voice
    cue = action.cue[lang]
    if options.safety.skip_calf and action.reaches_calf:
        body = _voice_text(voice, cue.self_no_calf or cue.self_, cue.partner_no_calf or cue.partner)
    else:
        body = _voice_text(voice, cue.self_, cue.partner)
    return body.format(foot=_foot_phrase(routine.phrases[lang], voice, foot))


def _instruction(
    routine: Routine,
    options: PlanOptions,
    foot: Foot,
    s: int,
    action: Action,
    first_of_step: bool,
    first_of_foot: bool,
    brief: bool = False,
) -> str:
    """What is said when an action begins; ``brief`` names the action instead of describing it."""
    lang = options.language
    phrases = routine.phrases[lang]
    cue = action.cue[lang]
    body = action.name[lang] + "." if brief else _describe(routine, options, foot, action)
    spoken = [body]
    if options.safety.gentle_only and action.pressure != "light":
        spoken.append(phrases.gentle_only)
    elif cue.pressure:
        spoken.append(cue.pressure)
    if first_of_step:
        intro = phrases.step_brief if brief and phrases.step_brief else phrases.step_intro
        spoken.insert(0, intro.format(number=s + 1, title=routine.steps[s].title[lang]))
    if first_of_foot:
        spoken.insert(0, (phrases.left_foot if foot == "left" else phrases.right_foot) + ".")
    return " ".join(spoken)


def _count_texts(routine: Routine, options: PlanOptions, foot: Foot, action: Action) -> list[str]:
    assert action.repeat is not None
    lang = options.language
    cue = action.cue[lang]
    foot_words = _foot_phrase(routine.phrases[lang], options.voice, foot)
    texts = []
    i = 0
    for rep_set in action.repeat.sets:
        for n in range(1, rep_set.count + 1):
            i += 1
            template = cue.first if (n == 1 and rep_set.count > 1 and cue.first) else cue.each
            texts.append(
                (template or "").format(
                    n=n,
                    count=rep_set.count,
                    label=rep_set.label[lang],
                    i=i,
                    total=action.repeat.total,
                    foot=foot_words,
                )
            )
    return texts


def _action_item(
    routine: Routine,
    options: PlanOptions,
    foot: Foot,
    s: int,
    action: Action,
    first_of_step: bool,
    first_of_foot: bool,
    brief: bool,
    tight: bool,
) -> _Item:
    phrases = routine.phrases[options.language]
    text = _instruction(routine, options, foot, s, action, first_of_step, first_of_foot, brief)
    # A brief second foot does not ask again what the first foot asked.
    checkin = action.cue[options.language].checkin if options.voice == "partner" else None
    # In a session short enough to need a brief second foot, the first foot asks only during its
    # strokes, not between counted holds.
    if brief or (tight and action.repeat is not None):
        checkin = None
    chime = CHIME_ROOM if first_of_step else 0
    if action.repeat is None:
        assert action.seconds is not None
        need = chime + _room(options, text) + (_room(options, checkin) if checkin else 0)
        part = _Part.of(action.seconds).at_least(need)
        return _Item("action", part, foot, s, action, text=text, chime=chime, checkin=bool(checkin))
    rep = action.repeat
    counts = _count_texts(routine, options, foot, action)
    lead = max(rep.lead, chime + _room(options, text))
    each = max(_room(options, c) for c in counts)
    rest = rep.rest
    checkin_room = 0
    if rep.countdown:
        each += 1  # at least "one" before the release
        rest = max(rest, _room(options, phrases.release))
        if checkin:
            checkin_room = max(0, _room(options, phrases.release) + _room(options, checkin) - rest)
    elif checkin:
        checkin_room = _room(options, checkin)
    part = _Part.of(rep.seconds, unit=rep.total, fixed=lead + rest * rep.total + checkin_room)
    return _Item(
        "action",
        part.at_least(each),
        foot,
        s,
        action,
        text=text,
        counts=tuple(counts),
        lead=lead,
        rest=rest,
        chime=chime,
        checkin=bool(checkin),
        checkin_room=checkin_room,
    )


def _segue_item(
    options: PlanOptions,
    kind: Literal["opening", "preparation", "between-feet", "closing"],
    rng: Range,
    text: str,
    foot: Foot | None = None,
    ref: str = "",
) -> _Item:
    need = _room(options, text) + (END_ROOM if kind == "closing" else 0)
    return _Item(kind, _Part.of(rng).at_least(need), foot, text=text, ref=ref)


_OUTLINES: OrderedDict[tuple[int, PlanOptions, bool, bool], tuple[Routine, tuple[_Item, ...]]] = (
    OrderedDict()
)
_OUTLINES_KEPT = 256
_OUTLINES_LOCK = threading.Lock()


def _outline(
    routine: Routine, options: PlanOptions, brief: bool = False, terse: bool = False
) -> list[_Item]:
    """The segments to be, in order: with ``brief``, the second foot's actions are named, not
    described again, and with ``terse`` as well, the first foot's too.

    The outline does not depend on the length asked for, so recent ones are kept, for the same
    routine object (held while kept, so its id cannot be reused): a web server answering many
    lengths makes each outline once.
    """
    key = (id(routine), replace(options, minutes=None, preset=None), brief, terse)
    with _OUTLINES_LOCK:
        kept = _OUTLINES.get(key)
        if kept is not None and kept[0] is routine:
            _OUTLINES.move_to_end(key)
            return list(kept[1])
    items = _make_outline(routine, options, brief, terse)
    with _OUTLINES_LOCK:
        _OUTLINES[key] = (routine, tuple(items))
        if len(_OUTLINES) > _OUTLINES_KEPT:
            _OUTLINES.popitem(last=False)
    return items


def _make_outline(routine: Routine, options: PlanOptions, brief: bool, terse: bool) -> list[_Item]:
    lang, voice = options.language, options.voice
    phrases = routine.phrases[lang]
    items = [
        _segue_item(
            options, "opening", routine.opening.seconds, _segue_text(routine.opening, lang, voice)
        )
    ]
    if options.preparation:
        for prep in routine.preparation:
            if prep.who in ("both", voice):
                text = _voice_text(voice, prep.cue[lang].self_, prep.cue[lang].partner)
                items.append(_segue_item(options, "preparation", prep.seconds, text, ref=prep.id))
    feet = options.foot_order
    for n, foot in enumerate(feet):
        for s, step in enumerate(routine.steps):
            for a, action in enumerate(step.actions):
                first_of_step, first_of_foot = a == 0, a == 0 and s == 0
                items.append(
                    _action_item(
                        routine,
                        options,
                        foot,
                        s,
                        action,
                        first_of_step,
                        first_of_foot,
                        brief=brief and (n > 0 or terse),
                        tight=brief,
                    )
                )
        if n < len(feet) - 1:
            other: Foot = "right" if foot == "left" else "left"
            text = _segue_text(
                routine.between_feet,
                lang,
                voice,
                foot=_foot_phrase(phrases, voice, foot),
                other_foot=_foot_phrase(phrases, voice, other),
            )
            items.append(
                _segue_item(options, "between-feet", routine.between_feet.seconds, text, foot)
            )
    closing = _segue_text(routine.closing, lang, voice)
    items.append(_segue_item(options, "closing", routine.closing.seconds, closing))
    return items


def _range(items: Sequence[_Item]) -> tuple[int, int]:
    parts = [item.part for item in items]
    return round(_total(parts, 0)), round(_total(parts, 3))


def _spoken_outline(full: list[_Item], terse: list[_Item], target: int) -> list[_Item]:
    """The outline whose words fit ``target``: every action described in full when there is room;
    otherwise actions are only named, and described again in session order while room remains."""
    if _range(full)[0] <= target:
        return full
    chosen = list(terse)
    spare: float = target - _range(terse)[0]
    for i, item in enumerate(full):
        cost = item.part.length(item.part.knots[0]) - chosen[i].part.length(chosen[i].part.knots[0])
        if item != chosen[i] and cost <= spare:
            chosen[i] = item
            spare -= cost
    return chosen


def bounds(routine: Routine, options: PlanOptions) -> tuple[int, int]:
    """The shortest and longest session the routine allows with these options, in seconds."""
    shortest = _range(_outline(routine, options, brief=True, terse=True))[0]
    return shortest, _range(_outline(routine, options))[1]


def full_seconds(routine: Routine, options: PlanOptions) -> int:
    """The length of the ``full`` preset: every part at its usual high (the guide's longest)."""
    return round(_total([item.part for item in _outline(routine, options)], 2))


def target_seconds(routine: Routine, options: PlanOptions) -> int:
    full = _outline(routine, options)
    return _target(options, full, _outline(routine, options, brief=True, terse=True))


def _target(options: PlanOptions, full: Sequence[_Item], terse: Sequence[_Item]) -> int:
    if options.minutes is not None:
        return round(options.minutes * 60)
    if options.preset == "full":
        return round(_total([item.part for item in full], 2))
    # The nightly 12 minutes, unless these options need longer (a spoken preparation, say).
    return max(NIGHTLY_SECONDS, _range(terse)[0])


def _alternatives(routine: Routine, options: PlanOptions) -> list[Alternative]:
    from dataclasses import replace

    candidates: list[tuple[str, PlanOptions]] = []
    if options.preparation:
        candidates.append(("without the spoken preparation", replace(options, preparation=False)))
    if options.feet == "both":
        one = replace(options, feet=options.first_foot)
        candidates.append((f"one foot only (--foot {options.first_foot})", one))
        if options.preparation:
            candidates.append(
                ("one foot, without the spoken preparation", replace(one, preparation=False))
            )
    out = []
    for description, alt in candidates:
        lo, hi = bounds(routine, alt)
        out.append(Alternative(description, lo, hi, alt))
    return out


def _minutes(seconds: int) -> str:
    m, s = divmod(seconds, 60)
    return f"{m} min {s} s" if s else f"{m} min"


# --- cues ------------------------------------------------------------------------------------------


def _foot_phrase(phrases: Phrases, voice: Voice, foot: Foot) -> str:
    if voice == "self":
        return phrases.your_left if foot == "left" else phrases.your_right
    return phrases.their_left if foot == "left" else phrases.their_right


def _voice_text(voice: Voice, self_text: str, partner_text: str) -> str:
    return self_text if voice == "self" else partner_text


def _segue_text(segue: Segue, lang: str, voice: Voice, **values: str) -> str:
    cue = segue.cue[lang]
    return _voice_text(voice, cue.self_, cue.partner).format(**values)


def _action_segment(
    routine: Routine,
    options: PlanOptions,
    item: _Item,
    start: int,
    per_unit: int,
    index: int,
) -> Segment:
    action, foot, s = item.action, item.foot, item.step_index
    assert action is not None
    assert foot is not None
    assert s is not None
    lang = options.language
    phrases = routine.phrases[lang]
    step = routine.steps[s]
    cue = action.cue[lang]
    skip_calf = options.safety.skip_calf and action.reaches_calf
    instruction = _describe(routine, options, foot, action)
    cues = [Cue(start + item.chime, "instruction", item.text)]
    checkin = cue.checkin if item.checkin else None
    said_until = start + item.chime + _room(options, item.text)

    if action.repeat is None:
        end = start + per_unit
        if checkin:
            # midway, but after the instruction and with room to be said before the end
            checkin_at = min(max(start + per_unit // 2, said_until), end - _room(options, checkin))
            checkin_span = (checkin_at, checkin_at + _room(options, checkin))
        if action.breathe:
            every = routine.timing.breathe_every
            room = _room(options, phrases.breathe)
            at = max(start + every, said_until)
            while at <= end - 10:
                clear = not checkin or at + room <= checkin_span[0] or at >= checkin_span[1]
                if clear:
                    cues.append(Cue(at, "breathe", phrases.breathe))
                at += every
        if checkin:
            cues.append(Cue(checkin_at, "checkin", checkin))
        usual = action.seconds
        repetitions = None
    else:
        rep = action.repeat
        at = start + item.lead
        count_kind: CueKind = "tick" if options.counts == "ticks" else "count"
        for i, text in enumerate(item.counts, start=1):
            cues.append(Cue(at, count_kind, text, n=i, of=rep.total))
            after = per_unit + item.rest
            if rep.countdown:
                # count down in the last seconds of the hold, once the count has been said
                steps = min(
                    routine.timing.countdown_from,
                    len(phrases.countdown),
                    max(per_unit - _room(options, text), 0),
                )
                words = phrases.countdown[len(phrases.countdown) - steps :]
                for k, word in enumerate(words):
                    cues.append(
                        Cue(at + per_unit - steps + k, "countdown", word, n=i, of=rep.total)
                    )
                cues.append(Cue(at + per_unit, "release", phrases.release, n=i, of=rep.total))
                if checkin and i == 1:
                    cues.append(
                        Cue(at + per_unit + _room(options, phrases.release), "checkin", checkin)
                    )
                    after += item.checkin_room
            elif checkin and i == 1:
                cues.append(Cue(at + per_unit, "checkin", checkin))
                after += item.checkin_room
            at += after
        end = at
        usual = rep.seconds
        repetitions = rep.total

    # A zone's traditional association is shown for work on that one zone, not for whole-foot strokes.
    only = routine.zones[action.zones[0]] if len(action.zones) == 1 else None
    tradition = only.tradition[lang] if only is not None and only.tradition is not None else None
    return Segment(
        index=index,
        kind="action",
        start=start,
        end=end,
        title=step.title[lang],
        foot=foot,
        step=s + 1,
        step_id=step.id,
        step_title=step.title[lang],
        action=action.id,
        action_name=action.name[lang],
        action_kind=action.kind,
        zones=tuple(z for z in action.zones if not (skip_calf and z == "calf")),
        pressure="light" if options.safety.gentle_only else action.pressure,
        instruction=instruction,
        tradition=tradition,
        usual=DurationRange(usual.low, usual.high, usual.origin) if usual else None,
        repetitions=repetitions,
        seconds_each=per_unit if repetitions else None,
        counts=tuple((r.count, r.label[lang]) for r in action.repeat.sets) if action.repeat else (),
        cues=tuple(sorted(cues, key=lambda c: c.at)),
    )


_SEGUES: dict[str, tuple[str, CueKind, str]] = {
    "opening": ("Opening", "opening", "opening"),
    "preparation": ("Preparation", "preparation", ""),
    "between-feet": ("Towel wrap, then the other foot", "transition", "between_feet"),
    "closing": ("Closing", "closing", "closing"),
}
"""Title, cue kind and routine attribute of the segments that are not actions."""


# --- the planner -----------------------------------------------------------------------------------


def plan(routine: Routine, options: PlanOptions | None = None) -> Timeline:
    """Fit ``routine`` to the length ``options`` ask for and lay it out as a Timeline.

    Raises :class:`PlanError` when the length is outside what the routine allows, naming the feasible
    range and the options that would fit.
    """
    options = options or PlanOptions()
    lang, voice = options.language, options.voice
    if lang not in routine.languages:
        raise ValueError(
            f"the routine '{routine.id}' has no language '{lang}' (it has {', '.join(routine.languages)})"
        )
    full, terse = _outline(routine, options), _outline(routine, options, brief=True, terse=True)
    target = _target(options, full, terse)
    shortest, longest = _range(terse)[0], _range(full)[1]
    if not shortest <= target <= longest:
        alternatives = _alternatives(routine, options)
        fits = [a for a in alternatives if a.shortest <= target <= a.longest]
        if target < shortest:
            message = (
                f"{_minutes(target)} is shorter than the shortest session these options allow "
                f"({_minutes(shortest)})."
            )
        else:
            message = (
                f"{_minutes(target)} is longer than the longest session these options allow "
                f"({_minutes(longest)})."
            )
        if fits:
            described = "; ".join(
                f"{a.description} ({_minutes(a.shortest)} to {_minutes(a.longest)})" for a in fits
            )
            message += f" It fits with: {described}."
        elif target < shortest and alternatives:
            least = min(alternatives, key=lambda a: a.shortest)
            message += (
                f" The shortest possible is {_minutes(least.shortest)}, with {least.description}."
            )
        raise PlanError(message, shortest, longest, fits)

    items = _spoken_outline(full, terse, target)
    per_unit = _fit([item.part for item in items], target)
    segments: list[Segment] = []
    clock = 0
    for item, x in zip(items, per_unit, strict=True):
        index = len(segments)
        if item.kind == "action":
            segment = _action_segment(routine, options, item, clock, x, index)
        else:
            title, cue_kind, attribute = _SEGUES[item.kind]
            if item.kind == "preparation":
                rng = next(p for p in routine.preparation if p.id == item.ref).seconds
            else:
                rng = getattr(routine, attribute).seconds
            segment = Segment(
                index=index,
                kind=item.kind,
                start=clock,
                end=clock + x,
                title=title,
                foot=item.foot,
                instruction=item.text,
                usual=DurationRange(rng.low, rng.high, rng.origin),
                cues=(Cue(clock, cue_kind, item.text),),
            )
        segments.append(segment)
        clock = segment.end

    notes = []
    if options.safety.gentle_only:
        notes.append("Gentle pressure only (safety screen).")
    if options.safety.skip_calf:
        notes.append("Strokes stop at the ankle; the calf is left out (safety screen).")
    if options.safety.patch_test:
        notes.append("Test the oil or lotion on a small patch of skin first (safety screen).")
    return Timeline(
        routine_id=routine.id,
        routine_version=routine.version,
        routine_digest=routine.digest,
        title=routine.title[lang],
        language=lang,
        voice=voice,
        feet=options.foot_order,
        options={**options.to_dict(), "target_seconds": target},
        segments=tuple(segments),
        notes=tuple(notes),
    )
