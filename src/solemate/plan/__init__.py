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

The planner is a package, one module per concept: :mod:`~solemate.plan.options` (what a plan is
asked for, how it refuses), :mod:`~solemate.plan.fitting` (the scale factor),
:mod:`~solemate.plan.outline` (the items of a session and their bounds),
:mod:`~solemate.plan.texts` (the words said), :mod:`~solemate.plan.cues` (when they are said) and
:mod:`~solemate.plan.planner` (:func:`plan`). Their public names are re-exported here.
"""

from __future__ import annotations

from solemate.plan.options import (
    ABOUT,
    CHIME_ROOM,
    CHOICES,
    COUNTS,
    END_ROOM,
    FITTING_RULE,
    FLAG_HELP,
    HOLD_QUIET,
    MAX_SPEECH_RATE,
    MAX_TARGET_SECONDS,
    MIN_SCALE,
    MIN_SPEECH_RATE,
    NIGHTLY_SECONDS,
    SHARE_CAP,
    SPEECH_PAUSE,
    SPEECH_RATE,
    TICK_SECONDS,
    WORDINGS,
    WORDS_SHARE,
    Alternative,
    Choice,
    Counts,
    FeetChoice,
    PlanError,
    PlanOptions,
    Preset,
    Voice,
    Wording,
    room_to_say,
    speech_seconds,
)
from solemate.plan.outline import bounds, full_seconds, spoken_texts, target_seconds
from solemate.plan.planner import plan, plan_for_voice

__all__ = [
    "ABOUT",
    "CHIME_ROOM",
    "CHOICES",
    "COUNTS",
    "END_ROOM",
    "FITTING_RULE",
    "FLAG_HELP",
    "HOLD_QUIET",
    "MAX_SPEECH_RATE",
    "MAX_TARGET_SECONDS",
    "MIN_SCALE",
    "MIN_SPEECH_RATE",
    "NIGHTLY_SECONDS",
    "SHARE_CAP",
    "SPEECH_PAUSE",
    "SPEECH_RATE",
    "TICK_SECONDS",
    "WORDINGS",
    "WORDS_SHARE",
    "Alternative",
    "Choice",
    "Counts",
    "FeetChoice",
    "PlanError",
    "PlanOptions",
    "Preset",
    "Voice",
    "Wording",
    "bounds",
    "full_seconds",
    "plan",
    "plan_for_voice",
    "room_to_say",
    "speech_seconds",
    "spoken_texts",
    "target_seconds",
]
