"""The cues of a planned action segment: when each word is said (the instruction, counts,
countdowns, releases, breaths and check-ins), and the titles of the segments that are not actions.
"""

from __future__ import annotations

import math

from solemate.plan.options import HOLD_QUIET, PlanOptions
from solemate.plan.outline import _Item, _Words
from solemate.plan.texts import _describe
from solemate.routine import Routine
from solemate.timeline import Cue, CueKind, DurationRange, Segment


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
