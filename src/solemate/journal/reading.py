"""Reading an up-to-date journal through the database driver alone, for commands that only look.

Opening a :class:`~solemate.journal.Journal` imports SQLAlchemy and its ORM, which costs more than
everything `solemate journal` or `solemate insights` then do. :func:`open_reader` gives the same
read methods and the same records from one read-only transaction on a plain ``sqlite3`` or
``psycopg`` connection, and returns None whenever opening a ``Journal`` would do more than read: a
file not created yet, a schema to migrate, a session left in progress to recover, a URL it does not
know how to hand to the driver, or any error at all. Callers then open the ``Journal``, which does
that work and reports problems as it always has.

The SELECTs here mirror ``service.py`` column by column and order by order; a test compares every
method of both on the same journals, SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, cast
from zoneinfo import ZoneInfo

from solemate.diary.entry import DiaryEntry
from solemate.journal.migrations import HEAD
from solemate.journal.opening import BUSY_TIMEOUT_S, FileCheck, sqlite_file
from solemate.journal.records import (
    DeviceNightRecord,
    DiaryRecord,
    JournalError,
    MassageSession,
    Moment,
    Note,
    Rating,
    SessionStatus,
    as_recorded,
    same_name,
)

if TYPE_CHECKING:  # built only when asked for: `solemate journal` lists neither
    from solemate.journal.experiment_records import ControlActivity, StoredExperiment
    from solemate.journal.other_records import SessionTimes

__all__ = [
    "JournalReads",
    "ReadOnlyJournal",
    "latest_experiment",
    "open_reader",
    "ratings_by_session",
    "running_experiment",
    "sqlite_file",
]


class JournalReads(Protocol):
    """The read methods both :class:`~solemate.journal.Journal` and :class:`ReadOnlyJournal` have."""

    def sessions(self, *, last: int | None = None) -> list[MassageSession]: ...

    def session_times(self) -> list[SessionTimes]: ...

    def ratings(
        self,
        *,
        session_id: int | None = None,
        last: int | None = None,
        from_session: int | None = None,
    ) -> list[Rating]: ...

    def diary(
        self, *, last: int | None = None, person: str | None = None, since: date | None = None
    ) -> list[DiaryRecord]: ...

    def device_nights(
        self, *, last: int | None = None, person: str | None = None, since: date | None = None
    ) -> list[DeviceNightRecord]: ...

    def control_activities(
        self, *, last: int | None = None, person: str | None = None
    ) -> list[ControlActivity]: ...

    def notes(self, *, last: int | None = None) -> list[Note]: ...

    def experiments(self, *, person: str | None = None) -> list[StoredExperiment]: ...

    def choose_person(self, name: str | None) -> object: ...

    @property
    def chosen_person(self) -> str | None: ...


def latest_experiment(
    journal: JournalReads, *, person: str | None = None
) -> StoredExperiment | None:
    """The most recent experiment, running, finished or stopped."""
    found = journal.experiments(person=person)
    return found[-1] if found else None


def running_experiment(
    journal: JournalReads, evening: date, *, person: str | None = None
) -> StoredExperiment | None:
    """The experiment that has ``evening`` among its nights and was not stopped, if any."""
    for found in reversed(journal.experiments(person=person)):
        if found.running_on(evening) and found.first_evening <= evening:
            return found
    return None


def ratings_by_session(
    journal: JournalReads, sessions: Sequence[MassageSession | SessionTimes]
) -> dict[int | None, list[Rating]]:
    """The ratings of ``sessions`` by session, in the order they were made. Lists show the newest
    sessions by number, so one query from the first of them on reads them all (not the ratings of
    every year before)."""
    by_session: dict[int | None, list[Rating]] = {}
    if sessions:
        for rating in journal.ratings(from_session=min(s.id for s in sessions)):
            by_session.setdefault(rating.session_id, []).append(rating)
    return by_session


def open_reader(
    url: str | None = None, data_dir: Path | None = None, *, check: FileCheck | None = None
) -> ReadOnlyJournal | None:
    """A reader of the journal ``Journal(url, data_dir=data_dir)`` would open, or None when
    opening it would do more than read (or anything about it is unusual). ``check``: the file's
    check begun earlier (:func:`~solemate.journal.opening.check_file`), else one is run here."""
    chosen = url
    try:
        path = sqlite_file(chosen, data_dir)
        if path is not None:
            return _sqlite(path, check if check is not None and check.path == path else None)
        scheme, sep, rest = (chosen or "").partition("://")
        if sep and scheme in ("postgresql", "postgres", "postgresql+psycopg"):
            return _postgresql(f"postgresql://{rest}")
    except Exception:  # any surprise: the full journal opens it and reports it properly
        return None
    finally:
        if check is not None:
            check.done()  # no thread outlives the opening
    return None


def _sqlite(path: Path, check: FileCheck | None) -> ReadOnlyJournal | None:
    import sqlite3

    if not path.name or not path.is_file():
        return None  # the Journal creates it
    check = check or FileCheck(path)
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    reader = ReadOnlyJournal(connection, "?", _sqlite_instant, date.fromisoformat, json.loads)
    checked = None
    try:
        checked = reader.checked()
    finally:
        if not check.sound() and checked is not None:
            checked.close()  # damaged: the full journal says so, naming the file and what to do
            checked = None
    return checked


def _postgresql(conninfo: str) -> ReadOnlyJournal | None:
    import psycopg

    connection = psycopg.connect(conninfo, autocommit=True)  # BEGIN is sent by checked()
    reader = ReadOnlyJournal(connection, "%s", _pg_instant, _same, _same)
    return reader.checked()


def _sqlite_instant(value: Any) -> datetime:
    """The naive UTC text SQLAlchemy keeps, as an aware instant. Parsed with the offset written
    on, which is several times quicker than ``.replace(tzinfo=UTC)`` (insights reads every
    session's four times); anything else is parsed and relabelled as before."""
    try:
        found = datetime.fromisoformat(value + "+00:00")
    except (TypeError, ValueError):
        found = None
    if found is None or found.tzinfo is not UTC:  # a bare date, say, parses naive
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return found


def _pg_instant(value: Any) -> datetime:
    return cast(datetime, value).astimezone(UTC)


def _same(value: Any) -> Any:
    return value


class ReadOnlyJournal:
    """The read methods of :class:`~solemate.journal.Journal` over one read-only transaction."""

    def __init__(
        self,
        connection: Any,
        mark: str,
        instant: Callable[[Any], datetime],
        day: Callable[[Any], date],
        loads: Callable[[Any], Any],
    ) -> None:
        self._connection = connection
        self._mark = mark
        self._instant_of = instant
        self._day = day
        self._loads = loads
        self._names: dict[int, str] = {}
        self._default: int | None = None
        self._chosen: int | None = None

    def checked(self) -> ReadOnlyJournal | None:
        """Self in a read transaction when the journal needs nothing but reading, else None."""
        try:
            if self._mark == "?":
                self._connection.execute("BEGIN")
            else:
                self._connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            revision = self._rows("SELECT version_num FROM alembic_version")
            if [r[0] for r in revision] != [HEAD]:
                self.close()
                return None
            if self._rows("SELECT id FROM sessions WHERE status = 'in_progress' LIMIT 1"):
                self.close()  # opening the Journal recovers abandoned sessions
                return None
            self._names = dict(self._rows("SELECT id, name FROM people ORDER BY id"))
            self._default = next(iter(self._names), None)
        except BaseException:
            self.close()
            raise
        return self

    def choose_person(self, name: str | None) -> None:
        """As :meth:`Journal.choose_person <solemate.journal.Journal.choose_person>`."""
        self._chosen = self._person(name)

    @property
    def chosen_person(self) -> str | None:
        """The person chosen by :meth:`choose_person`, or None."""
        return None if self._chosen is None else self._names[self._chosen]

    def check_sound(self) -> None:
        """Nothing to do: a damaged SQLite file is never opened by this reader."""

    def close(self) -> None:
        try:
            with contextlib.suppress(Exception):  # nothing was written; only the snapshot ends
                self._connection.execute("ROLLBACK")
        finally:
            self._connection.close()

    def __enter__(self) -> ReadOnlyJournal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _of_chosen(self, column: str) -> str:
        """The WHERE clause keeping the chosen person's rows by ``column`` ("" for everyone)."""
        return "" if self._chosen is None else f" WHERE {column} = ?"

    def _chosen_args(self) -> tuple[int, ...]:
        """The parameters of :meth:`_of_chosen`'s clause."""
        return () if self._chosen is None else (self._chosen,)

    # --- the Journal's read methods -----------------------------------------------------------

    def sessions(self, *, last: int | None = None) -> list[MassageSession]:
        """As :meth:`Journal.sessions <solemate.journal.Journal.sessions>`."""
        rows = self._last(
            "SELECT id, uid, routine_id, routine_version, plan_options, planned_seconds, status,"
            " created_at, started_at, ended_at, foot, step_index, step_id, progress_at,"
            " giver_id, receiver_id, played_seconds FROM sessions" + self._of_chosen("receiver_id"),
            self._chosen_args(),
            ("id",),
            last,
        )
        t, opt, names = self._instant_of, self._optional, self._names
        return [
            MassageSession(
                id=r[0],
                uid=r[1],
                routine_id=r[2],
                routine_version=r[3],
                plan_options=self._loads(r[4]),
                planned_seconds=r[5],
                status=cast(SessionStatus, r[6]),
                created_at=t(r[7]),
                started_at=opt(r[8]),
                ended_at=opt(r[9]),
                foot=r[10],
                step_index=r[11],
                step_id=r[12],
                progress_at=opt(r[13]),
                giver=names[r[14]],
                receiver=names[r[15]],
                played_seconds=r[16],
            )
            for r in rows
        ]

    def session_times(self) -> list[SessionTimes]:
        """As :meth:`Journal.session_times <solemate.journal.Journal.session_times>`."""
        rows = self._last(
            "SELECT id, receiver_id, status, created_at, started_at, ended_at FROM sessions"
            + self._of_chosen("receiver_id"),
            self._chosen_args(),
            ("id",),
            None,
        )
        from solemate.journal.other_records import SessionTimes

        t, opt, names = self._instant_of, self._optional, self._names
        return [
            SessionTimes(
                r[0], names[r[1]], cast(SessionStatus, r[2]), t(r[3]), opt(r[4]), opt(r[5])
            )
            for r in rows
        ]

    def ratings(
        self,
        *,
        session_id: int | None = None,
        last: int | None = None,
        from_session: int | None = None,
    ) -> list[Rating]:
        """As :meth:`Journal.ratings <solemate.journal.Journal.ratings>`."""
        wheres: list[str] = []
        values: tuple[Any, ...] = ()
        for sql, value in (("session_id = ?", session_id), ("session_id >= ?", from_session)):
            if value is not None:
                wheres.append(sql)
                values += (value,)
        where = " WHERE " + " AND ".join(wheres) if wheres else ""
        if session_id is None and from_session is None and self._chosen is not None:
            where, values = " WHERE person_id = ?", (self._chosen,)
        rows = self._last(
            "SELECT id, uid, session_id, person_id, moment, stress, relaxation, rated_at"
            " FROM ratings" + where,
            values,
            ("id",),
            last,
        )
        t, names = self._instant_of, self._names
        return [
            Rating(
                id=r[0],
                uid=r[1],
                session_id=r[2],
                person=names[r[3]],
                moment=cast(Moment, r[4]),
                stress=r[5],
                relaxation=r[6],
                rated_at=t(r[7]),
            )
            for r in rows
        ]

    def diary(
        self, *, last: int | None = None, person: str | None = None, since: date | None = None
    ) -> list[DiaryRecord]:
        """As :meth:`Journal.diary <solemate.journal.Journal.diary>`."""
        where, values = self._of_person(person, since)
        rows = self._last(
            "SELECT id, uid, person_id, wake_date, zone, into_bed, tried_to_sleep, sol_min,"
            " awakenings, waso_min, final_awakening, out_of_bed, quality, comments, created_at,"
            " updated_at FROM diary_entries" + where,
            values,
            ("wake_date",),
            last,
        )
        t, names = self._instant_of, self._names
        zones: dict[str, ZoneInfo] = {}
        out = []
        for r in rows:
            zone = zones.get(r[4]) or zones.setdefault(r[4], ZoneInfo(r[4]))
            entry = DiaryEntry(
                wake_date=self._day(r[3]),
                zone=r[4],
                into_bed=t(r[5]).astimezone(zone),
                tried_to_sleep=t(r[6]).astimezone(zone),
                sol_min=r[7],
                awakenings=r[8],
                waso_min=r[9],
                final_awakening=t(r[10]).astimezone(zone),
                out_of_bed=t(r[11]).astimezone(zone),
                quality=r[12],
                comments=r[13],
            )
            out.append(
                DiaryRecord(
                    id=r[0],
                    uid=r[1],
                    person=names[r[2]],
                    entry=entry,
                    created_at=t(r[14]),
                    updated_at=t(r[15]),
                )
            )
        return out

    def device_nights(
        self, *, last: int | None = None, person: str | None = None, since: date | None = None
    ) -> list[DeviceNightRecord]:
        """As :meth:`Journal.device_nights <solemate.journal.Journal.device_nights>`."""
        where, values = self._of_person(person, since)
        rows = self._last(
            "SELECT id, uid, person_id, source, device, wake_date, bed_start, bed_end, zone,"
            " tib_min, tst_min, sol_min, se_pct, is_nap, imported_at,"
            " bed_start_offset_min, bed_end_offset_min FROM device_nights" + where,
            values,
            ("wake_date", "bed_start"),
            last,
        )
        t, names = self._instant_of, self._names
        return [
            DeviceNightRecord(
                id=r[0],
                uid=r[1],
                person=names[r[2]],
                source=r[3],
                device=r[4],
                wake_date=self._day(r[5]),
                bed_start=as_recorded(t(r[6]), r[15], r[8]),
                bed_end=as_recorded(t(r[7]), r[16], r[8]),
                zone=r[8],
                tib_min=r[9],
                tst_min=r[10],
                sol_min=r[11],
                se_pct=r[12],
                is_nap=bool(r[13]),
                imported_at=t(r[14]),
            )
            for r in rows
        ]

    def control_activities(
        self, *, last: int | None = None, person: str | None = None
    ) -> list[ControlActivity]:
        """As :meth:`Journal.control_activities <solemate.journal.Journal.control_activities>`."""
        from solemate.journal.experiment_records import ControlActivity

        where, values = self._of_person(person, None)
        rows = self._last(
            "SELECT id, uid, person_id, on_date, activity, minutes, created_at"
            " FROM control_activities" + where,
            values,
            ("on_date", "id"),
            last,
        )
        return [
            ControlActivity(
                id=r[0],
                uid=r[1],
                person=self._names[r[2]],
                on_date=self._day(r[3]),
                activity=r[4],
                minutes=r[5],
                created_at=self._instant_of(r[6]),
            )
            for r in rows
        ]

    def notes(self, *, last: int | None = None) -> list[Note]:
        """As :meth:`Journal.notes <solemate.journal.Journal.notes>`."""
        rows = self._last(
            "SELECT id, uid, person_id, session_id, written_at, text FROM notes"
            + self._of_chosen("person_id"),
            self._chosen_args(),
            ("id",),
            last,
        )
        return [
            Note(
                id=r[0],
                uid=r[1],
                person=self._names[r[2]],
                session_id=r[3],
                written_at=self._instant_of(r[4]),
                text=r[5],
            )
            for r in rows
        ]

    def experiments(self, *, person: str | None = None) -> list[StoredExperiment]:
        """As :meth:`Journal.experiments <solemate.journal.Journal.experiments>`."""
        from solemate.journal.experiment_records import StoredExperiment

        pid = self._person(person)
        if pid is None:
            return []
        rows = self._rows(
            "SELECT id, uid, person_id, outcome, design, nights, first_evening, seed, control,"
            " minimum, created_at, stopped_at, stop_reason FROM experiments"
            " WHERE person_id = ? ORDER BY created_at, id",
            (pid,),
        )
        out = []
        for r in rows:
            arms = self._rows(
                "SELECT arm FROM experiment_nights WHERE experiment_id = ? ORDER BY night", (r[0],)
            )
            out.append(
                StoredExperiment(
                    id=r[0],
                    uid=r[1],
                    person=self._names[r[2]],
                    outcome=r[3],
                    design=r[4],
                    nights=r[5],
                    first_evening=self._day(r[6]),
                    seed=int(r[7]),
                    control=r[8],
                    minimum=r[9],
                    arms=tuple(a[0] for a in arms),
                    created_at=self._instant_of(r[10]),
                    stopped_at=self._optional(r[11]),
                    stop_reason=r[12],
                )
            )
        return out

    # --- helpers ------------------------------------------------------------------------------

    def _rows(self, sql: str, values: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self._mark != "?":
            sql = sql.replace("?", self._mark)
        return list(self._connection.execute(sql, values).fetchall())

    def _optional(self, value: Any) -> datetime | None:
        return None if value is None else self._instant_of(value)

    def _person(self, name: str | None) -> int | None:
        """The id of ``name`` (an error if unknown; exactly, else without regard to case), or of
        the chosen, else the default person (None: nobody yet)."""
        if name is None:
            return self._default if self._chosen is None else self._chosen
        for pid, known in self._names.items():
            if known == name:
                return pid
        folded = [pid for pid, known in self._names.items() if same_name(known, name)]
        if len(folded) == 1:
            return folded[0]
        raise JournalError(f"no person called {name!r}", field="person")

    def _of_person(self, person: str | None, since: date | None) -> tuple[str, tuple[Any, ...]]:
        pid = self._person(person)
        where = " WHERE person_id IS NULL" if pid is None else " WHERE person_id = ?"
        values: tuple[Any, ...] = () if pid is None else (pid,)
        if since is not None:
            where += " AND wake_date >= ?"
            values += (since.isoformat() if self._mark == "?" else since,)
        return where, values

    def _last(
        self, sql: str, values: tuple[Any, ...], keys: tuple[str, ...], last: int | None
    ) -> list[tuple[Any, ...]]:
        """Rows in ``keys`` order (then by id), or only the ``last`` of them, as the Journal's."""
        order = [*keys, "id"]
        if last is None:
            return self._rows(f"{sql} ORDER BY {', '.join(order)}", values)
        if not isinstance(last, int) or isinstance(last, bool):
            raise JournalError("must be a whole number", field="last")
        if not 0 <= last <= 1_000_000:
            raise JournalError(f"{last} is outside 0–1000000", field="last")
        newest = self._rows(
            f"{sql} ORDER BY {', '.join(k + ' DESC' for k in order)} LIMIT {last}", values
        )
        return newest[::-1]
