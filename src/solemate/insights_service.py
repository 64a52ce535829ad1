"""The journal-backed side of insights: read records, call the pure core, store experiments.

The command line and the web app both call these functions, so neither holds a rule of its own:
a command parses its options, calls one function here and formats what comes back. Dates are
passed in ("today" is the caller's local date), which keeps these functions testable with a
fixed day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, cast
from zoneinfo import ZoneInfo

from solemate.experiment_tonight import (
    TonightAssignment,
    control_minutes,
    log_control_tonight,
    tonight,
    tonight_assignment,
)
from solemate.insights import (
    METRICS,
    DeviceEstimate,
    Evening,
    ExperimentError,
    ExperimentPlan,
    ExperimentReport,
    Insights,
    Night,
    Scheme,
    analyse,
    build_insights,
    evening_of,
    plan_experiment,
)
from solemate.insights.experiment import DEFAULT_MINIMUM
from solemate.insights.power import Detection, detection
from solemate.insights.randomization import Arm, SchemeName
from solemate.insights.weekly import week_start
from solemate.journal.experiment_records import StoredExperiment
from solemate.journal.other_records import SessionTimes
from solemate.journal.reading import latest_experiment, ratings_by_session, running_experiment
from solemate.journal.records import receivers_stress

if TYPE_CHECKING:
    from solemate.journal import Journal
    from solemate.journal.reading import JournalReads

__all__ = [
    "NO_EXPERIMENT",
    "ExperimentStatus",
    "TonightAssignment",
    "control_minutes",
    "detection_for",
    "experiment_overview",
    "experiment_report",
    "experiment_status",
    "insights",
    "journal_zone",
    "log_control_tonight",
    "plan_of",
    "start",
    "stop",
    "stop_note",
    "tonight",
    "tonight_assignment",
]


def journal_zone(journal: JournalReads) -> tzinfo:
    """The zone the person lives in: the latest diary entry's, else this computer's."""
    latest = journal.diary(last=1)
    if latest:
        return ZoneInfo(latest[0].entry.zone)
    return datetime.now(UTC).astimezone().tzinfo or UTC


def _evenings(
    journal: JournalReads,
    stress_from: date | None = None,
    zone: tzinfo = UTC,
    *,
    stress: bool = True,
) -> list[Evening]:
    """Every session as an evening; with ``stress_from``, the stress ratings only of the sessions
    from that evening on (an evening earlier counts for the habit, its ratings for nothing), and
    with ``stress=False`` none at all."""
    sessions = journal.session_times()
    from_session = None
    if stress_from is not None:
        later = (
            s.id for s in sessions if evening_of(s.started_at or s.created_at, zone) >= stress_from
        )
        from_session = min(later, default=None)
    stressed: list[SessionTimes] = []
    if stress and (stress_from is None or from_session is not None):
        stressed = [s for s in sessions if from_session is None or s.id >= from_session]
    by_session = ratings_by_session(journal, stressed)
    out = []
    for session in sessions:
        own = receivers_stress(session.id, session.receiver, by_session.get(session.id, ()))
        out.append(
            Evening(
                started_at=session.started_at or session.created_at,
                ended_at=session.ended_at,
                status=session.status,
                stress_before=own.get("before"),
                stress_after=own.get("after"),
            )
        )
    return out


def _nights(journal: JournalReads, since: date | None = None) -> list[Night]:
    return [Night.from_entry(record.entry) for record in journal.diary(since=since)]


def _devices(journal: JournalReads, since: date | None = None) -> list[DeviceEstimate]:
    return [
        DeviceEstimate(n.source, n.wake_date, n.tst_min, n.sol_min, n.se_pct)
        for n in journal.device_nights(since=since)
        if not n.is_nap
    ]


def insights(journal: JournalReads, today: date, weeks: int) -> Insights:
    """The Insights page's state for the last ``weeks`` weeks up to ``today``."""
    zone = journal_zone(journal)
    kept: set[date] = set()
    stored = latest_experiment(journal)
    if stored is not None:
        plan = plan_of(stored)
        controls = {c.on_date for c in journal.control_activities()}
        kept = {d for d in controls if plan.arm_on(d) == "C"}
    # Nights, device estimates and stress ratings only from the first week shown; every session
    # still counts towards the habit.
    first = week_start(today) - timedelta(weeks=weeks - 1)
    return build_insights(
        _nights(journal, since=first),
        _evenings(journal, stress_from=first, zone=zone),
        _devices(journal, since=first),
        today=today,
        weeks=weeks,
        zone=zone,
        control_kept=kept,
    )


def _fresh_seed() -> int:
    """A seed from the operating system (``secrets`` is imported only when an experiment starts)."""
    import secrets

    return secrets.randbits(63)


def plan_of(stored: StoredExperiment) -> ExperimentPlan:
    """The plan of a stored experiment, with its stored allocation (never re-drawn)."""
    scheme = Scheme(cast(SchemeName, stored.design), stored.nights)
    arms = tuple(cast(Arm, a) for a in stored.arms)
    return ExperimentPlan(
        outcome=stored.outcome,
        scheme=scheme,
        first_evening=stored.first_evening,
        seed=stored.seed,
        arms=arms,
        control=stored.control,
        minimum=stored.minimum,
    )


#: Said when there is no experiment to show; the command line adds how to start one.
NO_EXPERIMENT = "no experiment yet: plan one on the Insights page or from the command line"

#: How far ahead an experiment may be planned: far enough for any plan, near enough that its last
#: night is a real date (``9999-12-31`` plus 28 nights is not).
_MOST_DAYS_AHEAD = 366


def start(
    journal: Journal,
    *,
    today: date,
    outcome: str = "sol",
    design: str = "pairs",
    nights: int = 28,
    control: str = "15 minutes of reading",
    minimum: float | None = None,
    first_evening: date | None = None,
    seed: int | None = None,
) -> tuple[StoredExperiment, tuple[str, ...]]:
    """Plan, allocate and store an experiment; returns it and any warnings about its length.

    The seed is drawn from the operating system unless given; either way it is stored with the
    allocation before the first night, as CENT asks.
    """
    first = first_evening or today
    if first < today:
        raise ExperimentError(
            f"the first night ({first}) is in the past; the plan comes first",
            field="first_evening",
        )
    if (first - today).days > _MOST_DAYS_AHEAD:
        raise ExperimentError(
            f"the first night ({first}) is more than a year ahead; give a date within the "
            "next year",
            field="first_evening",
        )
    plan = plan_experiment(
        outcome=outcome,
        design=design,
        nights=nights,
        first_evening=first,
        seed=_fresh_seed() if seed is None else seed,
        control=control,
        minimum=minimum,
    )
    from solemate.journal.experiments import start_experiment

    stored = start_experiment(
        journal,
        outcome=plan.outcome,
        design=plan.scheme.name,
        first_evening=plan.first_evening,
        seed=plan.seed,
        control=plan.control,
        minimum=plan.minimum,
        arms=plan.arms,
    )
    return stored, plan.warnings()


#: How far back the diary's spread is read for the pre-start power statement.
SPREAD_WEEKS = 12


def detection_for(
    journal: JournalReads,
    today: date,
    *,
    outcome: str = "sol",
    minimum: float | None = None,
    design: str = "pairs",
) -> Detection:
    """What a plan could find, before it starts: the chance that 28, 42 and 56 nights detect
    the minimum, from the spread of the person's own last weeks of diary when there is enough.

    Raises :class:`ExperimentError` (naming the field) for an outcome, minimum or design that
    :func:`start` would refuse too.
    """
    if outcome not in METRICS:
        raise ExperimentError(
            f"{outcome!r} is not recorded by the sleep diary; choose one of: {', '.join(METRICS)}",
            field="outcome",
        )
    if design not in ("pairs", "weeks"):
        raise ExperimentError(
            f"unknown block design {design!r}: use 'pairs' or 'weeks'", field="design"
        )
    chosen = DEFAULT_MINIMUM[outcome] if minimum is None else minimum
    if not (chosen > 0 and math.isfinite(chosen)):
        raise ExperimentError(
            f"the smallest change you care about must be above 0, got {chosen}", field="minimum"
        )
    since = today - timedelta(weeks=SPREAD_WEEKS)
    values = [n.value(outcome) for n in _nights(journal, since=since) if n.wake_date <= today]
    return detection(outcome, chosen, values, design)


def stop(journal: Journal, today: date, reason: str = "") -> StoredExperiment:
    found = running_experiment(journal, today) or _upcoming(journal, today)
    if found is None:
        raise ExperimentError("no experiment is running")
    from solemate.journal.experiments import stop_experiment

    return stop_experiment(journal, found.id, reason)


def _upcoming(journal: JournalReads, today: date) -> StoredExperiment | None:
    latest = latest_experiment(journal)
    if latest is not None and latest.phase(today) == "upcoming":
        return latest
    return None


@dataclass(frozen=True)
class ExperimentStatus:
    """How far the running experiment is: tonight's condition, the nights kept and missing."""

    stored: StoredExperiment
    tonight: str | None
    nights_done: int
    massage_kept: int
    control_kept: int
    diaries: int
    missing: tuple[date, ...]


def _observed(
    journal: JournalReads, plan: ExperimentPlan
) -> tuple[dict[date, float], set[date], set[date]]:
    zone = journal_zone(journal)
    outcomes = {}
    # An evening's night is the diary of the morning after: only the plan's mornings are read.
    for record in journal.diary(since=plan.evening(0) + timedelta(days=1)):
        evening = record.entry.wake_date - timedelta(days=1)
        if plan.arm_on(evening) is not None:
            outcomes[evening] = Night.from_entry(record.entry).value(plan.outcome)
    evenings = _evenings(journal, zone=zone, stress=False)  # kept or not; no stress needed
    massage = {evening_of(e.started_at, zone) for e in evenings if e.happened}
    control = {c.on_date for c in journal.control_activities()}
    return outcomes, massage, control


_Observed = tuple[dict[date, float], set[date], set[date]]


def _latest(journal: JournalReads) -> tuple[StoredExperiment, ExperimentPlan, _Observed]:
    """The latest experiment, its plan, and what the journal holds of its evenings."""
    stored = latest_experiment(journal)
    if stored is None:
        raise ExperimentError(NO_EXPERIMENT)
    plan = plan_of(stored)
    return stored, plan, _observed(journal, plan)


def _status(
    journal: JournalReads,
    today: date,
    stored: StoredExperiment,
    plan: ExperimentPlan,
    observed: _Observed,
) -> ExperimentStatus:
    outcomes, massage, control = observed
    past = [plan.evening(i) for i in range(plan.nights) if plan.evening(i) < today]
    if stored.stopped_at is not None:
        stop_day = stored.stopped_at.astimezone(journal_zone(journal)).date()
        past = [d for d in past if d < stop_day]
    return ExperimentStatus(
        stored=stored,
        tonight=tonight(journal, today),
        nights_done=len(past),
        massage_kept=sum(1 for d in past if plan.arm_on(d) == "M" and d in massage),
        control_kept=sum(
            1 for d in past if plan.arm_on(d) == "C" and d in control and d not in massage
        ),
        diaries=sum(1 for d in past if d in outcomes),
        missing=tuple(d for d in past if d not in outcomes),
    )


def _report(
    journal: JournalReads,
    today: date,
    stored: StoredExperiment,
    plan: ExperimentPlan,
    observed: _Observed,
) -> ExperimentReport:
    until = today
    if stored.stopped_at is not None:
        until = min(today, stored.stopped_at.astimezone(journal_zone(journal)).date())
    return analyse(plan, *observed, until)


def experiment_status(journal: JournalReads, today: date) -> ExperimentStatus:
    """How far the latest experiment is as of ``today``: nights done and kept, diaries missing."""
    return _status(journal, today, *_latest(journal))


def experiment_report(journal: JournalReads, today: date) -> ExperimentReport:
    """The analysis of the latest experiment as of ``today`` (stopped ones up to their stop)."""
    return _report(journal, today, *_latest(journal))


def experiment_overview(
    journal: JournalReads, today: date
) -> tuple[ExperimentStatus, ExperimentReport | ExperimentError]:
    """The status and the report, or why there is no report yet, from one reading of the journal
    (the Insights page shows both)."""
    latest = _latest(journal)
    status = _status(journal, today, *latest)
    try:
        return status, _report(journal, today, *latest)
    except ExperimentError as error:
        return status, error


def stop_note(stored: StoredExperiment | None) -> str | None:
    """What a report says of a stopped experiment: its reason, or that none was given."""
    if stored is None or stored.stopped_at is None:
        return None
    return stored.stop_reason or "no reason given"
