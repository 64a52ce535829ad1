"""The planner: fit a routine to a session length and lay it out as a :class:`Timeline`.

Fitting rule: shorten by the guide's emphasis. The ``full`` preset gives every part its usual high
(the guide's longest durations where the guide gives them). A shorter or longer session scales
every part by one factor, so each part keeps its share of the session: the long effleurage strokes,
the heel, the solar plexus and the insomnia point keep their weight. A part is never shorter than
its floor and never longer than its maximum; the factor is solved so that the parts add up to the
target, and parts held at a floor take a little from all the others. Floors:

* the words said in the part, in the chosen voice (measured lengths when the shell passes them,
  else :func:`speech_seconds`), with :data:`CHIME_ROOM` before a new step's first words and
  :data:`END_ROOM` after the closing words for the chimes, so no cue is due while another is said;
* the routine's ``min`` for the part: for a counted action, the fastest pace that is still slow;
* every hold (a counted action with a countdown, e.g. the ball of the foot) keeps
  :data:`HOLD_QUIET` seconds of quiet after its words.

Counts the guide fixes (five circles each way, each of the five toes) never change: only the pace
moves. Where the guide says "several" (points along the ball of the foot) a routine names the
fewest a short session may keep (``repeat.fewest``), spread evenly along the ridge. Wording: with
``wording="full"`` each part is explained while its explained floor stays within
:data:`SHARE_CAP` times its proportional share and its explanation within :data:`WORDS_SHARE` of
that share; otherwise it is only named and the plan says so. On the second foot a step is
introduced by its number, and a stroke's pressure advice is not repeated (the screen keeps both).
With ``wording="brief"`` every part is named, with its counts, holds and the towel wrap, and
nothing else is said. Whole seconds are assigned last, counted actions first (in whole seconds per
repetition) and the timed parts take up the remainder, so the total equals the target exactly.

Everything here is pure and deterministic: the same routine, options and speech lengths give the
same Timeline.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
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

SPEECH_PAUSE = 0.2
"""Seconds of quiet kept after a cue before the next one is due."""

CHIME_ROOM = 2
"""Seconds at the start of a new step (or foot) kept for its chime before the instruction."""

END_ROOM = 4
"""Seconds kept after the closing words for the closing chime."""

HOLD_QUIET = 5
TICK_SECONDS = 0.3
"""How long a soft tick lasts, for the quiet that follows it."""
"""Seconds of quiet in every hold after its words (the guide: hold each point five to ten seconds)."""

WORDS_SHARE = 0.65
"""A part is explained only while its explanation takes at most this much of its share of the
session: a ritual with quiet hands-on time, not a lecture (a 12-minute session is under half voice)."""

MIN_SCALE = 0.7
"""Parts go over to their shortest form while the others would keep less than this share."""

SHARE_CAP = 1.5
"""A part is explained, and keeps all its points, while its least length is at most this many times
its proportional share of the session; every share then stays within 0.6–1.6× of the full routine's."""

FITTING_RULE = """\
How a session is fitted to its length: every part keeps its share of the full routine (the long
strokes, the heel, the solar plexus and the insomnia point keep their weight); only the pace moves
in counted parts, never a count the guide fixes; where the guide says "several" points, a short
session works fewer, spread along the ridge; every hold keeps at least 5 seconds of quiet after its
words; a part that has no room to be explained is only named (the screen shows it in full)."""
"""The rule in a person's words, for ``solemate routine show``."""

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
    """One thing with a length: ``fixed + unit × x`` seconds, ``x`` between ``lo`` and ``hi``.

    ``full`` is the length of the same part in the ``full`` preset, the reference its share of a
    shorter session is measured against.
    """

    lo: int
    hi: int
    full: float
    unit: int = 1
    fixed: int = 0

    def at(self, s: float) -> float:
        """Seconds per unit when every part is scaled by ``s`` (then kept within its bounds)."""
        return min(max((s * self.full - self.fixed) / self.unit, self.lo), self.hi)

    def length(self, x: float) -> float:
        return self.fixed + self.unit * x

    @property
    def shortest(self) -> int:
        return self.fixed + self.unit * self.lo

    @property
    def longest(self) -> int:
        return self.fixed + self.unit * self.hi


def _total(parts: Sequence[_Part], s: float) -> float:
    return sum(p.length(p.at(s)) for p in parts)


def _solve_s(parts: Sequence[_Part], target: float) -> float:
    """The scale at which the parts add up to ``target`` (within their bounds).

    The total is piecewise linear in the scale, bending only where a part reaches its floor or its
    maximum, so the answer is found among those points and solved exactly between two of them.
    """
    points = sorted(
        {0.0}
        | {(p.fixed + p.unit * knot) / p.full for p in parts if p.full > 0 for knot in (p.lo, p.hi)}
    )
    low, high = 0, len(points) - 1
    if _total(parts, points[high]) < target:
        return points[high]
    while high - low > 1:  # the first point whose total reaches the target
        middle = (low + high) // 2
        if _total(parts, points[middle]) >= target:
            high = middle
        else:
            low = middle
    a, b = points[low], points[high]
    total_a, total_b = _total(parts, a), _total(parts, b)
    if total_a >= target or total_b == total_a:
        return a if total_a >= target else b
    return a + (target - total_a) * (b - a) / (total_b - total_a)


def _fit(parts: Sequence[_Part], target: int) -> list[int]:
    """Whole seconds per unit for every part, adding up exactly to ``target``."""
    s = _solve_s(parts, target)
    counted = [i for i, p in enumerate(parts) if p.unit > 1]
    timed = [i for i, p in enumerate(parts) if p.unit == 1]
    chosen = {
        i: min(max(math.floor(parts[i].at(s) + 0.5), parts[i].lo), parts[i].hi) for i in counted
    }

    def timed_room() -> int:
        """Seconds left for the timed parts once the counted parts have their lengths."""
        return target - sum(int(parts[i].length(chosen[i])) for i in counted)

    lo_sum = sum(parts[i].shortest for i in timed)
    hi_sum = sum(parts[i].longest for i in timed)
    room = timed_room()
    while not lo_sum <= room <= hi_sum:
        step = 1 if room > hi_sum else -1
        movable = [i for i in counted if parts[i].lo <= chosen[i] + step <= parts[i].hi]
        if not movable:  # pragma: no cover - the target lies within the parts' bounds
            raise AssertionError("could not fit the counted parts")
        # move the one whose rounding strayed furthest the other way
        best = max(movable, key=lambda i: (step * (parts[i].at(s) - chosen[i]), -i))
        chosen[best] += step
        room = timed_room()

    timed_parts = [parts[i] for i in timed]
    s_timed = _solve_s(timed_parts, room)
    exact = [p.at(s_timed) for p in timed_parts]
    whole = [
        min(max(math.floor(x + 1e-9), p.lo), p.hi) for x, p in zip(exact, timed_parts, strict=True)
    ]
    remainder = room - sum(p.length(w) for p, w in zip(timed_parts, whole, strict=True))
    order = sorted(range(len(whole)), key=lambda j: (-(exact[j] - whole[j]), j))
    while remainder:
        step = 1 if remainder > 0 else -1
        progressed = False
        for j in order if step > 0 else reversed(order):
            if remainder and timed_parts[j].lo <= whole[j] + step <= timed_parts[j].hi:
                whole[j] += step
                remainder -= step
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
    """What is said (or ticked) at each repetition of a counted action."""
    sets: tuple[int, ...] = ()
    """Which of the action's sets are worked (all of them, or fewer points in a short session)."""
    extras: tuple[int, ...] = ()
    """Seconds added after each repetition whose count takes longer to say than the others."""
    lead: int = 0
    rest: int = 0
    chime: int = 0
    """Seconds before the instruction, kept for the chime of a new step."""
    checkin: bool = False
    """Whether a partner is asked how the pressure feels during this action."""
    checkin_room: int = 0
    """Seconds added after the first repetition for a partner's check-in."""
    described: bool = True
    """Whether the action is explained (full wording) or only named."""


class _Words:
    """How long each text takes the chosen voice: measured lengths where given, else the estimate."""

    def __init__(self, options: PlanOptions, speech: Mapping[str, float] | None) -> None:
        self.rate = options.speech_rate
        self.speech = speech or {}

    def seconds(self, text: str) -> float:
        measured = self.speech.get(text)
        return measured if measured is not None else speech_seconds(text, self.rate)

    def room(self, text: str) -> int:
        """Whole seconds to keep free for ``text``: its spoken length and a short pause after it."""
        return math.ceil(self.seconds(text) + SPEECH_PAUSE)


def _picked(total: int, keep: int) -> tuple[int, ...]:
    """``keep`` of ``total`` sets, spread evenly from the first to the last.

    >>> _picked(5, 3)
    (0, 2, 4)
    """
    if keep >= total:
        return tuple(range(total))
    if keep == 1:
        return (0,)
    return tuple(sorted({round(k * (total - 1) / (keep - 1)) for k in range(keep)}))


def _action_item(
    routine: Routine,
    options: PlanOptions,
    words: _Words,
    foot: Foot,
    s: int,
    action: Action,
    first_of_step: bool,
    first_of_foot: bool,
    described: bool,
    sets: tuple[int, ...] | None,
    reference: float,
) -> _Item:
    phrases = routine.phrases[options.language]
    text = _instruction(routine, options, foot, s, action, first_of_step, first_of_foot, described)
    checkin = action.cue[options.language].checkin if options.voice == "partner" else None
    if not described:
        checkin = None  # a named part stays quiet
    chime = CHIME_ROOM if first_of_step else 0
    if action.repeat is None:
        assert action.seconds is not None
        rng = action.seconds
        need = chime + words.room(text) + (words.room(checkin) if checkin else 0)
        part = _Part(max(rng.min, need), max(rng.max, need), reference)
        return _Item(
            "action", part, foot, s, action, text=text, chime=chime, checkin=bool(checkin),
            described=described,
        )  # fmt: skip
    rep = action.repeat
    kept = sets if sets is not None else tuple(range(len(rep.sets)))
    counts = _count_texts(routine, options, foot, action, kept)
    said = chime + words.room(text)
    lead = max(rep.lead, said) if described else said
    # Each repetition lasts at least its usual count's words; a longer count (the first of a set,
    # "Counterclockwise.") gets the seconds it needs on top, after it, at any pace.
    rooms = [words.room(c) if options.counts == "voice" else 1 for c in counts]
    each = min(rooms)
    if rep.countdown:  # a hold: its words, then HOLD_QUIET seconds of quiet
        longest = max(
            words.seconds(c) if options.counts == "voice" else TICK_SECONDS for c in counts
        )
        each = math.ceil(longest + HOLD_QUIET)
    extras = tuple(max(0, room - max(each, rep.seconds.min)) for room in rooms)
    rest = rep.rest
    checkin_room = 0
    if rep.countdown:
        rest = max(rest, words.room(phrases.release))
        if checkin:
            checkin_room = max(0, words.room(phrases.release) + words.room(checkin) - rest)
    elif checkin:
        checkin_room = words.room(checkin)
    unit = sum(rep.sets[k].count for k in kept)
    part = _Part(
        max(rep.seconds.min, each),
        max(rep.seconds.max, each),
        reference,
        unit=unit,
        fixed=lead + rest * unit + checkin_room + sum(extras),
    )
    return _Item(
        "action",
        part,
        foot,
        s,
        action,
        text=text,
        counts=tuple(counts),
        sets=kept,
        extras=extras,
        lead=lead,
        rest=rest,
        chime=chime,
        checkin=bool(checkin),
        checkin_room=checkin_room,
        described=described,
    )


def _segue_item(
    words: _Words,
    kind: Literal["opening", "preparation", "between-feet", "closing"],
    rng: Range,
    text: str,
    reference: float,
    foot: Foot | None = None,
    ref: str = "",
) -> _Item:
    need = words.room(text) + (END_ROOM if kind == "closing" else 0)
    part = _Part(max(rng.min, need), max(rng.max, need), reference)
    return _Item(kind, part, foot, text=text, ref=ref)


@dataclass(frozen=True)
class _Slot:
    """A place in the session, before its wording is chosen: which segment, for which foot."""

    kind: Literal["opening", "preparation", "action", "between-feet", "closing"]
    foot: Foot | None = None
    step_index: int | None = None
    action: Action | None = None
    first_of_step: bool = False
    first_of_foot: bool = False
    ref: str = ""


def _slots(routine: Routine, options: PlanOptions) -> list[_Slot]:
    slots = [_Slot("opening")]
    if options.preparation:
        slots += [
            _Slot("preparation", ref=p.id)
            for p in routine.preparation
            if p.who in ("both", options.voice)
        ]
    feet = options.foot_order
    for n, foot in enumerate(feet):
        for s, step in enumerate(routine.steps):
            for a, action in enumerate(step.actions):
                slots.append(_Slot("action", foot, s, action, a == 0, a == 0 and s == 0))
        if n < len(feet) - 1:
            slots.append(_Slot("between-feet", foot))
    slots.append(_Slot("closing"))
    return slots


@dataclass(frozen=True)
class _Choice:
    """How one slot is said: explained or named, and which of its sets (points) are worked."""

    described: bool
    sets: tuple[int, ...] | None = None
    always: bool = False
    """Taken whatever its length (the full wording's opening, towel wrap and closing)."""


def _item(
    routine: Routine,
    options: PlanOptions,
    words: _Words,
    slot: _Slot,
    choice: _Choice,
    reference: float,
) -> _Item:
    lang, voice = options.language, options.voice
    phrases = routine.phrases[lang]
    brief = not choice.described
    if slot.kind == "action":
        assert slot.action is not None
        assert slot.foot is not None
        assert slot.step_index is not None
        return _action_item(
            routine, options, words, slot.foot, slot.step_index, slot.action,
            slot.first_of_step, slot.first_of_foot, choice.described, choice.sets, reference,
        )  # fmt: skip
    if slot.kind == "opening":
        text = (brief and phrases.opening_brief) or _segue_text(routine.opening, lang, voice)
        if options.safety.gentle_only:
            text = f"{text} {phrases.gentle_only}"  # once for every part that is only named
        return _segue_item(words, "opening", routine.opening.seconds, text, reference)
    if slot.kind == "preparation":
        prep = next(p for p in routine.preparation if p.id == slot.ref)
        text = _voice_text(voice, prep.cue[lang].self_, prep.cue[lang].partner)
        return _segue_item(words, "preparation", prep.seconds, text, reference, ref=prep.id)
    if slot.kind == "between-feet":
        assert slot.foot is not None
        other: Foot = "right" if slot.foot == "left" else "left"
        values = {
            "foot": _foot_phrase(phrases, voice, slot.foot),
            "other_foot": _foot_phrase(phrases, voice, other),
        }
        if brief and phrases.between_feet_brief:
            text = phrases.between_feet_brief.format(**values)
        else:
            text = _segue_text(routine.between_feet, lang, voice, **values)
        rng = routine.between_feet.seconds
        return _segue_item(words, "between-feet", rng, text, reference, slot.foot)
    text = (brief and phrases.closing_brief) or _segue_text(routine.closing, lang, voice)
    return _segue_item(words, "closing", routine.closing.seconds, text, reference)


def _full_outline(routine: Routine, options: PlanOptions, words: _Words) -> list[_Item]:
    """The ``full`` preset's outline: everything explained, every point, each part's reference
    length its usual high (raised to its words where they need more)."""
    slots = _slots(routine, options)
    items = []
    for slot in slots:
        draft = _item(routine, options, words, slot, _Choice(True), 0.0)
        high = _usual_high(routine, slot, draft)
        items.append(replace(draft, part=replace(draft.part, full=draft.part.length(high))))
    return items


def _usual_high(routine: Routine, slot: _Slot, item: _Item) -> int:
    """Seconds per unit of the slot's usual high (the guide's longest where the guide says)."""
    if slot.kind == "action":
        assert slot.action is not None
        rng = slot.action.repeat.seconds if slot.action.repeat else slot.action.seconds
    elif slot.kind == "preparation":
        rng = next(p for p in routine.preparation if p.id == slot.ref).seconds
    else:
        rng = {
            "opening": routine.opening,
            "between-feet": routine.between_feet,
            "closing": routine.closing,
        }[slot.kind].seconds
    assert rng is not None
    return min(max(rng.high, item.part.lo), item.part.hi)


def _outline(
    routine: Routine,
    options: PlanOptions,
    words: _Words,
    target: int | None,
    full: list[_Item] | None = None,
) -> tuple[list[_Item], list[_Item]]:
    """The outline for ``target`` seconds, after the ``full`` preset's (the references).

    With no target: the outlines of the longest and of the shortest session these options allow.

    A part is explained (in full wording) and keeps all its points while its least length stays
    within :data:`SHARE_CAP` times its share of the session; otherwise it is only named, or works
    fewer points where the guide says "several". If even so the least lengths overrun the target,
    parts go over to their shortest form, those that save most first.
    """
    slots = _slots(routine, options)
    if full is None:
        full = _full_outline(routine, options, words)
    references = [item.part.full for item in full]
    scale = 0.0 if target is None else target / sum(references)
    chosen: list[_Item] = []
    shortest: list[_Item] = []
    longest: list[_Item] = []
    for slot, explained, reference in zip(slots, full, references, strict=True):
        # each wording of the slot is made once: the explained one is the full preset's
        made: dict[tuple[bool, tuple[int, ...] | None], _Item] = {(True, None): explained}

        def make(
            choice: _Choice,
            slot: _Slot = slot,
            reference: float = reference,
            made: dict[tuple[bool, tuple[int, ...] | None], _Item] = made,
        ) -> _Item:
            key = (choice.described, choice.sets)
            if key not in made:
                made[key] = _item(routine, options, words, slot, choice, reference)
            return made[key]

        fewest = _fewest_sets(slot)
        least = make(_Choice(False, fewest))
        shortest.append(least)
        longest.append(make(_Choice(options.wording == "full")))
        if target is None:
            continue
        cap = SHARE_CAP * scale * reference
        candidates = []
        if options.wording == "full" and slot.kind != "action":
            candidates.append(_Choice(True, None, always=True))
        elif options.wording == "full":
            candidates.append(_Choice(True))
        candidates.append(_Choice(False))
        if fewest is not None and slot.action is not None and slot.action.repeat is not None:
            sets = len(slot.action.repeat.sets)
            candidates += [
                _Choice(False, _picked(sets, k)) for k in range(sets - 1, len(fewest) - 1, -1)
            ]
        pick = least
        for choice in candidates:
            item = make(choice)
            quiet = (
                not choice.described or words.seconds(item.text) <= WORDS_SHARE * cap / SHARE_CAP
            )
            if choice.always or (item.part.shortest <= cap and quiet):
                pick = item
                break
        chosen.append(pick)
    if target is None:
        return longest, shortest
    # Explaining parts must not starve the others: while the parts not held at a floor would keep
    # less than MIN_SCALE of their share (or the floors overrun the target), the part whose
    # shortest form saves most goes over to it.
    total_reference = sum(references)
    while True:
        floors = sum(item.part.shortest for item in chosen)
        if floors <= target:
            parts = [item.part for item in chosen]
            if _solve_s(parts, target) * total_reference >= MIN_SCALE * target:
                break
        saving, i = max(
            (chosen[i].part.shortest - shortest[i].part.shortest, i) for i in range(len(chosen))
        )
        if saving <= 0:
            break
        chosen[i] = shortest[i]
    return full, chosen


def _fewest_sets(slot: _Slot) -> tuple[int, ...] | None:
    if slot.action is None or slot.action.repeat is None or slot.action.repeat.fewest is None:
        return None
    return _picked(len(slot.action.repeat.sets), slot.action.repeat.fewest)


def _range(items: Sequence[_Item]) -> tuple[int, int]:
    return sum(i.part.shortest for i in items), sum(i.part.longest for i in items)


def bounds(
    routine: Routine, options: PlanOptions, speech: Mapping[str, float] | None = None
) -> tuple[int, int]:
    """The shortest and longest session the routine allows with these options, in seconds."""
    words = _Words(options, speech)
    full, shortest = _outline(routine, options, words, None)
    return _range(shortest)[0], _range(full)[1]


def full_seconds(
    routine: Routine, options: PlanOptions, speech: Mapping[str, float] | None = None
) -> int:
    """The length of the ``full`` preset: every part at its usual high (the guide's longest)."""
    full = _full_outline(routine, options, _Words(options, speech))
    return round(sum(item.part.full for item in full))


def target_seconds(
    routine: Routine, options: PlanOptions, speech: Mapping[str, float] | None = None
) -> int:
    words = _Words(options, speech)
    full, shortest = _outline(routine, options, words, None)
    return _target(options, full, shortest)


def _target(options: PlanOptions, full: Sequence[_Item], shortest: Sequence[_Item]) -> int:
    if options.minutes is not None:
        return round(options.minutes * 60)
    if options.preset == "full":
        return round(sum(item.part.full for item in full))
    # The nightly 12 minutes, unless these options need longer (a spoken preparation, say).
    return max(NIGHTLY_SECONDS, _range(shortest)[0])


def spoken_texts(routine: Routine, options: PlanOptions) -> tuple[str, ...]:
    """Every text a session with these options may say, at any length, once each, in order.

    The shells have the chosen voice say (and measure) these before planning, so the plan leaves
    each cue the room it really takes: ``plan(routine, options, speech=lengths)``.
    """
    words = _Words(options, None)
    phrases = routine.phrases[options.language]
    texts: dict[str, None] = {}
    for slot in _slots(routine, options):
        choices = [_Choice(True), _Choice(False)]
        for choice in choices:
            item = _item(routine, options, words, slot, choice, 0.0)
            texts[item.text] = None
            for count in item.counts:
                texts[count] = None
            if item.action is not None:
                checkin = item.action.cue[options.language].checkin
                if checkin and options.voice == "partner":
                    texts[checkin] = None
                if item.action.breathe and options.wording == "full":
                    texts[phrases.breathe] = None
                if item.action.repeat is not None and item.action.repeat.countdown:
                    texts[phrases.release] = None
                    if options.wording == "full" and options.counts == "voice":
                        texts.update(dict.fromkeys(phrases.countdown))
    return tuple(texts)


def _alternatives(
    routine: Routine, options: PlanOptions, speech: Mapping[str, float] | None
) -> list[Alternative]:
    candidates: list[tuple[str, PlanOptions]] = []
    if options.preparation:
        candidates.append(("without the spoken preparation", replace(options, preparation=False)))
    if options.feet == "both":
        one = replace(options, feet=options.first_foot)
        candidates.append((f"one foot only ({options.first_foot})", one))
        if options.preparation:
            candidates.append(
                ("one foot, without the spoken preparation", replace(one, preparation=False))
            )
    out = []
    for description, alt in candidates:
        lo, hi = bounds(routine, alt, speech)
        out.append(Alternative(description, lo, hi, alt))
    return out


def _minutes(seconds: int) -> str:
    m, s = divmod(seconds, 60)
    return f"{m} min {s} s" if s else f"{m} min"


# --- cues ------------------------------------------------------------------------------------------


def _describe(routine: Routine, options: PlanOptions, foot: Foot, action: Action) -> str:
    """The action in the routine's words, for this voice and foot (what the screen shows)."""
    lang, voice = options.language, options.voice
    cue = action.cue[lang].for_pressure(options.safety.gentle_only)
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
    described: bool,
) -> str:
    """What is said when an action begins: explained, or only named (the chime marks a new step)."""
    lang = options.language
    phrases = routine.phrases[lang]
    cue = action.cue[lang]
    gentle = options.safety.gentle_only and action.pressure != "light"
    if described:
        spoken = [_describe(routine, options, foot, action)]
        if gentle:
            spoken.append(phrases.gentle_only)
        elif cue.pressure and (action.repeat is not None or foot == options.foot_order[0]):
            # the pressure for a stroke or circles is said on the first foot (the screen keeps
            # it for both); a hold's on each foot
            spoken.append(cue.pressure)
        if first_of_step:
            # the step's title on the first foot; its number alone on the next
            later = foot != options.foot_order[0] and phrases.step_brief is not None
            intro = phrases.step_brief if later and phrases.step_brief else phrases.step_intro
            spoken.insert(0, intro.format(number=s + 1, title=routine.steps[s].title[lang]))
    else:
        spoken = [action.name[lang] + "."]  # the opening has asked for gentle pressure
    if first_of_foot:
        spoken.insert(0, (phrases.left_foot if foot == "left" else phrases.right_foot) + ".")
    return " ".join(spoken)


def _count_texts(
    routine: Routine, options: PlanOptions, foot: Foot, action: Action, kept: Sequence[int]
) -> list[str]:
    """What is said at each repetition, for the sets kept; numbered across the kept sets."""
    assert action.repeat is not None
    lang = options.language
    cue = action.cue[lang]
    foot_words = _foot_phrase(routine.phrases[lang], options.voice, foot)
    total = sum(action.repeat.sets[k].count for k in kept)
    texts = []
    i = 0
    for k in kept:
        rep_set = action.repeat.sets[k]
        for n in range(1, rep_set.count + 1):
            i += 1
            template = cue.first if (n == 1 and rep_set.count > 1 and cue.first) else cue.each
            texts.append(
                (template or "").format(
                    n=n,
                    count=rep_set.count,
                    label=rep_set.label[lang],
                    i=i,
                    total=total,
                    foot=foot_words,
                )
            )
    return texts


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
    words: _Words,
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
    said_until = start + item.chime + words.room(item.text)

    if action.repeat is None:
        end = start + per_unit
        if checkin:
            # midway, but after the instruction and with room to be said before the end
            checkin_at = min(max(start + per_unit // 2, said_until), end - words.room(checkin))
            checkin_span = (checkin_at, checkin_at + words.room(checkin))
        if action.breathe and options.wording == "full":
            every = routine.timing.breathe_every
            room = words.room(phrases.breathe)
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
            cues.append(Cue(at, count_kind, text, n=i, of=len(item.counts)))
            after = per_unit + item.rest + item.extras[i - 1]
            if rep.countdown:
                # count down in the last seconds of the hold, after its quiet (full wording only)
                steps = min(
                    routine.timing.countdown_from,
                    len(phrases.countdown),
                    max(math.floor(per_unit - words.seconds(text) - HOLD_QUIET), 0),
                )
                if options.wording == "brief" or options.counts == "ticks":
                    steps = 0
                countdown = phrases.countdown[len(phrases.countdown) - steps :]
                for k, word in enumerate(countdown):
                    cues.append(
                        Cue(at + per_unit - steps + k, "countdown", word, n=i, of=len(item.counts))
                    )
                cues.append(
                    Cue(at + per_unit, "release", phrases.release, n=i, of=len(item.counts))
                )
                if checkin and i == 1:
                    cues.append(
                        Cue(at + per_unit + words.room(phrases.release), "checkin", checkin)
                    )
                    after += item.checkin_room
            elif checkin and i == 1:
                cues.append(Cue(at + per_unit, "checkin", checkin))
                after += item.checkin_room
            at += after
        end = at
        usual = rep.seconds
        repetitions = len(item.counts)

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
        counts=(
            tuple(
                (action.repeat.sets[k].count, action.repeat.sets[k].label[lang]) for k in item.sets
            )
            if action.repeat
            else ()
        ),
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


def plan(
    routine: Routine,
    options: PlanOptions | None = None,
    speech: Mapping[str, float] | None = None,
) -> Timeline:
    """Fit ``routine`` to the length ``options`` ask for and lay it out as a Timeline.

    ``speech`` gives the seconds the chosen voice takes for each text (from :func:`spoken_texts`);
    texts it lacks are estimated with :func:`speech_seconds`.

    Raises :class:`PlanError` when the length is outside what the routine allows, naming the feasible
    range and the options that would fit.
    """
    options = options or PlanOptions()
    lang, voice = options.language, options.voice
    if lang not in routine.languages:
        raise ValueError(
            f"the routine '{routine.id}' has no language '{lang}' (it has {', '.join(routine.languages)})"
        )
    words = _Words(options, speech)
    full = _full_outline(routine, options, words)
    most, least = _outline(routine, options, words, None, full)
    target = _target(options, most, least)
    shortest, longest = _range(least)[0], _range(most)[1]
    if not shortest <= target <= longest:
        alternatives = _alternatives(routine, options, speech)
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
            quickest = min(alternatives, key=lambda a: a.shortest)
            message += (
                f" The shortest possible is {_minutes(quickest.shortest)}, "
                f"with {quickest.description}."
            )
        raise PlanError(message, shortest, longest, fits)

    _, items = _outline(routine, options, words, target, full)
    per_unit = _fit([item.part for item in items], target)
    segments: list[Segment] = []
    clock = 0
    for item, x in zip(items, per_unit, strict=True):
        index = len(segments)
        if item.kind == "action":
            segment = _action_segment(routine, options, words, item, clock, x, index)
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

    notes = _shortening_notes(routine, options, items)
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


def _shortening_notes(routine: Routine, options: PlanOptions, items: Sequence[_Item]) -> list[str]:
    """What a short session leaves out of the full wording, said plainly."""
    lang = options.language
    notes = []
    named = [i for i in items if i.kind == "action" and not i.described]
    if options.wording == "full" and named:
        total = sum(1 for i in items if i.kind == "action")
        if len(named) == total:
            notes.append("Every part is named rather than explained, to fit this length.")
        else:
            notes.append(
                f"{len(named)} of {total} parts are named rather than explained, to fit this "
                "length (the screen shows every description)."
            )
    for item in items:
        action = item.action
        if action is None or action.repeat is None or len(item.sets) == len(action.repeat.sets):
            continue
        note = (
            f"{action.name[lang]}: {len(item.sets)} of {len(action.repeat.sets)} points, "
            "to fit this length."
        )
        if note not in notes:
            notes.append(note)
    return notes


def plan_for_voice(
    routine: Routine,
    options: PlanOptions,
    measure: Callable[[Iterable[str]], Mapping[str, float]],
    rounds: int = 4,
) -> Timeline:
    """Plan with the chosen voice's own lengths: plan, have ``measure`` say (and time) the texts the
    plan says that are not measured yet, and plan again, until every said text is measured.

    ``measure`` is given only what this plan needs, so a first session prepares its own phrases and
    not every wording it might have chosen. Texts not yet measured are estimated long
    (:func:`speech_seconds`), so each new plan needs at most the room the last one left.
    """
    lengths: dict[str, float] = {}
    timeline = plan(routine, options, lengths)
    for _ in range(rounds):
        missing = list(dict.fromkeys(c.text for c in timeline.cues if c.kind != "tick"))
        missing = [text for text in missing if text not in lengths]
        if not missing:
            break
        lengths.update(measure(missing))
        timeline = plan(routine, options, lengths)
    return timeline
