"""The session outline: the items a routine becomes for a set of options (actions with their
counts and words, segues), their floors and highs, the full and the shortest outline, and the
bounds and targets a plan may have.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from solemate.plan.fitting import _Part, _solve_s
from solemate.plan.options import (
    CHIME_ROOM,
    END_ROOM,
    HOLD_QUIET,
    MIN_SCALE,
    NIGHTLY_SECONDS,
    SHARE_CAP,
    SPEECH_PAUSE,
    TICK_SECONDS,
    WORDS_SHARE,
    Alternative,
    PlanOptions,
    speech_seconds,
)
from solemate.plan.texts import _count_texts, _foot_phrase, _instruction, _segue_text, _voice_text
from solemate.routine import Action, Range, Routine
from solemate.timeline import Foot

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
        # A plan asks about the same few dozen texts hundreds of times: each is worked out once.
        self._seconds: dict[str, float] = {}
        self._rooms: dict[str, int] = {}

    def seconds(self, text: str) -> float:
        known = self._seconds.get(text)
        if known is None:
            measured = self.speech.get(text)
            known = measured if measured is not None else speech_seconds(text, self.rate)
            self._seconds[text] = known
        return known

    def room(self, text: str) -> int:
        """Whole seconds to keep free for ``text``: its spoken length and a short pause after it."""
        known = self._rooms.get(text)
        if known is None:
            known = self._rooms[text] = math.ceil(self.seconds(text) + SPEECH_PAUSE)
        return known


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


_Wording = tuple[bool, tuple[int, ...] | None]
"""How a slot is said, as an item is kept by: described or not, and which sets."""


def _outline(
    routine: Routine,
    options: PlanOptions,
    words: _Words,
    target: int | None,
    full: list[_Item] | None = None,
    made: list[dict[_Wording, _Item]] | None = None,
) -> tuple[list[_Item], list[_Item]]:
    """The outline for ``target`` seconds, after the ``full`` preset's (the references).

    With no target: the outlines of the longest and of the shortest session these options allow.
    ``made`` keeps the items made for each slot, by wording, for another call with the same
    routine, options, words and ``full`` (an item depends on nothing else).

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
    if made is None:
        made = []
    for i, (slot, explained, reference) in enumerate(zip(slots, full, references, strict=True)):
        # each wording of the slot is made once: the explained one is the full preset's
        if i == len(made):
            made.append({(True, None): explained})

        def make(
            choice: _Choice,
            slot: _Slot = slot,
            reference: float = reference,
            made: dict[_Wording, _Item] = made[i],
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
