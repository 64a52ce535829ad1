"""Export, import, backup, checks and forgetting: the journal as a whole, one family of :class:`Journal`.

The export format itself is ``transfer.py``'s; this module runs it in the journal's transactions.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import DBAPIError

from solemate.journal import storage
from solemate.journal.core import JournalCore
from solemate.journal.records import (
    ImportReport,
    JournalError,
)
from solemate.journal.schema import (
    Base,
)
from solemate.journal.transfer import export_journal, import_journal

__all__ = ["UpkeepMixin"]


class UpkeepMixin(JournalCore):
    """Export and import, backups, integrity checks and forgetting everything."""

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
