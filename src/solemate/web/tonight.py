"""Tonight's session as the web app runs it: the safety screen, planning, starting and recording.

These are the rules the terminal guide follows (``solemate guide``), kept out of the routes so a
route only parses, calls and formats: a screen counts for 90 days and is asked again when the
questions change; "do not massage" refuses to start; the screen's changes (gentle pressure, no
calf) are applied to the plan; a session is written as in progress before the first word, every
step boundary is written as it is reached, and the end is written as completed or interrupted.

A stored session keeps its plan options, so its Timeline can be planned again exactly (the planner
is deterministic): that is how a reloaded page, or a phone that lost its copy, gets it back.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from pydantic import JsonValue

from solemate.journal import Journal, MassageSession
from solemate.plan import PlanOptions, plan
from solemate.routine import Routine
from solemate.safety import QUESTIONS, AnswerError, Level, SafetyChanges, Verdict, screen
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

#: How long a safety screen counts, as in the terminal guide.
SCREEN_VALID_DAYS = 90


class SafetyRefused(Exception):
    """No session tonight: the screen is missing, out of date, or says not to massage."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SafetyState:
    """The screen that applies now: its verdict, or why a new one is needed."""

    verdict: Verdict | None
    screened_on: dt.date | None
    answers: dict[str, bool]
    needs_screen: bool
    why: str

    @property
    def may_start(self) -> bool:
        return self.verdict is not None and not self.needs_screen and self.verdict.may_massage


def safety_state(journal: Journal, today: dt.date) -> SafetyState:
    """Whether the latest stored screen still holds, and its verdict."""
    latest = journal.latest_screen()
    if latest is None:
        return SafetyState(
            None, None, {}, True, "Answer the safety questions before the first massage."
        )
    answers = {k: v for k, v in latest.answers.items() if isinstance(v, bool)}
    try:
        verdict = screen(answers)
    except AnswerError:
        return SafetyState(
            None,
            latest.screened_on,
            answers,
            True,
            "The safety questions have changed since you last answered them.",
        )
    if (today - latest.screened_on).days > SCREEN_VALID_DAYS:
        return SafetyState(
            verdict,
            latest.screened_on,
            answers,
            True,
            f"Your last safety check was on {latest.screened_on}; please answer again.",
        )
    return SafetyState(verdict, latest.screened_on, answers, False, "")


def record_screen(journal: Journal, today: dt.date, answers: Mapping[str, bool]) -> Verdict:
    """Judge the answers and keep them with their verdict (raises AnswerError when incomplete)."""
    verdict = screen(answers)
    journal.record_screen(today, dict(answers), verdict.level.value, verdict.reasons)
    return verdict


def questions() -> list[dict[str, str]]:
    return [
        {"id": q.id, "self": q.text("self"), "partner": q.text("partner"), "effect": q.effect}
        for q in QUESTIONS
    ]


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
    from dataclasses import replace

    safety = SafetyChanges(
        gentle_only=options.safety.gentle_only or verdict.changes.gentle_only,
        skip_calf=options.safety.skip_calf or verdict.changes.skip_calf,
        patch_test=options.safety.patch_test or verdict.changes.patch_test,
    )
    return replace(options, safety=safety)


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
    state = safety_state(journal, today)
    if state.verdict is None or state.needs_screen:
        raise SafetyRefused(state.why)
    if not state.verdict.may_massage:
        raise SafetyRefused(state.verdict.summary())
    if state.verdict.level is Level.GO_WITH_CHANGES:
        options = with_safety(options, state.verdict)
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
