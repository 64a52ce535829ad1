"""Where the journal lives and how connections to it behave.

The journal is a private, local record, so the default is one SQLite file in the user's data
directory, readable by its owner only. Any SQLAlchemy URL can replace it (the shells pass the one
the settings name), PostgreSQL through psycopg 3 being the tested alternative. Nothing here reads
the environment: see :mod:`solemate.settings`.

SQLite needs three things set on every connection, which is why they live in a connect event:
foreign keys (off by default in SQLite), WAL (readers never block the session being written step
by step) and a busy timeout (two processes wait for each other instead of failing). pysqlite's own
transaction handling is switched off and ``BEGIN`` is emitted here instead: pysqlite would
otherwise run DDL outside any transaction, and a migration killed halfway would leave half a schema.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL

from solemate.settings import ENV_VARS

__all__ = [
    "DATABASE_URL_ENV",
    "WRITE",
    "default_sqlite_path",
    "display_url",
    "hide_password",
    "make_engine",
    "resolve_url",
]

#: The variable the shells read the database URL from (see :mod:`solemate.settings`).
DATABASE_URL_ENV = ENV_VARS["database_url"]

#: Execution option marking a connection that will write: SQLite then takes the write lock at
#: ``BEGIN`` so a read-then-write transaction cannot fail half-way on a lock it could have waited for.
WRITE = "solemate_write"

_BUSY_TIMEOUT_MS = 10_000


def default_sqlite_path(data_dir: Path | None = None) -> Path:
    """The journal file in ``data_dir`` (None: the platform's per-user data folder)."""
    from solemate.settings import Settings, default_data_dir

    return Settings(data_dir=data_dir or default_data_dir()).journal_file


def resolve_url(url: str | URL | None, data_dir: Path | None = None) -> URL:
    """The database to use: ``url``, else the journal file in ``data_dir`` (see
    :func:`default_sqlite_path`).

    A bare ``postgresql://`` URL is given the psycopg 3 driver, the one installed and tested.
    """
    if url is None:
        return URL.create("sqlite", database=str(default_sqlite_path(data_dir)))
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


_CREDENTIALS = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")


def display_url(url: str | URL) -> str:
    """``url`` as it may be shown: with its password masked, even when it cannot be parsed.

    >>> display_url("postgresql://me:S3cret@db.example/journal")
    'postgresql://me:***@db.example/journal'
    >>> display_url("postgresql://me:S3cret@[::1/broken")
    'postgresql://me:***@[::1/broken'
    """
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # any text the parser refuses: mask what looks like credentials
        return _CREDENTIALS.sub(r"\1***@", str(url))


def hide_password(message: str, url: str | URL | None) -> str:
    """``message`` (an error from a driver, say) with ``url``'s password masked wherever it is.

    >>> hide_password("cannot use postgresql://me:S3cret@db/x (S3cret)", "postgresql://me:S3cret@db/x")
    'cannot use postgresql://me:***@db/x (***)'
    """
    message = _CREDENTIALS.sub(r"\1***@", message)
    if url is None:
        return message
    password: str | None
    try:
        password = make_url(url).password
    except Exception:
        found = re.search(r"://[^:/@\s]*:([^@\s]*)@", str(url))
        password = found.group(1) if found else None
    if password:
        from urllib.parse import quote

        for form in {password, quote(password, safe="")}:
            message = message.replace(form, "***")
    return message


def make_engine(url: URL, *, read_only: bool = False) -> Engine:
    """An engine for ``url`` with the connection settings the journal relies on.

    A SQLite file that does not exist yet is created first, readable by its owner only.
    ``read_only`` opens an existing SQLite file immutable, for a folder or disk that cannot be
    written (see :mod:`solemate.journal.storage`): no lock, no ``-shm``, no switch to WAL.
    """
    if read_only and url.get_backend_name() == "sqlite":
        import sqlite3

        from solemate.journal.storage import readonly_uri

        uri = readonly_uri(Path(url.database or ""))
        engine = create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
        )
        event.listen(engine, "connect", _sqlite_connect_read_only)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            _make_private_file(Path(database))
        engine = create_engine(url, connect_args={"timeout": _BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # None = pysqlite leaves transactions alone; _sqlite_begin opens them (see the module doc).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        _use_wal(cursor)
    finally:
        cursor.close()


def _sqlite_connect_read_only(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA query_only = ON")


def _use_wal(cursor: Any) -> None:
    """Switch the file to WAL (it stays so). Switching takes a lock that SQLite does not wait for
    with its busy timeout, so processes opening a new journal at once retry here instead."""
    import sqlite3
    import time

    deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
    delay = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            busy = "locked" in str(error) or "busy" in str(error)
            if not busy or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.1)


def _sqlite_begin(connection: Any) -> None:
    immediate = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _make_private_file(path: Path) -> None:
    """Create the journal file (and its folder) readable by its owner only, if it is missing.

    SQLite gives the -wal and -shm files the permissions of the database file, so this covers them.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
