"""A SQLite journal file in trouble: read-only, on a full disk, damaged, or not a journal at all.

The journal must stay readable when it cannot be written: a data folder on a read-only mount, or a
disk so full that SQLite cannot even create its shared-memory file, still lets a person read and
export what they kept. Such a file is opened read-only and *immutable* (no ``-shm`` file, no lock,
no switch to WAL), which is only safe when no write-ahead log holds changes the file lacks; with a
non-empty ``-wal`` beside it, the journal refuses instead of showing an older state.

A file at the journal's path that is some other program's database is refused before the first
connection could switch it to WAL or add tables to it.

Every failure is turned into one line that says what happened and what to do, naming the data
folder, so no command ends in a driver's traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

__all__ = [
    "damaged",
    "foreign_database",
    "read_only_reason",
    "readonly_uri",
    "storage_problem",
    "trouble",
    "unsaved_log",
    "why_not_writable",
]

#: Tables every revision of the journal has; ``alembic_version`` says which revision.
_OURS = {"people", "alembic_version"}
_SQLITE_OWN = {"sqlite_sequence", "sqlite_stat1", "sqlite_stat4"}


def readonly_uri(path: Path) -> str:
    """The URI opening ``path`` read-only and immutable: no lock, no ``-shm``, no ``-wal``."""
    return f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"


def read_only_reason(path: Path) -> str | None:
    """Why the journal at ``path`` cannot be written (None: it can, as far as can be told)."""
    folder = path.parent
    if not os.access(folder, os.W_OK):
        return f"its folder {folder} is not writable"
    if path.exists() and not os.access(path, os.W_OK):
        return f"the file {path} is not writable"
    return None


def unsaved_log(path: Path) -> bool:
    """True when a write-ahead log beside ``path`` may hold changes the file itself lacks."""
    try:
        return Path(f"{path}-wal").stat().st_size > 0
    except OSError:
        return False


def foreign_database(path: Path) -> str | None:
    """Why the file at ``path`` is not a solemate journal, or None when it is one (or empty).

    Read without a lock and without touching the file, before anything could change it.
    """
    try:
        with path.open("rb") as fh:
            header = fh.read(16)
    except OSError:
        return None  # the open that follows says why
    if not header:
        return None  # an empty file: a journal being created
    if header != b"SQLite format 3\x00":
        return f"{path} is not a SQLite database, so not a solemate journal"
    try:
        connection = sqlite3.connect(readonly_uri(path), uri=True)
    except sqlite3.Error:
        return None
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError:
        return None  # damaged: said when it is read
    finally:
        connection.close()
    tables -= _SQLITE_OWN
    tables = {t for t in tables if not t.startswith("sqlite_autoindex_")}
    if not tables or tables >= _OURS or tables == {"alembic_version"}:
        return None
    shown = ", ".join(sorted(tables)[:4]) + (", …" if len(tables) > 4 else "")
    return (
        f"{path} is another program's database (tables {shown}), not a solemate journal; "
        "solemate leaves it alone: move it away or give --database"
    )


def damaged(message: str) -> bool:
    """True for SQLite's words for a damaged file."""
    text = message.lower()
    return "malformed" in text or "file is not a database" in text or "corrupt" in text


def trouble(exc: BaseException) -> str | None:
    """What kind of storage failure ``exc`` is: ``full``, ``read-only``, ``damaged``, ``io``, or
    None for any other error. ``exc`` is a driver error, an ``OSError`` or SQLAlchemy's wrapper."""
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).lower()
    code = cause.errno if isinstance(cause, OSError) else None
    if code == errno.ENOSPC or "disk is full" in text:
        return "full"
    if code in (errno.EROFS, errno.EACCES, errno.EPERM) or "readonly" in text:
        return "read-only"
    if damaged(text):
        return "damaged"
    if "disk i/o error" in text or "unable to open database file" in text:
        return "io"
    return None


def why_not_writable(kind: str, path: Path) -> str:
    """Why a journal that failed with ``kind`` of trouble is opened read-only instead."""
    if kind == "read-only":
        return f"its folder {path.parent} cannot be written"
    if kind == "full":
        return f"the disk holding {path.parent} is full"
    return f"the disk holding {path.parent} is full or failing"


def storage_problem(exc: BaseException, path: Path | None) -> str | None:
    """One line for a storage failure (full, read-only, damaged, I/O), or None for other errors."""
    kind = trouble(exc)
    if kind is None:
        return None
    where = str(path) if path is not None else "the journal"
    folder = f" (data folder {path.parent})" if path is not None else ""
    if kind == "damaged":
        return damage_message(path, str(getattr(exc, "orig", None) or exc))
    if kind == "full":
        return f"the disk holding {where} is full{folder}; nothing was written: free some space"
    if kind == "read-only":
        return (
            f"{where} cannot be written{folder}; nothing was written: make the folder writable "
            "(reading and 'solemate export' still work)"
        )
    return (
        f"cannot read or write {where}{folder} (disk I/O error): the disk may be full, "
        "read-only or failing; check it, then run 'solemate backup'"
    )


def damage_message(path: Path | None, detail: str) -> str:
    """The line for a damaged journal: what SQLite found and how to keep what is left."""
    where = str(path) if path is not None else "the journal"
    folder = path.parent if path is not None else "the data folder"
    first = detail.strip().splitlines()[0] if detail.strip() else "damaged"
    return (
        f"{where} is damaged ({first}); nothing was changed. Copy the data folder {folder} "
        "somewhere safe, then restore your latest 'solemate backup' (or recover the rest with "
        f"sqlite3 {where} .recover)"
    )


def quick_check(connection: sqlite3.Connection) -> str | None:
    """What ``PRAGMA quick_check`` found, or None when the file is sound (a few ms per MB)."""
    try:
        found = [str(row[0]) for row in connection.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:
        return str(exc)
    with contextlib.suppress(ValueError):
        found.remove("ok")
    return "; ".join(found[:3]) or None
