"""Sessions, their ratings and the safety screens before them: one family of :class:`Journal`.

A session is written before its first word is spoken and advanced at every step boundary, so
a crash at any point leaves a record; ratings before and after it are kept beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Literal

from pydantic import JsonValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from solemate.journal.checks import check_int, check_played, json_object
from solemate.journal.core import JournalCore, interrupt_session
from solemate.journal.liveness import current_owner
from solemate.journal.mapping import record_from_row
from solemate.journal.other_records import SafetyScreen, SessionTimes
from solemate.journal.records import (
    JournalError,
    MassageSession,
    Moment,
    Rating,
    SessionStatus,
    ended_status,
)
from solemate.journal.schema import (
    PersonRow,
    RatingRow,
    SafetyScreenRow,
    SessionRow,
    new_uid,
)

__all__ = ["SessionsMixin"]


class SessionsMixin(JournalCore):
    """Safety screens, massage sessions from start to end, and stress ratings."""

    def record_screen(
        self,
        on: date,
        answers: Mapping[str, JsonValue],
        level: str,
        reasons: Sequence[str],
        *,
        person: str | None = None,
    ) -> SafetyScreen:
        """Keep a safety screen's answers and the verdict they gave (level and reasons)."""
        if not level or len(level) > 40:
            raise JournalError("must be 1 to 40 characters", field="level")
        if isinstance(reasons, str) or not all(isinstance(r, str) for r in reasons):
            raise JournalError("must be a list of texts", field="reasons")
        with self._writer.begin() as s:
            row = self._add(
                s,
                SafetyScreenRow(
                    uid=new_uid(),
                    person_id=self._person_id(s, person),
                    screened_on=on,
                    answers=json_object(answers, "answers"),
                    level=level,
                    reasons=list(reasons),
                    created_at=self._now(),
                ),
            )
            return self._screen(self._names(s), row)

    def safety_screens(
        self, *, person: str | None = None, last: int | None = None
    ) -> list[SafetyScreen]:
        """A person's screens, oldest first, or only the ``last`` few."""
        with self._reader() as s:
            pid = self._existing_person_id(s, person)
            if pid is None:
                return []
            query = select(SafetyScreenRow).where(SafetyScreenRow.person_id == pid)
            rows = self._last(s, query, SafetyScreenRow.screened_on, last)
            names = self._names(s)
            return [self._screen(names, row) for row in rows]

    def latest_screen(self, *, person: str | None = None) -> SafetyScreen | None:
        """The most recent screen: the one whose verdict applies now."""
        screens = self.safety_screens(person=person, last=1)
        return screens[-1] if screens else None

    def start_session(
        self,
        routine_id: str,
        routine_version: str,
        *,
        planned_seconds: int,
        plan_options: Mapping[str, JsonValue] | None = None,
        receiver: str | None = None,
        giver: str | None = None,
    ) -> int:
        """Record a session as in progress, now, owned by this process; returns its id.

        Written before the first word is spoken, so a crash at any point leaves a record.
        ``giver`` defaults to the receiver (self-massage); both default to the default person.
        A session either of them still has in progress is recorded as interrupted, now.
        """
        return self._new_session(
            "in_progress",
            routine_id,
            routine_version,
            planned_seconds,
            plan_options,
            receiver,
            giver,
        )

    def plan_session(
        self,
        routine_id: str,
        routine_version: str,
        *,
        planned_seconds: int,
        plan_options: Mapping[str, JsonValue] | None = None,
        receiver: str | None = None,
        giver: str | None = None,
    ) -> int:
        """Record a session as planned, not run live (a rendered audio track, say)."""
        return self._new_session(
            "planned", routine_id, routine_version, planned_seconds, plan_options, receiver, giver
        )

    def advance_session(
        self,
        session_id: int,
        foot: str,
        step: int,
        step_id: str | None = None,
        *,
        played_seconds: float | None = None,
        clock_speed: float = 1.0,
    ) -> None:
        """Record that the session reached a step boundary: ``foot``, step number ``step``.

        Called at every boundary; the row then always names the last boundary reached, which is
        where an interrupted session stopped. ``played_seconds`` is kept as by
        :meth:`record_played`.
        """
        if not isinstance(foot, str) or not 1 <= len(foot) <= 20:
            raise JournalError("must be 1 to 20 characters", field="foot")
        check_int(step, "step", 0, 10_000)
        if step_id is not None and not 1 <= len(step_id) <= 100:
            raise JournalError("must be 1 to 100 characters", field="step_id")
        check_played(played_seconds)
        with self._writer.begin() as s:
            row = self._in_progress(s, session_id)
            row.foot, row.step_index, row.step_id = foot, step, step_id
            row.progress_at = self._now()
            self._keep_played(row, played_seconds, clock_speed)

    def record_played(
        self, session_id: int, played_seconds: float, *, clock_speed: float = 1.0
    ) -> MassageSession:
        """Keep how long a session in progress has actually been played so far (cumulative).

        The value is clamped to the time since it started (times ``clock_speed``, for a player
        running a faster clock) and to its planned length; the largest value seen is kept, so a
        late or repeated report never lowers it.
        """
        check_played(played_seconds)
        with self._writer.begin() as s:
            row = self._in_progress(s, session_id)
            self._keep_played(row, played_seconds, clock_speed)
            return self._session(self._names(s), row)

    def finish_session(
        self,
        session_id: int,
        status: Literal["completed", "interrupted"] = "completed",
        *,
        played_seconds: float | None = None,
        clock_speed: float = 1.0,
    ) -> MassageSession:
        """End a session in progress: run to its end (``completed``), or stopped early.

        A session run to its end is recorded as completed only when at least
        :data:`~solemate.journal.records.COMPLETED_SHARE` of its planned time was played; one skipped through is recorded as
        ``skipped``. With no played time ever reported, it is taken as completed (its played time
        stays unknown). ``interrupted`` is a session stopped early on purpose.
        """
        if status not in ("completed", "interrupted"):
            raise JournalError("must be 'completed' or 'interrupted'", field="status")
        check_played(played_seconds)
        with self._writer.begin() as s:
            row = self._in_progress(s, session_id)
            self._keep_played(row, played_seconds, clock_speed)
            row.status = ended_status(
                status == "completed", row.played_seconds, row.planned_seconds
            )
            row.ended_at = self._now()
            row.owner = None
            return self._session(self._names(s), row)

    def _keep_played(self, row: SessionRow, played: float | None, clock_speed: float) -> None:
        if played is None:
            return
        if not (isinstance(clock_speed, int | float) and 0 < clock_speed <= 1000):
            raise JournalError("must be above 0 and at most 1000", field="clock_speed")
        since = row.started_at or row.created_at
        elapsed = max(0.0, (self._now() - since).total_seconds()) * clock_speed
        played = round(min(float(played), elapsed, float(row.planned_seconds)), 3)
        if row.played_seconds is None or played > row.played_seconds:
            row.played_seconds = played

    def session(self, session_id: int) -> MassageSession:
        """One session by id."""
        with self._reader() as s:
            return self._session(self._names(s), self._get(s, SessionRow, session_id, "session"))

    def sessions(self, *, last: int | None = None, everyone: bool = False) -> list[MassageSession]:
        """Sessions in the order they were created, or only the ``last`` few.

        While a person is chosen (:meth:`choose_person`), the sessions they received (self-massage
        included): a session counts for the receiver's nights. ``everyone`` lists all of them.
        """
        with self._reader() as s:
            query = select(SessionRow)
            pid = None if everyone else self._chosen_id(s)
            if pid is not None:
                query = query.where(SessionRow.receiver_id == pid)
            rows = self._last(s, query, SessionRow.id, last)
            names = self._names(s)
            return [self._session(names, row) for row in rows]

    def rate_stress(
        self,
        moment: Moment,
        stress: int,
        *,
        session_id: int | None = None,
        relaxation: int | None = None,
        person: str | None = None,
    ) -> Rating:
        """Record "how stressed do you feel right now?" (0–10) before or after a session.

        With a session, a second rating for the same moment and person replaces the first (a
        correction); without one, ratings simply accumulate. A session's rating is its
        receiver's unless ``person`` names its giver (who may rate too); nobody else rates it.
        """
        _check_rating(moment, stress, relaxation)
        with self._writer.begin() as s:
            return self._rate(s, moment, stress, session_id, relaxation, person)

    def rate_session(self, session_id: int, stress: Mapping[Moment, int]) -> list[Rating]:
        """The receiver's stress of a session for several moments (``{"before": 6, "after":
        3}``) in one transaction: all of them are written, or none."""
        for moment, value in stress.items():
            _check_rating(moment, value, None)
        with self._writer.begin() as s:
            return [
                self._rate(s, moment, value, session_id, None, None)
                for moment, value in stress.items()
            ]

    def _rate(
        self,
        s: Session,
        moment: Moment,
        stress: int,
        session_id: int | None,
        relaxation: int | None,
        person: str | None,
    ) -> Rating:
        row = None
        if session_id is None:
            pid = self._person_id(s, person)
        else:
            rated = self._get(s, SessionRow, session_id, "session")
            pid = rated.receiver_id if person is None else self._person_id(s, person)
            if pid not in (rated.receiver_id, rated.giver_id):
                raise JournalError(
                    f"{person!r} neither gave nor received session {session_id}",
                    field="person",
                )
            row = s.scalars(
                select(RatingRow).where(
                    RatingRow.session_id == session_id,
                    RatingRow.person_id == pid,
                    RatingRow.moment == moment,
                )
            ).first()
        if row is None:
            row = RatingRow(uid=new_uid(), session_id=session_id, person_id=pid, moment=moment)
            s.add(row)
        row.stress, row.relaxation, row.rated_at = stress, relaxation, self._now()
        s.flush()
        return self._rating(self._names(s), row)

    def session_times(self) -> list[SessionTimes]:
        """When each session was and how it ended, in the order they were created: the sessions
        :meth:`sessions` lists, without their plans (what the habit and the experiment count)."""
        with self._reader() as s:
            t = SessionRow
            query = select(t.id, t.receiver_id, t.status, t.created_at, t.started_at, t.ended_at)
            pid = self._chosen_id(s)
            if pid is not None:
                query = query.where(t.receiver_id == pid)
            names = self._names(s)
            return [
                SessionTimes(r.id, names[r.receiver_id], r.status, *r[3:])
                for r in s.execute(query.order_by(t.id))
            ]

    def ratings(
        self,
        *,
        session_id: int | None = None,
        last: int | None = None,
        from_session: int | None = None,
    ) -> list[Rating]:
        """Ratings in the order they were made: of one session, or all (or the ``last`` few);
        ``from_session``: only of the sessions numbered so or higher.

        All of one session's (the receiver's and the giver's), also from ``from_session`` on;
        otherwise only the chosen person's while one is chosen (:meth:`choose_person`).
        """
        with self._reader() as s:
            query = select(RatingRow)
            if session_id is not None:
                query = query.where(RatingRow.session_id == session_id)
            if from_session is not None:
                query = query.where(RatingRow.session_id >= from_session)
            if session_id is None and from_session is None:
                pid = self._chosen_id(s)
                if pid is not None:
                    query = query.where(RatingRow.person_id == pid)
            names = self._names(s)
            return [self._rating(names, r) for r in self._last(s, query, RatingRow.id, last)]

    def _new_session(
        self,
        status: SessionStatus,
        routine_id: str,
        routine_version: str,
        planned_seconds: int,
        plan_options: Mapping[str, JsonValue] | None,
        receiver: str | None,
        giver: str | None,
    ) -> int:
        if not isinstance(routine_id, str) or not 1 <= len(routine_id) <= 100:
            raise JournalError("must be 1 to 100 characters", field="routine_id")
        if not isinstance(routine_version, str) or not 1 <= len(routine_version) <= 64:
            raise JournalError("must be 1 to 64 characters", field="routine_version")
        check_int(planned_seconds, "planned_seconds", 0, 24 * 3600)
        options = json_object(plan_options or {}, "plan_options")
        with self._writer.begin() as s:
            receiver_id = self._person_id(s, receiver)
            giver_id = receiver_id if giver is None else self._person_id(s, giver)
            now = self._now()
            running = status == "in_progress"
            if running:
                self._interrupt_running(s, {receiver_id, giver_id})
            row = self._add(
                s,
                SessionRow(
                    uid=new_uid(),
                    routine_id=routine_id,
                    routine_version=routine_version,
                    plan_options=options,
                    planned_seconds=planned_seconds,
                    status=status,
                    created_at=now,
                    started_at=now if running else None,
                    progress_at=now if running else None,
                    owner=current_owner() if running else None,
                    giver_id=giver_id,
                    receiver_id=receiver_id,
                ),
            )
            return row.id

    @staticmethod
    def _interrupt_running(s: Session, people: set[int]) -> None:
        """Mark ``people``'s sessions still in progress as interrupted, at their last step.

        A page left open, or a second start from another phone, would otherwise leave two
        sessions in progress. The people's rows are locked first, so two starts at once on
        PostgreSQL (where SQLite's single writer does not serialise them) cannot both miss
        each other.
        """
        s.execute(select(PersonRow.id).where(PersonRow.id.in_(people)).with_for_update())
        running = s.scalars(
            select(SessionRow).where(
                SessionRow.status == "in_progress",
                SessionRow.receiver_id.in_(people) | SessionRow.giver_id.in_(people),
            )
        )
        for row in running:
            interrupt_session(row)

    def _in_progress(self, s: Session, session_id: int) -> SessionRow:
        row = self._get(s, SessionRow, session_id, "session")
        if row.status != "in_progress":
            raise JournalError(
                f"session {session_id} is {row.status.replace('_', ' ')}, not in progress",
                field="session_id",
            )
        return row

    @staticmethod
    def _screen(names: Mapping[int, str], row: SafetyScreenRow) -> SafetyScreen:
        return record_from_row(
            row, SafetyScreen, person=names[row.person_id], reasons=tuple(row.reasons)
        )

    @staticmethod
    def _session(names: Mapping[int, str], row: SessionRow) -> MassageSession:
        return record_from_row(
            row, MassageSession, giver=names[row.giver_id], receiver=names[row.receiver_id]
        )

    @staticmethod
    def _rating(names: Mapping[int, str], row: RatingRow) -> Rating:
        return record_from_row(row, Rating, person=names[row.person_id])


def _check_rating(moment: str, stress: int, relaxation: int | None) -> None:
    if moment not in ("before", "after"):
        raise JournalError("must be 'before' or 'after'", field="moment")
    check_int(stress, "stress", 0, 10)
    if relaxation is not None:
        check_int(relaxation, "relaxation", 0, 10)
