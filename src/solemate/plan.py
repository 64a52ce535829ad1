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

Everything here is pure and deterministic: the same routine and options give the same Timeline.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

from solemate.routine import Action, Phrases, Range, Routine, Segue
from solemate.safety import SafetyChanges
from solemate.timeline import Cue, DurationRange, Foot, Segment, Timeline

Voice = Literal["self", "partner"]
FeetChoice = Literal["both", "left", "right"]
Preset = Literal["nightly", "full"]

NIGHTLY_SECONDS = 12 * 60
MAX_TARGET_SECONDS = 4 * 60 * 60


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

    def __post_init__(self) -> None:
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
    """A segment to be: what it is and the part that times it."""

    kind: Literal["opening", "preparation", "action", "between-feet", "closing"]
    part: _Part
    foot: Foot | None = None
    step_index: int | None = None
    action: Action | None = None
    ref: str = ""


def _part_for(action: Action) -> _Part:
    if action.repeat is None:
        assert action.seconds is not None
        return _Part.of(action.seconds)
    rep = action.repeat
    return _Part.of(rep.seconds, unit=rep.total, fixed=rep.lead + rep.rest * rep.total)


def _outline(routine: Routine, options: PlanOptions) -> list[_Item]:
    items = [_Item("opening", _Part.of(routine.opening.seconds))]
    if options.preparation:
        for prep in routine.preparation:
            if prep.who in ("both", options.voice):
                items.append(_Item("preparation", _Part.of(prep.seconds), ref=prep.id))
    feet = options.foot_order
    for n, foot in enumerate(feet):
        for s, step in enumerate(routine.steps):
            for action in step.actions:
                items.append(_Item("action", _part_for(action), foot, s, action))
        if n < len(feet) - 1:
            items.append(_Item("between-feet", _Part.of(routine.between_feet.seconds), foot))
    items.append(_Item("closing", _Part.of(routine.closing.seconds)))
    return items


def bounds(routine: Routine, options: PlanOptions) -> tuple[int, int]:
    """The shortest and longest session the routine allows with these options, in seconds."""
    parts = [item.part for item in _outline(routine, options)]
    return round(_total(parts, 0)), round(_total(parts, 3))


def full_seconds(routine: Routine, options: PlanOptions) -> int:
    """The length of the ``full`` preset: every part at its usual high (the guide's longest)."""
    return round(_total([item.part for item in _outline(routine, options)], 2))


def target_seconds(routine: Routine, options: PlanOptions) -> int:
    if options.minutes is not None:
        return round(options.minutes * 60)
    if options.preset == "full":
        return full_seconds(routine, options)
    return NIGHTLY_SECONDS


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
    first_of_step: bool,
    first_of_foot: bool,
) -> Segment:
    action, foot, s = item.action, item.foot, item.step_index
    assert action is not None
    assert foot is not None
    assert s is not None
    lang, voice = options.language, options.voice
    phrases = routine.phrases[lang]
    step = routine.steps[s]
    cue = action.cue[lang]
    foot_words = _foot_phrase(phrases, voice, foot)
    skip_calf = options.safety.skip_calf and action.reaches_calf
    if skip_calf:
        body = _voice_text(voice, cue.self_no_calf or cue.self_, cue.partner_no_calf or cue.partner)
    else:
        body = _voice_text(voice, cue.self_, cue.partner)
    instruction = body.format(foot=foot_words)
    if options.safety.gentle_only and action.pressure != "light":
        pressure_note: str | None = phrases.gentle_only
    else:
        pressure_note = cue.pressure
    spoken = [instruction] + ([pressure_note] if pressure_note else [])
    if first_of_step:
        spoken.insert(0, phrases.step_intro.format(number=s + 1, title=step.title[lang]))
    if first_of_foot:
        spoken.insert(0, (phrases.left_foot if foot == "left" else phrases.right_foot) + ".")
    cues = [Cue(start, "instruction", " ".join(spoken))]
    checkin = cue.checkin if voice == "partner" else None

    if action.repeat is None:
        end = start + per_unit
        if action.breathe:
            every = routine.timing.breathe_every
            at = start + every
            while at <= end - 10:
                cues.append(Cue(at, "breathe", phrases.breathe))
                at += every
        if checkin:
            middle = start + per_unit // 2
            if any(abs(c.at - middle) < 8 for c in cues[1:]):
                middle = start + per_unit // 3
            cues.append(Cue(middle, "checkin", checkin))
        usual = action.seconds
        repetitions = None
    else:
        rep = action.repeat
        each = cue.each or ""
        at = start + rep.lead
        i = 0
        for rep_set in rep.sets:
            for n in range(1, rep_set.count + 1):
                i += 1
                text = each.format(
                    n=n,
                    count=rep_set.count,
                    label=rep_set.label[lang],
                    i=i,
                    total=rep.total,
                    foot=foot_words,
                )
                cues.append(Cue(at, "count", text, n=i, of=rep.total))
                if rep.countdown:
                    # leave the first seconds of a hold for the count cue to be heard
                    steps = min(
                        routine.timing.countdown_from, len(phrases.countdown), max(per_unit - 3, 0)
                    )
                    words = phrases.countdown[len(phrases.countdown) - steps :]
                    for k, word in enumerate(words):
                        cues.append(
                            Cue(at + per_unit - steps + k, "countdown", word, n=i, of=rep.total)
                        )
                    cues.append(Cue(at + per_unit, "release", phrases.release, n=i, of=rep.total))
                    if checkin and i == 1:
                        cues.append(Cue(at + per_unit, "checkin", checkin))
                at += per_unit + rep.rest
        end = at
        if checkin and not rep.countdown:
            cues.append(Cue(start + rep.lead + per_unit, "checkin", checkin))
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
    target = target_seconds(routine, options)
    shortest, longest = bounds(routine, options)
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

    items = _outline(routine, options)
    per_unit = _fit([item.part for item in items], target)
    phrases = routine.phrases[lang]
    segments: list[Segment] = []
    clock = 0
    last_step: tuple[Foot | None, int | None] = (None, None)
    last_foot: Foot | None = None
    for item, x in zip(items, per_unit, strict=True):
        index = len(segments)
        if item.kind == "action":
            segment = _action_segment(
                routine,
                options,
                item,
                clock,
                x,
                index,
                first_of_step=(item.foot, item.step_index) != last_step,
                first_of_foot=item.foot != last_foot,
            )
            last_step, last_foot = (item.foot, item.step_index), item.foot
        else:
            end = clock + x
            if item.kind == "opening":
                text = _segue_text(routine.opening, lang, voice)
                title, cue_kind = "Opening", "opening"
            elif item.kind == "preparation":
                prep = next(p for p in routine.preparation if p.id == item.ref)
                text = _voice_text(voice, prep.cue[lang].self_, prep.cue[lang].partner)
                title, cue_kind = "Preparation", "preparation"
            elif item.kind == "between-feet":
                assert item.foot is not None
                other: Foot = "right" if item.foot == "left" else "left"
                text = _segue_text(
                    routine.between_feet,
                    lang,
                    voice,
                    foot=_foot_phrase(phrases, voice, item.foot),
                    other_foot=_foot_phrase(phrases, voice, other),
                )
                title, cue_kind = "Towel wrap, then the other foot", "transition"
            else:
                text = _segue_text(routine.closing, lang, voice)
                title, cue_kind = "Closing", "closing"
            rng = (
                routine.opening.seconds
                if item.kind == "opening"
                else routine.between_feet.seconds
                if item.kind == "between-feet"
                else routine.closing.seconds
                if item.kind == "closing"
                else next(p for p in routine.preparation if p.id == item.ref).seconds
            )
            segment = Segment(
                index=index,
                kind=item.kind,
                start=clock,
                end=end,
                title=title,
                foot=item.foot,
                instruction=text,
                usual=DurationRange(rng.low, rng.high, rng.origin),
                cues=(Cue(clock, cue_kind, text),),  # type: ignore[arg-type]
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
