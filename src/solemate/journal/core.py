"""The journal's core: the engine, its transactions, the clock and people.

People: adding and renaming them, and choosing whose entries the methods given no ``person``
read and write (:meth:`JournalCore.choose_person`); removing one is ``upkeep.py``'s.

:class:`JournalCore` opens (and migrates) the database and owns every connection; the families
of :class:`~solemate.journal.Journal` (``sessions.py``, ``nights.py``, ``entries.py``,
``upkeep.py``) build on it, and the experiment's and sign-in storage use its small public
surface: :meth:`~JournalCore.writing`, :meth:`~JournalCore.reading` and :meth:`~JournalCore.now`.
Storage failures reach callers as one clear :class:`JournalError`.
"""

from __future__ import annotations

import contextlib
import copy
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Select, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from solemate.diary import DiaryError, load_zone
from solemate.journal import migrations, storage
from solemate.journal.checks import check_int, person_name
from solemate.journal.engine import WRITE, make_engine, resolve_url
from solemate.journal.liveness import Liveness, is_stale, owner_liveness
from solemate.journal.mapping import record_from_row
from solemate.journal.other_records import Person
from solemate.journal.people import (
    DEFAULT_PERSON,
    existing_person_id,
    find_person,
    names,
    no_such_person,
    person_id,
    same_name,
)
from solemate.journal.records import JournalError
from solemate.journal.schema import (
    Keyed,
    PersonRow,
    SessionRow,
    new_uid,
)

__all__ = ["DEFAULT_PERSON", "JournalCore", "interrupt_session"]

# Any constant will do: it only has to differ from other applications sharing the server.
_PG_MIGRATION_LOCK = 0x501E_3A7E

_K = TypeVar("_K", bound=Keyed)


#: The largest id a row can have: SQLite's and PostgreSQL's signed 64-bit integer.
_MAX_ID = 2**63 - 1


def _utc_now() -> datetime:
    return datetime.now(UTC)


class JournalCore:
    """The engine, transactions and clock every family of the journal shares.

    See :class:`~solemate.journal.Journal` for how it is opened; this class holds no entries.
    """

    def __init__(
        self,
        url: str | URL | None = None,
        *,
        clock: Callable[[], datetime] = _utc_now,
        data_dir: Path | None = None,
    ) -> None:
        self._url = resolve_url(url, data_dir)
        self._clock = clock
        #: Whose journal this is for the methods given no ``person`` (None: the first person).
        self._chosen: str | None = None
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

    def __enter__(self) -> Self:
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
                    if migrations.is_empty(conn):  # checked under the lock
                        migrations.create(conn)
                    else:
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
                    interrupt_session(row)
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
        """Add a person (the second of a couple, say). Names are unique, whatever their case."""
        name = person_name(name)
        with self._writer.begin() as s:
            _refuse_taken(s, name)
            row = self._add(s, PersonRow(uid=new_uid(), name=name, created_at=self._now()))
            return _person(row)

    def people(self) -> list[Person]:
        """Everyone in the journal, the default person (the first added) first."""
        with self._reader() as s:
            return [_person(row) for row in s.scalars(select(PersonRow).order_by(PersonRow.id))]

    def rename_person(self, old: str, new: str) -> Person:
        """Give ``old`` the name ``new``; everything they recorded stays theirs."""
        new = person_name(new)
        with self._writer.begin() as s:
            row = find_person(s, old)
            if row is None:
                raise no_such_person(old)
            if not same_name(new, row.name):
                _refuse_taken(s, new)
            row.name = new
            s.flush()
            person = _person(row)
        if self._chosen is not None and same_name(self._chosen, old):
            self._chosen = new
        return person

    def choose_person(self, name: str | None) -> Person | None:
        """Make ``name`` the person the methods given no ``person`` read and write for.

        None chooses the journal's first person (None back when the journal has nobody yet: the
        first write then creates :data:`DEFAULT_PERSON`). While a person is chosen,
        :meth:`sessions` lists the sessions they received and :meth:`ratings` and :meth:`notes`
        theirs; with nobody chosen those list everyone's, as a one-person journal always did.
        """
        with self._reader() as s:
            if name is None:
                row = s.scalars(select(PersonRow).order_by(PersonRow.id).limit(1)).first()
            else:
                row = find_person(s, name)
                if row is None:
                    raise no_such_person(name)
            self._chosen = None if row is None else row.name
            return None if row is None else _person(row)

    def acting_for(self, name: str | None) -> Self:
        """This journal acting for ``name`` (a name :meth:`people` gave; None: the first person),
        sharing its connections: a server acting for several people at once gives each request
        its own, and nobody's choice leaks into another's request. Nothing is read here."""
        view = copy.copy(self)
        view._chosen = name
        return view

    @property
    def chosen_person(self) -> str | None:
        """The person chosen by :meth:`choose_person`, or None."""
        return self._chosen

    def whose(self, person: str | None) -> str | None:
        """``person``, or the chosen person when it is None: whom a method acts for."""
        return self._chosen if person is None else person

    # --- for the journal's own modules: transactions and the clock ------------------------

    def writing(self) -> contextlib.AbstractContextManager[Session]:
        """One write transaction (refused at once when the journal is read-only)."""
        return self._writer.begin()

    def reading(self) -> contextlib.AbstractContextManager[Session]:
        """A session for reads."""
        return self._reader()

    def now(self) -> datetime:
        """The journal's clock: an aware datetime."""
        return self._now()

    def today_in(self, zone: str) -> date:
        """The date now where ``zone`` is (a nap or night after it is in the future)."""
        return self._today_in(zone)

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

    # --- helpers the families share -------------------------------------------------------

    def _person_id(self, s: Session, name: str | None) -> int:
        """The id of ``name`` (else the chosen or default person), created on first use."""
        return person_id(s, self.whose(name), self._now)

    def _existing_person_id(self, s: Session, name: str | None) -> int | None:
        """Like :meth:`_person_id` for reads: None instead of creating the default person."""
        return existing_person_id(s, self.whose(name))

    def _chosen_id(self, s: Session) -> int | None:
        """The chosen person's id, or None when nobody is chosen (then lists show everyone)."""
        return None if self._chosen is None else existing_person_id(s, self._chosen)

    @staticmethod
    def _names(s: Session) -> dict[int, str]:
        return names(s)

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
        """Rows in ``order`` (ties by ``then``, then by id), or only the ``last`` of them.

        They are read as plain rows of the table's columns, not as ORM objects: callers only copy
        them into records, and an ORM object per row cost 10-30 % of reading ten years of
        sessions, ratings or diary. A row has every column as an attribute, as the object has."""
        table = query.column_descriptions[0]["entity"]
        keys = (order, *then, table.id)
        columns = query.with_only_columns(*table.__table__.columns)
        if last is None:
            rows = s.execute(columns.order_by(*keys)).all()
            return cast("Sequence[_K]", rows)
        check_int(last, "last", 0, 1_000_000)
        newest = s.execute(columns.order_by(*(k.desc() for k in keys)).limit(last)).all()
        return cast("Sequence[_K]", newest[::-1])


class _Transactions:
    """The journal's sessions, with storage failures turned into one clear :class:`JournalError`.

    ``begin()`` opens a transaction (and refuses at once when the journal is read-only);
    calling it gives a session for reads.
    """

    def __init__(self, maker: sessionmaker[Session], journal: JournalCore) -> None:
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


def _refuse_taken(s: Session, name: str) -> None:
    for other in s.scalars(select(PersonRow.name)):
        if same_name(other, name):
            raise JournalError(f"there is already a person called {other!r}", field="name")


def _person(row: PersonRow) -> Person:
    return record_from_row(row, Person)


def _last_sign_of_life(row: SessionRow) -> datetime:
    return row.progress_at or row.started_at or row.created_at


def interrupt_session(row: SessionRow) -> None:
    """Close a session left in progress: interrupted, ended at the last moment it is known to have
    run (its last step boundary), its played time as last reported."""
    row.status = "interrupted"
    row.ended_at = _last_sign_of_life(row)
    row.owner = None
