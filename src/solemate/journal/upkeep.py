"""Export, import, backup, checks and forgetting: the journal as a whole, one family of :class:`Journal`.

The export format itself is ``transfer.py``'s; this module runs it in the journal's transactions.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import io
import json
import os
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, Any, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from solemate.journal import storage
from solemate.journal.core import JournalCore
from solemate.journal.exporting import write_journal_json
from solemate.journal.import_reports import ImportReport
from solemate.journal.mapping import record_from_row
from solemate.journal.other_records import Person
from solemate.journal.people import find_person, no_such_person, remove, same_name
from solemate.journal.records import JournalError
from solemate.journal.schema import (
    Base,
    SessionRow,
)
from solemate.journal.transfer import export_journal, import_journal

__all__ = ["UpkeepMixin"]

_Out = TypeVar("_Out")


class UpkeepMixin(JournalCore):
    """Export and import, backups, integrity checks, removing a person and forgetting everything."""

    def export(self, *, person: str | None = None) -> dict[str, Any]:
        """Everything, as a versioned JSON-able dict that :meth:`import_export` takes back; with
        ``person``, only what is about them (``exporting.py`` says what that holds).

        A damaged SQLite file is refused (a quick check first), rather than exported in part. An
        unknown person is a :class:`JournalError` with ``field="person"``.
        """
        return self._exported(export_journal, person)

    def _exported(
        self, write: Callable[[Session, datetime, int | None], _Out], person: str | None
    ) -> _Out:
        self.check_sound()
        with self._reader._translated(), self._snapshot() as s, s.begin():
            pid = None
            if person is not None:
                row = find_person(s, person)
                if row is None:
                    raise no_such_person(person)
                pid = row.id
            return write(s, self._now(), pid)

    def export_json(self, *, person: str | None = None) -> bytes:
        """:meth:`export` as compact UTF-8 JSON, written row by row (a fraction of the memory)."""
        out = io.BytesIO()
        self.write_export_json(out, person=person)
        return out.getvalue()

    def write_export_json(self, out: IO[bytes], *, person: str | None = None) -> None:
        """Write :meth:`export_json`'s bytes to ``out`` as the rows are read, a batch at a time:
        the memory it takes does not grow with the journal."""
        self._exported(functools.partial(write_journal_json, out), person)

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
        self._compact("everything was deleted", "solemate forget --everything")

    def remove_person(self, name: str) -> Person:
        """Delete one person and everything recorded about them, in one transaction.

        Their diary, naps, device nights, notes, ratings, safety screens, experiments and the
        sessions they received go; everyone else's stay untouched. A session they gave someone
        else stays in the receiver's journal (it still counts for the receiver's nights) and is
        from then on recorded as the receiver's own, since the journal no longer knows the giver;
        the ratings the remover gave it go with them. The last person is not removed: that is
        :meth:`forget_everything`. The file is compacted as by :meth:`forget_everything`.
        """
        self.check_sound()
        with self._writer.begin() as s:
            row = find_person(s, name)
            if row is None:
                raise no_such_person(name)
            removed = record_from_row(row, Person)
            remove(s, row)
        if self._chosen is not None and same_name(self._chosen, removed.name):
            self._chosen = None
        self._compact(f"{removed.name!r} was removed", "solemate forget --everything")
        return removed

    def person_holdings(self, name: str) -> dict[str, int]:
        """How many entries of each kind (named as the export's sections) belong to ``name``,
        the sessions they received included: what :meth:`remove_person` would delete."""
        with self._reader() as s:
            row = find_person(s, name)
            if row is None:
                raise no_such_person(name)
            counts = {"sessions": _count(s, SessionRow.__table__.c.receiver_id, row.id)}
            for table in Base.metadata.sorted_tables:
                if "person_id" in table.c:
                    section = "diary" if table.name == "diary_entries" else table.name
                    counts[section] = _count(s, table.c.person_id, row.id)
            return {table: n for table, n in counts.items() if n}

    def _compact(self, done: str, again: str) -> None:
        """Vacuum a SQLite file after deleting, so the deleted rows leave its free pages."""
        if self.dialect != "sqlite":
            return
        try:
            with self._raw_sqlite() as raw:
                raw.execute("VACUUM")
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except (sqlite3.Error, DBAPIError, OSError) as exc:
            raise JournalError(
                f"{done}, but the file could not be compacted "
                f"({storage.storage_problem(exc, self._path) or exc}); the deleted rows may "
                f"linger in its free pages until '{again}' runs again"
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


def _count(s: Any, column: Any, pid: int) -> int:
    return int(s.scalar(select(func.count()).where(column == pid)) or 0)
