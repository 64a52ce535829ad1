"""Helpers every command shares: failing with a clear message, the settings, opening the journal,
and finding a routine by name or path.

The settings are read once per command, when a command first asks (:func:`settings`), from the
file, the environment and the flags (see :mod:`solemate.settings`); the root callback forgets them
before each command, so every run of the application sees the settings as they are then.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from solemate.settings import Settings, SettingsError

if TYPE_CHECKING:
    from solemate.journal import Journal
    from solemate.journal.reading import ReadOnlyJournal
    from solemate.routine import Routine, RoutineError

DATABASE = typer.Option(
    None,
    "--database",
    help="Journal database URL (default: SOLEMATE_DATABASE_URL or database_url in the settings "
    "file, else a SQLite file in your data directory).",
)

_settings: Settings | None = None

PERSON = typer.Option(
    None,
    "--person",
    help="Whose journal: a name from 'solemate person list' (default: SOLEMATE_PERSON or person in the settings file, else the first person).",
)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``message`` to standard error and exit with ``code`` (1: bad input, 2: bad usage)."""
    typer.echo(f"solemate: {message}", err=True)
    raise typer.Exit(code)


def confirm_deletion(question: str) -> None:
    """Ask ``question`` (default no); anything but yes, or no terminal to ask on, stops here with
    "nothing deleted"."""
    try:
        confirmed = typer.confirm(question, default=False)
    except (typer.Abort, EOFError):
        confirmed = False
    if not confirmed:
        fail("nothing deleted")


def usage_error(message: str) -> NoReturn:
    """A mistake in how a command was called: the message, then where its help is (the command's
    own, as for the mistakes Typer finds itself), exit 2."""
    from typer._click.globals import get_current_context

    context = get_current_context(silent=True)
    where = context.command_path if context is not None else "solemate"
    fail(f"{message}\nTry '{where} -h' for help.", code=2)


def settings() -> Settings:
    """The settings of this command (read on first use); a bad settings file ends it in one line."""
    global _settings
    if _settings is None:
        try:
            _settings = Settings.load()
        except SettingsError as exc:
            fail(str(exc))
    return _settings


def forget_settings() -> None:
    """Read the settings afresh on next use (each run of the application starts with this)."""
    global _settings
    _settings = None


def origin(key: str, flag: str) -> str:
    """Where the effective value of ``key`` came from, for a message: the flag, the variable, or
    the settings file and key."""
    from solemate.settings import ENV_VARS

    current = settings()
    source = current.source(key)
    if source == "file":
        return f"{current.file}: {key}"
    return ENV_VARS[key] if source == "environment" else flag


def speech_rate(flag: int | None) -> tuple[int | None, str]:
    """``--rate``, else the settings' ``speech_rate`` (None: the voice's own), and where it came
    from for a message about its range."""
    if flag is not None:
        return flag, "--rate"
    return settings().speech_rate, origin("speech_rate", "--rate")


def open_journal(url: str | None) -> Journal:
    """The journal ``--database`` names, else the one the settings name (see :func:`settings`)."""
    from solemate.journal import Journal, JournalError

    current = settings()
    url = url or current.database_url
    try:
        return Journal(url, data_dir=current.data_dir)
    except JournalError as exc:
        fail(database_problem(url, f"journal: {exc}"))
    except Exception as exc:  # a bad URL or an unreachable server: say which, never a traceback
        fail(database_problem(url, "cannot open the journal", exc))


def open_personal(url: str | None, person: str | None) -> Journal:
    """The journal, acting for ``person`` (None: the first person); an unknown name ends the
    command with one line and exit 2, before anything is written."""
    journal = open_journal(url)
    choose_person(journal, person)
    return journal


def choose_person(journal: Journal | ReadOnlyJournal, person: str | None) -> None:
    """Act for ``person`` (None: the settings' person, else the first); an unknown name closes the
    journal and ends the command with one line and exit 2."""
    from solemate.journal import JournalError

    who = person if person is not None else settings().person
    try:
        journal.choose_person(who)
    except JournalError:
        journal.close()
        fail(f"no person called {who!r} (see `solemate person list`)", code=2)


def open_for_reading(url: str | None, person: str | None = None) -> Journal | ReadOnlyJournal:
    """The journal for a command that only reads, acting for ``person`` (None: the first): through
    the driver alone when opening the journal would do nothing but read (see
    ``journal/reading.py``), else opened in full."""
    from solemate.journal.reading import open_reader

    current = settings()
    reader = open_reader(url or current.database_url, current.data_dir)
    if reader is None:
        return open_personal(url, person)
    choose_person(reader, person)
    return reader


def database_problem(url: str | None, what: str, exc: BaseException | None = None) -> str:
    """One line saying what failed with which database (its password masked) and why."""
    from solemate.journal.engine import display_url, hide_password

    message = what
    if exc is not None:
        # SQLAlchemy wraps the driver's error in several lines and a link; the driver's is enough.
        cause = getattr(exc, "orig", None) or exc
        detail = " ".join(str(cause).split())
        where = display_url(url) if url else "the default location"
        message = f"{what} at {where}: {exc.__class__.__name__}: {detail}"
    return hide_password(message, url)


def user_routines(chosen: Settings) -> dict[str, Path]:
    folder = chosen.routines_dir
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.toml")) if p.stem.count(".") == 0}


def resolve_routine(name_or_path: str) -> Routine:
    """A routine by path (anything with a slash or ending in .toml), user routine name or built-in name.

    Exits with every problem listed when the routine is broken.
    """
    from solemate.routine import RoutineError, builtin_names, builtin_routine, load_routine

    try:
        if name_or_path.endswith(".toml") or "/" in name_or_path or "\\" in name_or_path:
            return load_routine(Path(name_or_path))
        mine = user_routines(settings())
        if name_or_path in mine:
            return load_routine(mine[name_or_path])
        if name_or_path in builtin_names():
            return builtin_routine(name_or_path)
    except RoutineError as exc:
        report_problems(exc)
    known = sorted({*builtin_names(), *mine})
    usage_error(
        f"no routine named '{name_or_path}' (known: {', '.join(known)}; or give a .toml path)"
    )


def report_problems(exc: RoutineError) -> NoReturn:
    count = len(exc.problems)
    for problem in exc.problems:
        typer.echo(str(problem), err=True)
    typer.echo(f"solemate: {count} problem{'s' if count != 1 else ''} found.", err=True)
    sys.stderr.flush()
    raise typer.Exit(1)
