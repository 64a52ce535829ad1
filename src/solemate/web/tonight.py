"""Tonight's session as the web app runs it: the safety screen, planning, starting and recording.

Whether a session may start, and with which changes, is the safety service's rule
(:mod:`solemate.safety_service`, which the terminal guide, render and print follow too); this
module keeps the rest out of the routes so a route only parses, calls and formats: a session is written as in progress before the first word, every
step boundary is written as it is reached, and the end is written as completed or interrupted.

A stored session keeps its plan options, so its Timeline can be planned again exactly (the planner
is deterministic): that is how a reloaded page, or a phone that lost its copy, gets it back.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any

from pydantic import JsonValue

from solemate import safety_service
from solemate.journal import Journal, MassageSession
from solemate.plan import PlanOptions, plan
from solemate.routine import Routine
from solemate.safety import QUESTIONS, TONIGHT_QUESTIONS, SafetyChanges, Verdict, merge_changes
from solemate.timeline import Timeline

__all__ = [
    "SCREEN_VALID_DAYS",
    "Planner",
    "SafetyRefused",
    "SafetyState",
    "options_from_stored",
    "record_boundary",
    "record_screen",
    "safety_state",
    "start_session",
]

# The rules live in the safety service, shared with the terminal guide, render and print.
SCREEN_VALID_DAYS = safety_service.SCREEN_VALID_DAYS
SafetyRefused = safety_service.SafetyRefused
SafetyState = safety_service.SafetyState
safety_state = safety_service.safety_state
record_screen = safety_service.record_screen


def questions() -> list[dict[str, str]]:
    return [
        {"id": q.id, "self": q.text("self"), "partner": q.text("partner"), "effect": q.effect}
        for q in QUESTIONS
    ]


def tonight_questions() -> list[dict[str, str]]:
    """The nightly check's conditions, each in a few words."""
    return [{"id": q.id, "text": q.tonight or ""} for q in TONIGHT_QUESTIONS]


class Planner:
    """The planner for one routine, with recent Timelines kept: planning is pure, so a repeat of
    the same options can be answered from memory (the player asks again on every reload)."""

    def __init__(self, routine: Routine, size: int = 256) -> None:
        self.routine = routine
        self._size = size
        self._lock = threading.Lock()
        self._kept: OrderedDict[PlanOptions, tuple[Timeline, bytes]] = OrderedDict()

    def _entry(self, options: PlanOptions) -> tuple[Timeline, bytes]:
        with self._lock:
            found = self._kept.get(options)
            if found is not None:
                self._kept.move_to_end(options)
                return found
        timeline = plan(self.routine, options)  # PlanError passes through to the caller
        entry = (timeline, timeline.to_json(indent=None).encode())
        with self._lock:
            self._kept[options] = entry
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return entry

    def timeline(self, options: PlanOptions) -> Timeline:
        return self._entry(options)[0]

    def json(self, options: PlanOptions) -> bytes:
        """The Timeline as compact JSON bytes, as the API serves it."""
        return self._entry(options)[1]

    @property
    def version(self) -> str:
        """What a session records as its routine version: the version and the content digest."""
        return f"{self.routine.version}+{self.routine.digest}"


def with_safety(options: PlanOptions, verdict: Verdict) -> PlanOptions:
    """The options with the screen's changes added (never removed: a chosen gentle stays)."""
    return replace(options, safety=merge_changes(options.safety, verdict))


def start_session(
    journal: Journal,
    planner: Planner,
    options: PlanOptions,
    today: dt.date,
    before_stress: int | None,
) -> tuple[int, Timeline]:
    """Check the screen, plan with its changes, write the session as started (and the rating).

    Raises :class:`SafetyRefused` when tonight's massage may not start, PlanError for a length
    the routine cannot fill. Nothing is written unless the session can start.
    """
    options, _ = safety_service.prepare(journal, today, options, "player")
    timeline = planner.timeline(options)
    session_id = journal.start_session(
        planner.routine.id,
        planner.version,
        planned_seconds=timeline.total,
        plan_options=_json_options(timeline.options),
    )
    if before_stress is not None:
        journal.rate_stress("before", before_stress, session_id=session_id)
    return session_id, timeline


def _json_options(options: Mapping[str, Any]) -> dict[str, JsonValue]:
    return dict(options)


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


def record_boundary(journal: Journal, session_id: int, timeline: Timeline, index: int) -> bool:
    """Write that the session reached segment ``index``; True when it was a step (written).

    As in the terminal guide, only massage steps are written: the opening, the towel wrap and the
    closing are not steps of the guide.
    """
    segment = timeline.segments[index]
    if segment.kind != "action" or not segment.foot or not segment.step:
        return False
    journal.advance_session(session_id, segment.foot, segment.step, segment.step_id)
    return True
