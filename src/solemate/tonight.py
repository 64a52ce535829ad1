"""Tonight's session, one service for every path: the terminal guide, the web app and render.

The shells only ask and show; the rules are here (and, for safety, in :mod:`solemate.safety_service`,
re-exported here so a shell needs one import):

- **Safety.** Whether tonight's session may start, and with which changes, is
  :func:`prepare`: no current screen (none yet, older than :data:`SCREEN_VALID_DAYS`, or the
  questions changed), a "do not massage" answer, or, for a path that plays now, no answer to
  tonight's check or a clinician's word still owed, and nothing is played or written. The screen's
  changes are *added* to the chosen ones (:func:`with_safety`): a chosen gentle pressure or patch
  test stays, whichever shell asks.
- **Who.** A session has a receiver (whose feet: their safety screen, nightly check, stress
  ratings and nights) and a giver (the receiver too, for self-massage). The receiver is the
  journal's chosen person; the giver may rate their own stress after (:func:`rate`).
- **Starting.** :func:`begin` writes the session as in progress before the first word, with the
  routine's version (:func:`routine_version`) and the Timeline's options, so it can be planned
  again exactly; then the before-stress rating. A start closes the same person's session still in
  progress, as interrupted at its last recorded step.
- **Progress.** :func:`record_segment` writes every step boundary as it is reached (the opening,
  the towel wrap and the closing are not steps) with the time played so far.
- **Played time and the end.** :func:`finish`: a session run to its end is ``completed`` only when
  at least :data:`COMPLETED_SHARE` (80 %) of its planned time was played, else ``skipped``;
  stopped early it is ``interrupted``. Played time is measured by the player (the terminal guide's
  own clock, the web page's count of seconds played), clamped by the journal to the time since
  the start and to the planned length, and never lowered.
- **Sessions left open** are closed as interrupted after six hours of silence, when the journal is
  next used (:func:`sessions` checks for a process that keeps the journal open).

A stored session keeps its plan options, so its Timeline can be planned again exactly (the planner
is deterministic): that is how a reloaded page, or a phone that lost its copy, gets it back.

Nothing here imports from the command line or the web app.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import fields, replace
from typing import TYPE_CHECKING, Any, Literal

from solemate import safety_service
from solemate.journal.records import COMPLETED_SHARE, ended_status
from solemate.plan import PlanOptions, plan
from solemate.safety import QUESTIONS, TONIGHT_QUESTIONS, SafetyChanges, Verdict, merge_changes

if TYPE_CHECKING:
    from pydantic import JsonValue

    from solemate.journal import Journal, MassageSession
    from solemate.routine import Routine
    from solemate.timeline import Segment, Timeline

__all__ = [
    "COMPLETED_SHARE",
    "SCREEN_VALID_DAYS",
    "Planner",
    "RoutineChanged",
    "SafetyRefused",
    "SafetyState",
    "begin",
    "confirm_clinician",
    "ended_status",
    "finish",
    "options_from_stored",
    "played_text",
    "prepare",
    "questions",
    "rate",
    "record_boundary",
    "record_played",
    "record_screen",
    "record_segment",
    "record_tonight",
    "routine_version",
    "safety_state",
    "session_timeline",
    "sessions",
    "start_session",
    "stress_answer",
    "tonight_questions",
    "with_safety",
]

# The safety rules live in the safety service, shared with print.
SCREEN_VALID_DAYS = safety_service.SCREEN_VALID_DAYS
SafetyRefused = safety_service.SafetyRefused
SafetyState = safety_service.SafetyState
safety_state = safety_service.safety_state
record_screen = safety_service.record_screen
record_tonight = safety_service.record_tonight
confirm_clinician = safety_service.confirm_clinician
prepare = safety_service.prepare


def questions() -> list[dict[str, str]]:
    """The safety screen's questions, in the words for oneself and for a partner."""
    return [
        {"id": q.id, "self": q.text("self"), "partner": q.text("partner"), "effect": q.effect}
        for q in QUESTIONS
    ]


def tonight_questions() -> list[dict[str, str]]:
    """The nightly check's conditions, each in a few words."""
    return [{"id": q.id, "text": q.tonight or ""} for q in TONIGHT_QUESTIONS]


def with_safety(options: PlanOptions, verdict: Verdict) -> PlanOptions:
    """The options with the screen's changes added (never removed: a chosen gentle stays)."""
    return replace(options, safety=merge_changes(options.safety, verdict))


def routine_version(routine: Routine) -> str:
    """What a session records as its routine version: the version and the content digest."""
    return f"{routine.version}+{routine.digest}"


class Planner:
    """The planner for one routine, with recent Timelines kept: planning is pure, so a repeat of
    the same options can be answered from memory (the player asks again on every reload)."""

    def __init__(self, routine: Routine, size: int = 256) -> None:
        self.routine = routine
        # lru_cache is thread-safe; a refusal (PlanError) is not kept and passes to the caller.
        self._entry = functools.lru_cache(maxsize=size)(self._plan)

    def _plan(self, options: PlanOptions) -> tuple[Timeline, bytes]:
        timeline = plan(self.routine, options)
        return timeline, timeline.to_json(indent=None).encode()

    def timeline(self, options: PlanOptions) -> Timeline:
        return self._entry(options)[0]

    def json(self, options: PlanOptions) -> bytes:
        """The Timeline as compact JSON bytes, as the API serves it."""
        return self._entry(options)[1]

    @property
    def version(self) -> str:
        """What a session records as its routine version (:func:`routine_version`)."""
        return routine_version(self.routine)


# --- starting ---------------------------------------------------------------------------------


def begin(
    journal: Journal,
    routine: Routine,
    timeline: Timeline,
    before_stress: int | None = None,
    *,
    giver: str | None = None,
) -> int:
    """Write tonight's session as in progress (before the first word) and the before-rating.

    Call it after :func:`prepare` allowed the session and its Timeline was planned with the
    options it returned. Returns the session's id. The receiver is the journal's chosen person
    (:meth:`~solemate.journal.Journal.choose_person`), whose screen :func:`prepare` checked;
    ``giver`` massages them (None: the receiver, self-massage). The before-rating is the
    receiver's.
    """
    session_id = journal.start_session(
        routine.id,
        routine_version(routine),
        planned_seconds=timeline.total,
        plan_options=_json_options(timeline.options),
        receiver=journal.chosen_person,
        giver=giver,
    )
    if before_stress is not None:
        journal.rate_stress("before", before_stress, session_id=session_id)
    return session_id


def start_session(
    journal: Journal,
    planner: Planner,
    options: PlanOptions,
    today: dt.date,
    before_stress: int | None,
    path: safety_service.Path = "player",
    *,
    giver: str | None = None,
) -> tuple[int, Timeline]:
    """Check the screen, plan with its changes, write the session as started (and the rating).

    The receiver is the journal's chosen person and ``giver`` massages them, as in :func:`begin`.
    Raises :class:`SafetyRefused` when tonight's massage may not start, PlanError for a length
    the routine cannot fill. Nothing is written unless the session can start.
    """
    options, _ = prepare(journal, today, options, path)
    timeline = planner.timeline(options)
    return begin(journal, planner.routine, timeline, before_stress, giver=giver), timeline


def _json_options(options: Mapping[str, Any]) -> dict[str, JsonValue]:
    return dict(options)


# --- progress, played time, the end -------------------------------------------------------------


def record_segment(
    journal: Journal,
    session_id: int,
    segment: Segment,
    played_seconds: float | None = None,
    clock_speed: float = 1.0,
) -> bool:
    """Write that the session reached ``segment``; True when it was a step (written as one).

    Only massage steps are steps: the opening, the towel wrap and the closing are not. The played
    time, when given, is kept either way. ``clock_speed`` is for a player on a faster clock (the
    guide's ``--speed``), whose played time runs ahead of the wall clock.
    """
    if segment.kind != "action" or not segment.foot or not segment.step:
        if played_seconds is not None:
            journal.record_played(session_id, played_seconds, clock_speed=clock_speed)
        return False
    journal.advance_session(
        session_id,
        segment.foot,
        segment.step,
        segment.step_id,
        played_seconds=played_seconds,
        clock_speed=clock_speed,
    )
    return True


def record_boundary(
    journal: Journal,
    session_id: int,
    timeline: Timeline,
    index: int,
    played_seconds: float | None = None,
    clock_speed: float = 1.0,
) -> bool:
    """:func:`record_segment` for segment ``index`` of ``timeline`` (as the web player reports)."""
    segment = timeline.segments[index]
    return record_segment(journal, session_id, segment, played_seconds, clock_speed)


def record_played(journal: Journal, session_id: int, played_seconds: float) -> MassageSession:
    """Keep the played time reported so far (clamped, never lowered: see the module docstring)."""
    return journal.record_played(session_id, played_seconds)


def finish(
    journal: Journal,
    session_id: int,
    reached_end: bool,
    played_seconds: float | None = None,
    clock_speed: float = 1.0,
) -> MassageSession:
    """End the session: run to its end (completed or skipped, by the 80 % rule) or stopped early.

    Returns the session as recorded, with its status and played time.
    """
    status: Literal["completed", "interrupted"] = "completed" if reached_end else "interrupted"
    return journal.finish_session(
        session_id, status, played_seconds=played_seconds, clock_speed=clock_speed
    )


def rate(
    journal: Journal,
    session_id: int,
    moment: Literal["before", "after"],
    stress: int,
    relaxation: int | None = None,
    *,
    person: str | None = None,
) -> None:
    """ "How stressed do you feel right now?" for the session; a second answer replaces the first.

    The receiver's, unless ``person`` names the giver (who may rate their own stress too).
    """
    journal.rate_stress(moment, stress, session_id=session_id, relaxation=relaxation, person=person)


def stress_answer(raw: str) -> int | None:
    """A stress rating typed as text: None for a blank answer (skipped), else a whole number from
    0 to 10, or ValueError. The terminal and the Journal page's form take the same answers."""
    text = raw.strip()
    if not text:
        return None
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    if text.isdecimal() and int(text) <= 10:
        return int(text)
    raise ValueError(f"give a whole number from 0 to 10, got {raw!r}")


def sessions(journal: Journal, *, last: int | None = None) -> list[MassageSession]:
    """The sessions, oldest first, after closing any left open for six hours."""
    journal.close_stale_sessions()
    return journal.sessions(last=last)


def played_text(seconds: float | None) -> str:
    """Played time in a few words, the same in the terminal and on the Journal page.

    >>> played_text(720), played_text(65), played_text(9.6), played_text(None)
    ('12 min', '1 min 05 s', '10 s', 'unknown')
    """
    if seconds is None:
        return "unknown"
    minutes, rest = divmod(round(seconds), 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min" if not rest else f"{minutes} min {rest:02d} s"


# --- a stored session planned again -------------------------------------------------------------


def options_from_stored(stored: Mapping[str, Any]) -> PlanOptions:
    """Plan options back from a session's stored ``plan_options`` (``Timeline.options``)."""
    known = {f.name for f in fields(PlanOptions)}
    values = {k: v for k, v in stored.items() if k in known and k != "safety"}
    safety = stored.get("safety")
    if isinstance(safety, Mapping):
        values["safety"] = SafetyChanges(
            **{
                k: bool(v)
                for k, v in safety.items()
                if k in {f.name for f in fields(SafetyChanges)}
            }
        )
    return PlanOptions(**values)


class RoutineChanged(Exception):
    """A stored session was planned from another version of the routine."""


def session_timeline(planner: Planner, session: MassageSession) -> Timeline:
    """The Timeline a stored session ran, planned again from its options."""
    if session.routine_id != planner.routine.id or session.routine_version != planner.version:
        raise RoutineChanged(
            f"session {session.id} was planned from routine {session.routine_id} "
            f"{session.routine_version}, not {planner.routine.id} {planner.version}"
        )
    return planner.timeline(options_from_stored(session.plan_options))
