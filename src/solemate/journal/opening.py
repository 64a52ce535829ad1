"""Which SQLite file a journal URL names, and SQLite's check of that file, beside other work.

This module imports little. SQLite's quick check of the whole file (a damaged page would otherwise
just leave rows out) takes milliseconds per megabyte inside the driver, which lets other Python
run meanwhile: :func:`check_file` begins it on its own connection in a thread, so the quick path
of the command line can import the reader's modules while it runs.
:func:`~solemate.journal.reading.open_reader` waits for it (or runs one itself) before it returns,
so a damaged file is never handed back (None: the full journal says what is wrong).
"""

from __future__ import annotations

import _thread  # not threading: importing it would add about 2 ms to the command's start
from pathlib import Path

__all__ = ["BUSY_TIMEOUT_S", "FileCheck", "check_file", "sqlite_file"]

BUSY_TIMEOUT_S = 10.0  # as the engine's: wait for a writer rather than fail


def sqlite_file(url: str | None, data_dir: Path | None = None) -> Path | None:
    """The SQLite file a journal URL names (None: the journal in ``data_dir``), without
    SQLAlchemy; None for another database, or a URL with options or escapes only SQLAlchemy
    should read."""
    if url is None:
        from solemate.settings import Settings, default_data_dir

        # engine.default_sqlite_path(), which a test keeps equal to this
        return Settings(data_dir=data_dir or default_data_dir()).journal_file
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("sqlite", "sqlite+pysqlite"):
        return None
    if not rest.startswith("/") or any(c in rest for c in "?%#"):
        return None  # in memory, query options or escapes: leave those to SQLAlchemy
    return Path(rest[1:])


def check_file(url: str | None, data_dir: Path | None = None) -> FileCheck | None:
    """Begin checking the SQLite file ``url`` names (None: not an existing SQLite file), for
    :func:`~solemate.journal.reading.open_reader` to wait on; anything unusual is left to it."""
    try:
        path = sqlite_file(url, data_dir)
        return FileCheck(path) if path is not None and path.name and path.is_file() else None
    except Exception:
        return None


class FileCheck:
    """``storage.quick_check`` of the file at ``path``, on its own connection in a thread."""

    def __init__(self, path: Path) -> None:
        import sqlite3  # imported here, not in the thread, which then imports nothing

        from solemate.journal.storage import quick_check

        self._connect, self._quick_check = sqlite3.connect, quick_check
        self.path = path
        self._found: str | None = None
        self._error: BaseException | None = None
        self._done = _thread.allocate_lock()
        self._done.acquire()
        _thread.start_new_thread(self._run, ())

    def _run(self) -> None:
        try:
            connection = self._connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            try:
                self._found = self._quick_check(connection)
            finally:
                connection.close()
        except BaseException as exc:  # not sound, as far as can be told: the full journal opens it
            self._error = exc
        finally:
            self._done.release()

    def done(self) -> None:
        """Wait for the check to end."""
        with self._done:
            pass

    def sound(self) -> bool:
        """Wait for the check: True when it ran and found nothing wrong."""
        self.done()
        return self._error is None and self._found is None
