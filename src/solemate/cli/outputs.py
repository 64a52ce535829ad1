"""Where a command may write: never over a journal, its side files, a backup, a device or a folder.

Every command that writes a file the person names (``export -o``, ``render -o`` and ``--chapters``,
``insights --plot``, ``experiment report --html``) checks each output here *before* any work starts,
and is refused with one line naming the option and the reason. The rule needs no database
connection, so it also protects a journal the command never opened:

* a path that exists must be a regular file (not a folder, device, pipe or socket; a symbolic link
  is judged by what it points to), in a folder that exists and can be written (the file is
  written beside it first, then renamed);
* an existing SQLite database is never overwritten: that is a journal or a backup of one, whatever
  its name;
* nor a journal's side files (``NAME-wal``, ``NAME-shm``, ``NAME-journal`` beside a database), nor a
  ``journal-backup-*`` file (a PostgreSQL journal's backup is JSON);
* nor the journal path this command would use, even before the journal exists;
* two outputs of one command must be different files.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from solemate.cli.common import fail

SQLITE_HEADER = b"SQLite format 3\x00"
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
BACKUP_PREFIX = "journal-backup-"


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def problem(path: Path, journal: Path | None = None) -> str | None:
    """Why ``path`` must not be written to, or None when it may be.

    ``journal`` is the SQLite journal file this command uses, if any (refused even when absent).
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        return f"cannot be checked ({exc.strerror or exc})"
    if info is not None and not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        return f"is {kind}; give the name of a file to write"
    folder = path.parent
    if not folder.is_dir():
        return f"cannot be written: the folder {folder} does not exist"
    if not os.access(folder, os.W_OK):  # also true of a read-only mount, even for root
        return f"cannot be written: the folder {folder} is read-only; give another place"
    if journal is not None and (
        _same(path, journal) or any(_same(path, Path(f"{journal}{s}")) for s in SIDE_SUFFIXES)
    ):
        return "is the journal (or one of its files); solemate never writes over it"
    if info is not None and _is_sqlite(path):
        return "is a SQLite database (a journal or a backup); solemate never writes over one"
    for suffix in SIDE_SUFFIXES:
        if path.name.endswith(suffix) and _is_sqlite(path.with_name(path.name[: -len(suffix)])):
            return "belongs to a SQLite journal beside it; solemate never writes over it"
    if info is not None and path.name.startswith(BACKUP_PREFIX):
        return "is a journal backup; solemate never writes over one"
    return None


def default_journal_file(database: str | None) -> Path | None:
    """The SQLite file a command would open with ``--database`` (or the settings), if SQLite."""
    from solemate.cli.common import settings
    from solemate.journal.reading import sqlite_file

    chosen = settings()
    return sqlite_file(database or chosen.database_url, chosen.data_dir)


def check_outputs(outputs: Sequence[tuple[str, Path | None]], database: str | None = None) -> None:
    """Exit with one line when any ``(option, path)`` may not be written; call before any work."""
    journal = default_journal_file(database)
    given = [(option, path) for option, path in outputs if path is not None]
    for option, path in given:
        reason = problem(path, journal)
        if reason is not None:
            fail(f"{option} {path}: {reason}")
    for i, (option, path) in enumerate(given):
        for other_option, other in given[i + 1 :]:
            if _same(path, other):
                fail(f"{option} and {other_option} name the same file ({path}); give two files", 2)
