"""The :class:`Journal`: the one owner of the database, and the only way in or out of it.

Every public method is one transaction: it either happens completely or not at all, so a killed
process, a full disk or a refused row never leaves half an entry behind. Methods take and return
plain values and immutable records (``records.py``); nothing outside this package sees a
connection, a session or a row object.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TypeVar, cast
from zoneinfo import ZoneInfo

from pydantic import JsonValue
from sqlalchemy import Engine, Select, delete, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from solemate.diary import DiaryAnswers, DiaryEntry, DiaryError, load_zone, validate_diary
from solemate.journal import migrations, storage
from solemate.journal.engine import WRITE, make_engine, resolve_url
from solemate.journal.liveness import Liveness, current_owner, is_stale, owner_liveness
from solemate.journal.records import (
    ControlActivity,
    DeviceImportReport,
    DeviceNightLike,
    DeviceNightRecord,
    DiaryRecord,
    ImportProblem,
    ImportRefused,
    ImportReport,
    JournalError,
    MassageSession,
    Moment,
    Note,
    Person,
    Rating,
    SafetyScreen,
    SessionStatus,
    StoredExperiment,
    ended_status,
)
from solemate.journal.schema import (
    Base,
    ControlActivityRow,
    DeviceNightRow,
    DiaryRow,
    Keyed,
    NoteRow,
    PersonRow,
    RatingRow,
    SafetyScreenRow,
    SessionRow,
)
from solemate.journal.transfer import (
    device_night_problem,
    diary_row_values,
    export_journal,
    import_journal,
    new_uid,
)
from solemate.text import text_problem

__all__ = ["DEFAULT_PERSON", "EntryKind", "Journal"]

#: The name given to the person a journal creates when someone first writes to it.
DEFAULT_PERSON = "me"

EntryKind = Literal[
    "person",
    "safety_screen",
    "session",
    "rating",
    "diary",
    "device_night",
    "control_activity",
    "note",
]

_TABLES: dict[str, type[Keyed]] = {
    "person": PersonRow,
    "safety_screen": SafetyScreenRow,
    "session": SessionRow,
    "rating": RatingRow,
    "diary": DiaryRow,
    "device_night": DeviceNightRow,
    "control_activity": ControlActivityRow,
    "note": NoteRow,
}

# Any constant will do: it only has to differ from other applications sharing the server.
_PG_MIGRATION_LOCK = 0x501E_3A7E

_K = TypeVar("_K", bound=Keyed)


#: The largest id a row can have: SQLite's and PostgreSQL's signed 64-bit integer.
_MAX_ID = 2**63 - 1


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Journal:
    """A person's (or a couple's) journal of massage sessions, ratings and sleep.

    ``url`` is any SQLAlchemy URL; without one, ``SOLEMATE_DATABASE_URL`` from ``environ``, and
    without that a private SQLite file in the user data directory. Opening migrates the database
    to the newest schema and records sessions left in progress by a dead process as interrupted
    (their ids are in :attr:`recovered`). ``clock`` returns the current aware datetime; tests pass
    a fake one. Use as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        url: str | URL | None = None,
        *,
        clock: Callable[[], datetime] = _utc_now,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._url = resolve_url(url, environ)
        self._clock = clock
        self._path = _sqlite_file(self._url)
        #: Why this journal cannot be written (a read-only folder, a full disk), or None.
        self.read_only: str | None = None
        if self._path is not None and self._path.exists():
            foreign = storage.foreign_database(self._path)
            if foreign is not None:
                raise JournalError(foreign)
            self.read_only = storage.read_only_reason(self._path)
        try:
            self._open()
        except (OperationalError, OSError) as exc:
            problem = storage.storage_problem(exc, self._path)
            kind = storage.trouble(exc)
            if problem is None:
                raise
            if kind == "damaged" or self.read_only is not None:
                raise JournalError(problem) from exc
            if self._path is None or not self._path.exists() or not self._path.stat().st_size:
                raise JournalError(problem) from exc  # nothing to read yet
            # A full disk, say, cannot even take SQLite's -shm file: read what is there.
            self.read_only = storage.why_not_writable(kind or "io", self._path)
            self._open()

    def _open(self) -> None:
        if self.read_only is not None and self._path and storage.unsaved_log(self._path):
            raise JournalError(
                f"{self._path} cannot be written ({self.read_only}) and its write-ahead log "
                "holds changes not yet in the file; make the folder writable and try again"
            )
        self._engine: Engine = make_engine(self._url, read_only=self.read_only is not None)
        writer = self._engine.execution_options(**{WRITE: True})
        self._writer = _Transactions(sessionmaker(writer, expire_on_commit=False), self)
        self._reader = _Transactions(sessionmaker(self._engine, expire_on_commit=False), self)
        # A snapshot for export and backup: every table as of one instant.
        snapshot = (
            self._engine.execution_options(isolation_level="REPEATABLE READ")
            if self.dialect == "postgresql"
            else self._engine
        )
        self._snapshot: sessionmaker[Session] = sessionmaker(snapshot, expire_on_commit=False)
        try:
            self._migrate()
            #: Ids of the sessions this open found abandoned and marked interrupted.
            self.recovered: tuple[int, ...] = (
                () if self.read_only is not None else self._recover_abandoned()
            )
        except BaseException:
            self._engine.dispose()
            raise

    # --- lifecycle --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self._url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql`` (or another SQLAlchemy backend name)."""
        return self._url.get_backend_name()

    def close(self) -> None:
        """Release every connection. The journal cannot be used afterwards."""
        self._engine.dispose()

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _migrate(self) -> None:
        """Bring the schema to the newest revision, in one transaction, one process at a time."""
        with self._engine.connect() as conn:
            current = migrations.current_revision(conn)
            conn.rollback()
        if current == migrations.HEAD:
            return
        if current is not None and current not in migrations.known_revisions():
            raise JournalError(
                f"this journal was last written by a newer solemate (schema {current}); "
                "update solemate to open it"
            )
        if self.read_only is not None:
            raise JournalError(
                f"this journal needs an upgrade before it can be read, and it cannot be written "
                f"now: {self.read_only}"
            )
        with self._engine.execution_options(**{WRITE: True}).connect() as conn:
            raw = conn.connection.driver_connection
            if self.dialect == "sqlite":
                # SQLite rebuilds a table to change it, and dropping a parent table with foreign
                # keys on deletes its children. The switch only works outside a transaction.
                assert isinstance(raw, sqlite3.Connection)
                raw.execute("PRAGMA foreign_keys = OFF")
            try:
                with conn.begin():
                    if self.dialect == "postgresql":
                        conn.execute(
                            text("SELECT pg_advisory_xact_lock(:key)"),
                            {"key": _PG_MIGRATION_LOCK},
                        )
                    migrations.upgrade(conn)  # re-reads the revision under the lock
                    if self.dialect == "sqlite":
                        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                        if broken is not None:
                            raise JournalError(
                                f"upgrading the journal would break a link ({tuple(broken)}); "
                                "nothing was changed"
                            )
            finally:
                if self.dialect == "sqlite":
                    assert isinstance(raw, sqlite3.Connection)
                    raw.execute("PRAGMA foreign_keys = ON")

    def _recover_abandoned(self, *, check_owners: bool = True) -> tuple[int, ...]:
        """Mark abandoned sessions as interrupted at their last step boundary.

        Abandoned: its process is gone (checked when ``check_owners``), or it has been silent for
        :data:`~solemate.journal.liveness.STALE_AFTER` whoever owns it.
        """
        find = select(SessionRow.id).where(SessionRow.status == "in_progress")
        with self._reader() as s:
            if s.scalars(find).first() is None:
                return ()
        now = self._now()
        recovered: list[int] = []
        with self._writer.begin() as s:
            for row in s.scalars(select(SessionRow).where(SessionRow.status == "in_progress")):
                last_sign_of_life = _last_sign_of_life(row)
                if is_stale(last_sign_of_life, now) or (
                    check_owners and owner_liveness(row.owner) is Liveness.DEAD
                ):
                    _interrupt(row)
                    recovered.append(row.id)
        return tuple(recovered)

    def close_stale_sessions(self) -> tuple[int, ...]:
        """Close sessions silent for six hours as interrupted; their ids.

        Opening the journal does this too; a process that keeps it open (the web app) calls this
        when it next reads or starts sessions. Nothing is done on a journal that cannot be written.
        """
        if self.read_only is not None:
            return ()
        return self._recover_abandoned(check_owners=False)

    # --- people -----------------------------------------------------------------------------

    def add_person(self, name: str) -> Person:
        """Add a person (the second of a couple, say). Names are unique."""
        name = _name(name)
        with self._writer.begin() as s:
            if s.scalars(select(PersonRow).where(PersonRow.name == name)).first():
                raise JournalError(f"there is already a person called {name!r}", field="name")
            row = self._add(s, PersonRow(uid=new_uid(), name=name, created_at=self._now()))
            return _person(row)

    def people(self) -> list[Person]:
        """Everyone in the journal, the default person (the first added) first."""
        with self._reader() as s:
            return [_person(row) for row in s.scalars(select(PersonRow).order_by(PersonRow.id))]

    # --- safety screens ---------------------------------------------------------------------

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
                    answers=_json_object(answers, "answers"),
                    level=level,
                    reasons=list(reasons),
                    created_at=self._now(),
                ),
            )
            return self._screen(self._names(s), row)

    def safety_screens(self, *, person: str | None = None) -> list[SafetyScreen]:
        """A person's screens, oldest first."""
        with self._reader() as s:
            pid = self._existing_person_id(s, person)
            if pid is None:
                return []
            query = (
                select(SafetyScreenRow)
                .where(SafetyScreenRow.person_id == pid)
                .order_by(SafetyScreenRow.screened_on, SafetyScreenRow.id)
            )
            names = self._names(s)
            return [self._screen(names, row) for row in s.scalars(query)]

    def latest_screen(self, *, person: str | None = None) -> SafetyScreen | None:
        """The most recent screen: the one whose verdict applies now."""
        screens = self.safety_screens(person=person)
        return screens[-1] if screens else None

    # --- sessions ---------------------------------------------------------------------------

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
        _check_int(step, "step", 0, 10_000)
        if step_id is not None and not 1 <= len(step_id) <= 100:
            raise JournalError("must be 1 to 100 characters", field="step_id")
        _check_played(played_seconds)
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
        _check_played(played_seconds)
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
        _check_played(played_seconds)
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

    def sessions(self, *, last: int | None = None) -> list[MassageSession]:
        """Sessions in the order they were created, or only the ``last`` few."""
        with self._reader() as s:
            rows = self._last(s, select(SessionRow), SessionRow.id, last)
            names = self._names(s)
            return [self._session(names, row) for row in rows]

    # --- ratings ----------------------------------------------------------------------------

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
        correction); without one, ratings simply accumulate.
        """
        if moment not in ("before", "after"):
            raise JournalError("must be 'before' or 'after'", field="moment")
        _check_int(stress, "stress", 0, 10)
        if relaxation is not None:
            _check_int(relaxation, "relaxation", 0, 10)
        with self._writer.begin() as s:
            pid = self._person_id(s, person)
            row = None
            if session_id is not None:
                self._get(s, SessionRow, session_id, "session")
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

    def ratings(self, *, session_id: int | None = None, last: int | None = None) -> list[Rating]:
        """Ratings in the order they were made: of one session, or all (or the ``last`` few)."""
        with self._reader() as s:
            query = select(RatingRow)
            if session_id is not None:
                query = query.where(RatingRow.session_id == session_id)
            names = self._names(s)
            return [self._rating(names, r) for r in self._last(s, query, RatingRow.id, last)]

    # --- sleep diary ------------------------------------------------------------------------

    def add_diary(self, answers: DiaryAnswers, *, person: str | None = None) -> DiaryRecord:
        """Check a morning's answers and keep them; one entry per person and wake date.

        Raises :class:`~solemate.diary.DiaryError` for an impossible night and
        :class:`JournalError` (field ``wake_date``) when that night already has an entry.
        """
        entry = validate_diary(answers, today=self._today_in(answers.zone))
        with self._writer.begin() as s:
            pid = self._person_id(s, person)
            self._check_night_free(s, pid, entry.wake_date)
            now = self._now()
            row = self._add(
                s,
                DiaryRow(
                    uid=new_uid(),
                    person_id=pid,
                    created_at=now,
                    updated_at=now,
                    **diary_row_values(entry),
                ),
            )
            return self._diary(self._names(s), row)

    def edit_diary(
        self, wake_date: date, answers: DiaryAnswers, *, person: str | None = None
    ) -> DiaryRecord:
        """Replace the answers of the entry for ``wake_date`` (the answers may move its date)."""
        entry = validate_diary(answers, today=self._today_in(answers.zone))
        with self._writer.begin() as s:
            pid = self._existing_person_id(s, person)
            row = self._diary_row(s, pid, wake_date)
            if entry.wake_date != wake_date:
                self._check_night_free(s, row.person_id, entry.wake_date)
            for name, value in diary_row_values(entry).items():
                setattr(row, name, value)
            row.updated_at = self._now()
            s.flush()
            return self._diary(self._names(s), row)

    def delete_diary(self, wake_date: date, *, person: str | None = None) -> None:
        """Delete the entry for ``wake_date``; a missed morning stays blank, as the diary wants."""
        with self._writer.begin() as s:
            pid = self._existing_person_id(s, person)
            s.delete(self._diary_row(s, pid, wake_date))

    def diary_entry(self, wake_date: date, *, person: str | None = None) -> DiaryRecord | None:
        """The entry for one wake date, if there is one."""
        with self._reader() as s:
            pid = self._existing_person_id(s, person)
            row = s.scalars(
                select(DiaryRow).where(DiaryRow.person_id == pid, DiaryRow.wake_date == wake_date)
            ).first()
            return None if row is None else self._diary(self._names(s), row)

    def diary(
        self, *, last: int | None = None, person: str | None = None, since: date | None = None
    ) -> list[DiaryRecord]:
        """Diary entries by wake date, oldest first; ``last`` keeps only the most recent ones,
        ``since`` only those waking on or after that date."""
        with self._reader() as s:
            pid = self._existing_person_id(s, person)
            query = select(DiaryRow).where(DiaryRow.person_id == pid)
            if since is not None:
                query = query.where(DiaryRow.wake_date >= since)
            rows = self._last(s, query, DiaryRow.wake_date, last)
            names = self._names(s)
            return [self._diary(names, row) for row in rows]

    # --- wearables --------------------------------------------------------------------------

    def store_device_nights(
        self,
        nights: Iterable[DeviceNightLike],
        *,
        person: str | None = None,
        skip_bad: bool = False,
    ) -> DeviceImportReport:
        """Keep wearable estimates, apart from the diary, which they never change.

        A night is known by its source, device and start: storing the same file again changes
        nothing, and a night whose figures changed (a better parser) is updated in place. A bad
        night refuses the whole list, naming each by its 1-based position, unless ``skip_bad``.
        """
        nights = list(nights)
        problems: list[ImportProblem] = []
        added = updated = unchanged = 0
        with self._writer.begin() as s:
            pid = self._person_id(s, person)
            existing = {
                (row.source, row.device, row.bed_start): row
                for row in s.scalars(select(DeviceNightRow).where(DeviceNightRow.person_id == pid))
            }
            first_at: dict[tuple[str, str, datetime], int] = {}
            now = self._now()
            for number, night in enumerate(nights, start=1):
                problem = _device_problem(night) or _woken_in_the_future(night, now)
                key = None if problem else (night.source, night.device, _utc(night.bed_start))
                if key is not None and key in first_at:
                    problem = f"the same source, device and start as row {first_at[key]}"
                if problem or key is None:
                    problems.append(ImportProblem("device_nights", number, problem or "bad night"))
                    continue
                first_at[key] = number
                values = _device_values(night)
                row = existing.get(key)
                if row is None:
                    s.add(DeviceNightRow(uid=new_uid(), person_id=pid, imported_at=now, **values))
                    added += 1
                elif any(getattr(row, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(row, k, v)
                    updated += 1
                else:
                    unchanged += 1
            if problems and not skip_bad:
                raise ImportRefused(tuple(problems))
        return DeviceImportReport(added, updated, unchanged, tuple(problems))

    def device_nights(
        self, *, last: int | None = None, person: str | None = None, since: date | None = None
    ) -> list[DeviceNightRecord]:
        """Stored device estimates by wake date (naps included, flagged), oldest first;
        ``since`` keeps only those waking on or after that date."""
        with self._reader() as s:
            pid = self._existing_person_id(s, person)
            query = select(DeviceNightRow).where(DeviceNightRow.person_id == pid)
            if since is not None:
                query = query.where(DeviceNightRow.wake_date >= since)
            rows = self._last(s, query, DeviceNightRow.wake_date, last, DeviceNightRow.bed_start)
            names = self._names(s)
            return [self._device_night(names, row) for row in rows]

    # --- control activities and notes -------------------------------------------------------

    def log_control_activity(
        self, on: date, activity: str, minutes: int, *, person: str | None = None
    ) -> ControlActivity:
        """Record an evening's control activity (the experiment's non-massage nights)."""
        if not isinstance(activity, str) or not 1 <= len(activity.strip()) <= 100:
            raise JournalError("must be 1 to 100 characters", field="activity")
        _check_int(minutes, "minutes", 1, 600)
        with self._writer.begin() as s:
            row = self._add(
                s,
                ControlActivityRow(
                    uid=new_uid(),
                    person_id=self._person_id(s, person),
                    on_date=on,
                    activity=activity.strip(),
                    minutes=minutes,
                    created_at=self._now(),
                ),
            )
            return self._control(self._names(s), row)

    def control_activities(
        self, *, last: int | None = None, person: str | None = None
    ) -> list[ControlActivity]:
        """Control evenings by date, oldest first."""
        with self._reader() as s:
            pid = self._existing_person_id(s, person)
            query = select(ControlActivityRow).where(ControlActivityRow.person_id == pid)
            rows = self._last(s, query, ControlActivityRow.on_date, last, ControlActivityRow.id)
            names = self._names(s)
            return [self._control(names, row) for row in rows]

    def experiments(self, *, person: str | None = None) -> list[StoredExperiment]:
        """A person's personal experiments, oldest first."""
        from solemate.journal.experiments import experiments

        return experiments(self, person=person)

    def add_note(
        self, text: str, *, person: str | None = None, session_id: int | None = None
    ) -> Note:
        """Keep a free-text note, about a session if ``session_id`` is given."""
        _check_note(text)
        with self._writer.begin() as s:
            if session_id is not None:
                self._get(s, SessionRow, session_id, "session")
            row = self._add(
                s,
                NoteRow(
                    uid=new_uid(),
                    person_id=self._person_id(s, person),
                    session_id=session_id,
                    written_at=self._now(),
                    text=text,
                ),
            )
            return self._note(self._names(s), row)

    def edit_note(self, note_id: int, text: str) -> Note:
        """Replace a note's text; when and about which session it was written stay."""
        _check_note(text)
        with self._writer.begin() as s:
            row = self._get(s, NoteRow, note_id, "note")
            row.text = text
            return self._note(self._names(s), row)

    def notes(self, *, last: int | None = None) -> list[Note]:
        """Notes in the order they were written."""
        with self._reader() as s:
            names = self._names(s)
            return [self._note(names, r) for r in self._last(s, select(NoteRow), NoteRow.id, last)]

    def delete_entry(self, kind: EntryKind, entry_id: int) -> None:
        """Delete one row by kind and id; a person or session takes what belongs to it along."""
        table = _TABLES.get(kind)
        if table is None:
            raise JournalError(f"unknown kind {kind!r}", field="kind")
        with self._writer.begin() as s:
            s.delete(self._get(s, table, entry_id, kind.replace("_", " ")))

    # --- export, import, backup, forget -----------------------------------------------------

    def export(self) -> dict[str, Any]:
        """Everything, as a versioned JSON-able dict that :meth:`import_export` takes back.

        A damaged SQLite file is refused (a quick check first), rather than exported in part.
        """
        self.check_sound()
        with self._reader._translated(), self._snapshot() as s, s.begin():
            return export_journal(s, self._now())

    def check_sound(self) -> None:
        """Raise :class:`JournalError` when SQLite's quick check finds the file damaged.

        A damaged page is otherwise only noticed when a query happens to read it, so a view or an
        export could carry on without the rows it holds. Takes a few milliseconds per megabyte;
        other databases check themselves.
        """
        if self.dialect != "sqlite":
            return
        with self._reader._translated(), self._raw_sqlite() as raw:
            found = storage.quick_check(raw)
        if found is not None:
            raise JournalError(storage.damage_message(self._path, found))

    def import_export(self, data: object, *, skip_bad: bool = False) -> ImportReport:
        """Import an export (from this journal or another), all or nothing.

        Bad rows refuse the whole import with :class:`ImportRefused` naming each row; with
        ``skip_bad`` the good rows are kept and the report lists the others. Rows already present
        (same uid, same content) are counted as unchanged, so importing twice changes nothing.
        """
        with self._writer.begin() as s:
            return import_journal(s, data, skip_bad=skip_bad, today_in=self._today_in)

    def forget_everything(self) -> None:
        """Delete every person and everything recorded about them; the schema stays.

        On SQLite the file is then vacuumed and the write-ahead log truncated, so the deleted
        rows do not linger in free pages; PostgreSQL reclaims the space in its own time
        (autovacuum). Copies made by :meth:`backup` are not touched.
        """
        self.check_sound()
        with self._writer.begin() as s:
            for table in reversed(Base.metadata.sorted_tables):
                s.execute(delete(table))
        if self.dialect == "sqlite":
            try:
                with self._raw_sqlite() as raw:
                    raw.execute("VACUUM")
                    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except (sqlite3.Error, DBAPIError, OSError) as exc:
                raise JournalError(
                    "everything was deleted, but the file could not be compacted "
                    f"({storage.storage_problem(exc, self._path) or exc}); the deleted rows may "
                    "linger in its free pages until 'solemate forget --everything' runs again"
                ) from exc

    def backup(self, path: str | os.PathLike[str]) -> Path:
        """Write a consistent copy while the journal stays in use; returns the path written.

        SQLite: the online backup API, giving a standalone database file. Other databases: the
        JSON export. The copy is written beside ``path`` and renamed into place, so ``path`` is
        never a half-written file, and it is readable by its owner only.
        """
        target = Path(path)
        partial = target.with_name(f".{target.name}.partial")
        self.check_sound()  # a copy of a damaged file would fail its own check, later
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        try:
            if self.dialect == "sqlite":
                self._sqlite_backup(partial)
            else:
                fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
                with open(fd, "w", encoding="utf-8") as out:
                    json.dump(self.export(), out, ensure_ascii=False, indent=1)
                    out.flush()
                    os.fsync(out.fileno())
            os.replace(partial, target)
        except (sqlite3.Error, OSError) as exc:
            cause = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            full = "full" in cause.lower() or getattr(exc, "errno", None) == errno.ENOSPC
            advice = "free some space or give another place" if full else "give another place"
            raise JournalError(
                f"cannot write the backup to {target}: {cause}; nothing was kept there: {advice}"
            ) from exc
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
        return target

    def integrity_check(self) -> str:
        """ "ok", or what SQLite's integrity and foreign-key checks found (other servers: "ok")."""
        if self.dialect != "sqlite":
            return "ok"
        with self._raw_sqlite() as raw:
            found = [str(r[0]) for r in raw.execute("PRAGMA integrity_check")]
            found += [f"foreign key: {r}" for r in raw.execute("PRAGMA foreign_key_check")]
        return "ok" if found == ["ok"] else "\n".join(found)

    # --- helpers ----------------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self._clock()
        if now.utcoffset() is None:
            raise JournalError("the clock returned a naive datetime; it must be aware")
        return now

    def _today_in(self, zone: str) -> date:
        try:
            tz: ZoneInfo | Any = load_zone(zone)
        except DiaryError:
            tz = UTC  # the zone itself is refused by the diary check
        return self._now().astimezone(tz).date()

    @contextlib.contextmanager
    def _raw_sqlite(self) -> Iterator[sqlite3.Connection]:
        """The pooled sqlite3 connection itself, for the statements that cannot run in a
        transaction (VACUUM) or need the driver (backup)."""
        raw = self._engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            yield driver
        finally:
            raw.close()

    def _sqlite_backup(self, partial: Path) -> None:
        os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        copy = sqlite3.connect(partial, isolation_level=None)
        try:
            with self._raw_sqlite() as raw:
                raw.backup(copy)
            # A standalone file: no -wal beside it, so it can be copied or mailed as one file.
            copy.execute("PRAGMA journal_mode = DELETE")
            verdict = copy.execute("PRAGMA integrity_check").fetchone()
            if verdict is None or verdict[0] != "ok":
                raise JournalError(f"the backup copy failed its integrity check: {verdict}")
        finally:
            copy.close()

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
        _check_int(planned_seconds, "planned_seconds", 0, 24 * 3600)
        options = _json_object(plan_options or {}, "plan_options")
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
            _interrupt(row)

    def _in_progress(self, s: Session, session_id: int) -> SessionRow:
        row = self._get(s, SessionRow, session_id, "session")
        if row.status != "in_progress":
            raise JournalError(
                f"session {session_id} is {row.status.replace('_', ' ')}, not in progress",
                field="session_id",
            )
        return row

    def _person_id(self, s: Session, name: str | None) -> int:
        """The id of ``name``, or of the default person, created on first use."""
        if name is not None:
            pid = s.scalars(select(PersonRow.id).where(PersonRow.name == name)).first()
            if pid is None:
                raise JournalError(f"no person called {name!r}; add them first", field="person")
            return pid
        pid = s.scalars(select(PersonRow.id).order_by(PersonRow.id).limit(1)).first()
        if pid is None:
            pid = self._add(
                s, PersonRow(uid=new_uid(), name=DEFAULT_PERSON, created_at=self._now())
            ).id
        return pid

    def _existing_person_id(self, s: Session, name: str | None) -> int | None:
        """Like :meth:`_person_id` for reads: None instead of creating the default person."""
        if name is not None:
            return self._person_id(s, name)
        return s.scalars(select(PersonRow.id).order_by(PersonRow.id).limit(1)).first()

    def _check_night_free(self, s: Session, pid: int, wake_date: date) -> None:
        taken = s.scalars(
            select(DiaryRow.id).where(DiaryRow.person_id == pid, DiaryRow.wake_date == wake_date)
        ).first()
        if taken is not None:
            raise JournalError(
                f"there is already a diary entry for {wake_date}; edit it instead",
                field="wake_date",
            )

    def _diary_row(self, s: Session, pid: int | None, wake_date: date) -> DiaryRow:
        row = s.scalars(
            select(DiaryRow).where(DiaryRow.person_id == pid, DiaryRow.wake_date == wake_date)
        ).first()
        if row is None:
            raise JournalError(f"no diary entry for {wake_date}", field="wake_date")
        return row

    @staticmethod
    def _add(s: Session, row: _K) -> _K:
        s.add(row)
        s.flush()
        return row

    @staticmethod
    def _get(s: Session, table: type[_K], row_id: int, what: str) -> _K:
        # An id past a 64-bit integer cannot exist, and drivers refuse to even look it up.
        in_range = isinstance(row_id, int) and 1 <= row_id <= _MAX_ID
        row = s.get(table, row_id) if in_range else None
        if row is None:
            raise JournalError(f"no {what} with id {row_id}", field="id")
        return row

    @staticmethod
    def _last(
        s: Session, query: Select[_K], order: Any, last: int | None, *then: Any
    ) -> Sequence[_K]:
        """Rows in ``order`` (ties by ``then``, then by id), or only the ``last`` of them."""
        table = query.column_descriptions[0]["entity"]
        keys = (order, *then, table.id)
        if last is None:
            return s.scalars(query.order_by(*keys)).all()
        _check_int(last, "last", 0, 1_000_000)
        newest = s.scalars(query.order_by(*(k.desc() for k in keys)).limit(last)).all()
        return newest[::-1]

    @staticmethod
    def _names(s: Session) -> dict[int, str]:
        return dict(s.execute(select(PersonRow.id, PersonRow.name)).all())

    @staticmethod
    def _screen(names: Mapping[int, str], row: SafetyScreenRow) -> SafetyScreen:
        return SafetyScreen(
            id=row.id,
            uid=row.uid,
            person=names[row.person_id],
            screened_on=row.screened_on,
            answers=row.answers,
            level=row.level,
            reasons=tuple(row.reasons),
            created_at=row.created_at,
        )

    @staticmethod
    def _session(names: Mapping[int, str], row: SessionRow) -> MassageSession:
        return MassageSession(
            id=row.id,
            uid=row.uid,
            routine_id=row.routine_id,
            routine_version=row.routine_version,
            plan_options=row.plan_options,
            planned_seconds=row.planned_seconds,
            status=cast(SessionStatus, row.status),
            created_at=row.created_at,
            started_at=row.started_at,
            ended_at=row.ended_at,
            foot=row.foot,
            step_index=row.step_index,
            step_id=row.step_id,
            progress_at=row.progress_at,
            giver=names[row.giver_id],
            receiver=names[row.receiver_id],
            played_seconds=row.played_seconds,
        )

    @staticmethod
    def _rating(names: Mapping[int, str], row: RatingRow) -> Rating:
        return Rating(
            id=row.id,
            uid=row.uid,
            session_id=row.session_id,
            person=names[row.person_id],
            moment=cast(Moment, row.moment),
            stress=row.stress,
            relaxation=row.relaxation,
            rated_at=row.rated_at,
        )

    @staticmethod
    def _diary(names: Mapping[int, str], row: DiaryRow) -> DiaryRecord:
        zone = ZoneInfo(row.zone)
        entry = DiaryEntry(
            wake_date=row.wake_date,
            zone=row.zone,
            into_bed=row.into_bed.astimezone(zone),
            tried_to_sleep=row.tried_to_sleep.astimezone(zone),
            sol_min=row.sol_min,
            awakenings=row.awakenings,
            waso_min=row.waso_min,
            final_awakening=row.final_awakening.astimezone(zone),
            out_of_bed=row.out_of_bed.astimezone(zone),
            quality=row.quality,
            comments=row.comments,
        )
        return DiaryRecord(
            id=row.id,
            uid=row.uid,
            person=names[row.person_id],
            entry=entry,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @staticmethod
    def _device_night(names: Mapping[int, str], row: DeviceNightRow) -> DeviceNightRecord:
        return DeviceNightRecord(
            id=row.id,
            uid=row.uid,
            person=names[row.person_id],
            source=row.source,
            device=row.device,
            wake_date=row.wake_date,
            bed_start=row.bed_start,
            bed_end=row.bed_end,
            zone=row.zone,
            tib_min=row.tib_min,
            tst_min=row.tst_min,
            sol_min=row.sol_min,
            se_pct=row.se_pct,
            is_nap=row.is_nap,
            imported_at=row.imported_at,
        )

    @staticmethod
    def _control(names: Mapping[int, str], row: ControlActivityRow) -> ControlActivity:
        return ControlActivity(
            id=row.id,
            uid=row.uid,
            person=names[row.person_id],
            on_date=row.on_date,
            activity=row.activity,
            minutes=row.minutes,
            created_at=row.created_at,
        )

    @staticmethod
    def _note(names: Mapping[int, str], row: NoteRow) -> Note:
        return Note(
            id=row.id,
            uid=row.uid,
            person=names[row.person_id],
            session_id=row.session_id,
            written_at=row.written_at,
            text=row.text,
        )


class _Transactions:
    """The journal's sessions, with storage failures turned into one clear :class:`JournalError`.

    ``begin()`` opens a transaction (and refuses at once when the journal is read-only);
    calling it gives a session for reads.
    """

    def __init__(self, maker: sessionmaker[Session], journal: Journal) -> None:
        self._maker = maker
        self._journal = journal

    @contextlib.contextmanager
    def begin(self) -> Iterator[Session]:
        if self._journal.read_only is not None:
            raise JournalError(
                f"the journal cannot be written now ({self._journal.read_only}); nothing was "
                "written, but reading and 'solemate export' still work"
            )
        with self._translated(), self._maker.begin() as s:
            yield s

    @contextlib.contextmanager
    def __call__(self) -> Iterator[Session]:
        with self._translated(), self._maker() as s:
            yield s

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except (DBAPIError, OSError) as exc:
            problem = storage.storage_problem(exc, self._journal._path)
            if problem is None:
                raise
            raise JournalError(problem) from exc


def _sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite journal, or None (another database, or one in memory)."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _person(row: PersonRow) -> Person:
    return Person(id=row.id, uid=row.uid, name=row.name, created_at=row.created_at)


def _name(name: str) -> str:
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 100:
        raise JournalError("must be 1 to 100 characters", field="name")
    problem = text_problem(name)
    if problem is not None:
        raise JournalError(problem, field="name")
    return name.strip()


def _check_note(text: str) -> None:
    if not isinstance(text, str) or not 1 <= len(text.strip()) <= 10_000:
        raise JournalError("must be 1 to 10000 characters", field="text")
    problem = text_problem(text, multiline=True)
    if problem is not None:
        raise JournalError(problem, field="text")


def _last_sign_of_life(row: SessionRow) -> datetime:
    return row.progress_at or row.started_at or row.created_at


def _interrupt(row: SessionRow) -> None:
    """Close a session left in progress: interrupted, ended at the last moment it is known to have
    run (its last step boundary), its played time as last reported."""
    row.status = "interrupted"
    row.ended_at = _last_sign_of_life(row)
    row.owner = None


def _check_played(value: object) -> None:
    if value is None:
        return
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise JournalError("must be a number of seconds", field="played_seconds")
    if not 0 <= value <= 24 * 3600:  # also refuses NaN
        raise JournalError(f"{value} is outside 0–86400", field="played_seconds")


def _check_int(value: object, field: str, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise JournalError("must be a whole number", field=field)
    if not low <= value <= high:
        raise JournalError(f"{value} is outside {low}–{high}", field=field)


def _json_object(value: Mapping[str, JsonValue], field: str) -> dict[str, JsonValue]:
    """A JSON-able copy of ``value``: stored as JSON and exported, so it must survive both."""
    try:
        copy = json.loads(json.dumps(dict(value), allow_nan=False))
    except (TypeError, ValueError) as error:
        raise JournalError(f"must be plain JSON data: {error}", field=field) from None
    return cast(dict[str, JsonValue], copy)


def _device_problem(night: DeviceNightLike) -> str | None:
    try:
        return device_night_problem(night)
    except (AttributeError, TypeError) as error:
        return f"not a device night: {error}"


#: How far a device's clock may run ahead of this one before a night counts as not yet slept.
_CLOCK_SKEW = timedelta(hours=1)


def _woken_in_the_future(night: DeviceNightLike, now: datetime) -> str | None:
    """A night that ends after now (a phone whose clock was set to 2046) has not happened."""
    if _utc(night.bed_end) > now + _CLOCK_SKEW:
        return (
            f"woken on {night.wake_date}, in the future: the device's clock was wrong "
            "(left out with --skip-bad)"
        )
    return None


def _utc(value: datetime) -> datetime:
    # In UTC before comparing or hashing: by PEP 495, a datetime in the repeated autumn hour is
    # never equal to one in another zone, even for the same instant.
    return value.astimezone(UTC)


def _device_values(night: DeviceNightLike) -> dict[str, Any]:
    return {
        "source": night.source,
        "device": night.device,
        "wake_date": night.wake_date,
        "bed_start": _utc(night.bed_start),
        "bed_end": _utc(night.bed_end),
        "zone": night.zone,
        "tib_min": night.tib_min,
        "tst_min": night.tst_min,
        "sol_min": night.sol_min,
        "se_pct": night.se_pct,
        "is_nap": night.is_nap,
    }
