"""The planner: :func:`plan` fits a routine's outline to the target and lays it out as a
:class:`Timeline`; :func:`plan_for_voice` plans with the measured lengths of a voice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from solemate.plan.cues import _SEGUES, _action_segment
from solemate.plan.fitting import _fit
from solemate.plan.options import PlanError, PlanOptions
from solemate.plan.outline import (
    _alternatives,
    _full_outline,
    _Item,
    _minutes,
    _outline,
    _range,
    _target,
    _Wording,
    _Words,
)
from solemate.routine import Routine
from solemate.timeline import Cue, DurationRange, Segment, Timeline

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
    made: list[dict[_Wording, _Item]] = []  # the items of each slot, for both outlines
    most, least = _outline(routine, options, words, None, full, made)
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

    _, items = _outline(routine, options, words, target, full, made)
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
