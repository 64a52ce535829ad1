"""The words of a plan: an action's instruction and counts in the routine's words, for the
chosen voice (self or partner), foot and wording, and the segues' texts.
"""

from __future__ import annotations

from collections.abc import Sequence

from solemate.plan.options import PlanOptions, Voice
from solemate.routine import Action, Phrases, Routine, Segue
from solemate.timeline import Foot

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
