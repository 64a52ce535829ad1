"""Everyday commands answered without building the Typer application.

Typer turns every option through a pydantic adapter and imports both, which takes longer than
`solemate journal`, `insights`, `experiment today`, `status` and `report` (without ``--html``) or
`plan --nightly` need to answer. This module
recognises those commands in their plain forms (the options listed below, each given once, with a
value that is certainly valid) and calls the same functions the Typer commands call. Anything else
(help, a mistake, an option it does not know, a journal that needs more than reading) returns
False, and the Typer application answers as it always has: what the person sees is the same.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from solemate.journal.reading import ReadOnlyJournal
    from solemate.settings import Settings

__all__ = ["answer"]

Options = dict[str, str | bool]


def answer(args: Sequence[str]) -> bool:
    """Answer ``args`` on the quick path; False when the Typer application should answer."""
    _settings.cache_clear()  # read afresh for each command (the tests run many in one process)
    for words, handler in _COMMANDS.items():
        if tuple(args[: len(words)]) == words:
            try:
                return handler(args[len(words) :])
            except Exception as exc:  # a handler's fail(): Typer's Exit, raised on the error path
                from typer import Exit

                if isinstance(exc, Exit):
                    sys.exit(exc.exit_code)
                raise
    return False


def _parse(args: Sequence[str], known: dict[str, bool]) -> Options | None:
    """``--name value``, ``--name=value`` and flags (``known[name]`` is True for a flag), each at
    most once; None for anything else."""
    found: Options = {}
    rest = list(args)
    while rest:
        word = rest.pop(0)
        name, equals, value = word.partition("=")
        if name not in known or name in found:
            return None
        if known[name]:
            if equals:
                return None
            found[name] = True
            continue
        if not equals:
            if not rest:
                return None
            value = rest.pop(0)
        if not value or value.startswith("-"):
            return None
        found[name] = value
    return found


def _whole(raw: str | bool | None, low: int, high: int) -> int | None:
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit() or len(raw) > 7:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def _day(raw: str | bool | None) -> dt.date | None:
    if raw is None:
        return dt.date.today()
    try:
        day = dt.date.fromisoformat(str(raw))
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2200 else None  # Typer's path says what is wrong


@functools.cache
def _settings() -> Settings | None:
    """The settings, read once (None when they cannot be read: the Typer path says why)."""
    from solemate.settings import Settings, SettingsError

    try:
        return Settings.load()
    except SettingsError:
        return None


def _reader(options: Options) -> ReadOnlyJournal | None:
    """The journal ``--database`` or the settings name, through the driver alone, if it can be.

    SQLite's check of the file runs while the settings and the reader's modules are imported
    (``journal/opening.py``): it starts as soon as the file is known, from ``--database`` before
    the settings are read, and ``open_reader`` waits for it."""
    from solemate.journal.opening import check_file

    raw = options.get("--database")
    given = raw if isinstance(raw, str) else None
    check = None if given is None else check_file(given)
    try:
        settings = _settings()
        if settings is None:
            return None
        url = given if given is not None else settings.database_url
        if check is None:
            check = check_file(url, settings.data_dir)
        from solemate.journal.reading import open_reader

        return open_reader(url, settings.data_dir, check=check)
    finally:
        if check is not None:
            check.done()  # no thread outlives the opening, whatever happened


def _choose(reader: ReadOnlyJournal, options: Options) -> bool:
    """Choose whose lists to show (--person, else the settings' person, else the first); False,
    with the reader closed, for a name the Typer command should refuse."""
    from solemate.journal.records import JournalError

    settings = _settings()
    person = options.get("--person") or (settings.person if settings is not None else None)
    try:
        reader.choose_person(person if isinstance(person, str) else None)
    except JournalError:
        reader.close()
        return False
    return True


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _journal(args: Sequence[str]) -> bool:
    options = _parse(
        args,
        {"--last": False, "--all": True, "--format": False, "--database": False, "--person": False},
    )
    if options is None or options.get("--format", "table") not in ("table", "json", "csv"):
        return False
    last = _whole(options.get("--last", "14"), 1, 1_000_000)
    if last is None:
        return False
    reader = _reader(options)
    if reader is None:
        return False
    from solemate.cli.journal_table import build_view, print_tables

    if not _choose(reader, options):
        return False
    with reader:
        view = build_view(reader, None if options.get("--all") else last)
    output = options.get("--format", "table")
    if output == "json":
        import json

        _write(json.dumps(view.sections(), ensure_ascii=False, indent=1) + "\n")
    elif output == "csv":
        from solemate.cli.journal_views import union_csv

        _write(union_csv(view))
    else:
        print_tables(view)
    return True


def _insights(args: Sequence[str]) -> bool:
    options = _parse(
        args,
        {
            "--weeks": False,
            "--format": False,
            "--database": False,
            "--today": False,
            "--person": False,
        },
    )
    if options is None or options.get("--format", "text") not in ("text", "json"):
        return False
    weeks, day = _whole(options.get("--weeks", "6"), 1, 520), _day(options.get("--today"))
    if weeks is None or day is None:
        return False
    reader = _reader(options)
    if reader is None:
        return False
    from solemate.insights_service import insights
    from solemate.render.insights_view import insights_json, insights_text

    if not _choose(reader, options):
        return False
    with reader:
        state = insights(reader, day, weeks)
    _write(
        insights_text(state) if options.get("--format", "text") == "text" else insights_json(state)
    )
    return True


def _experiment(args: Sequence[str], say: Callable[[ReadOnlyJournal, dt.date], str | None]) -> bool:
    """An ``experiment`` command that only reads: what ``say`` writes for the chosen person on
    ``--today``; left to Typer when ``say`` has nothing (the Typer command explains why)."""
    options = _parse(args, {"--database": False, "--today": False, "--person": False})
    day = None if options is None else _day(options.get("--today"))
    if options is None or day is None:
        return False
    reader = _reader(options)
    if reader is None or not _choose(reader, options):
        return False
    with reader:
        text = say(reader, day)
    if text is None:
        return False
    _write(text)
    return True


def _tonight_line(reader: ReadOnlyJournal, day: dt.date) -> str | None:
    from solemate.experiment_tonight import tonight

    line = tonight(reader, day)
    return None if line is None else line + "\n"


def _status(reader: ReadOnlyJournal, day: dt.date) -> str | None:
    from solemate.insights import ExperimentError
    from solemate.insights_service import experiment_status
    from solemate.render.experiment_view import status_text

    try:
        return status_text(experiment_status(reader, day), day) + "\n"
    except ExperimentError:
        return None


def _report(reader: ReadOnlyJournal, day: dt.date) -> str | None:
    from solemate.insights import ExperimentError
    from solemate.insights_service import experiment_report, stop_note
    from solemate.journal.reading import latest_experiment
    from solemate.render.experiment_view import report_text

    try:
        report = experiment_report(reader, day)
    except ExperimentError:
        return None
    return report_text(report, stop_note(latest_experiment(reader)))


def _plan(args: Sequence[str]) -> bool:
    if list(args) not in ([], ["--nightly"]):
        return False
    settings = _settings()
    if settings is None:
        return False
    folder = settings.routines_dir
    if folder.is_dir() and (folder / "evening.toml").exists():
        return False  # a routine of the person's own replaces the built-in one
    from solemate.plan import PlanOptions, plan
    from solemate.render import render
    from solemate.routine import builtin_routine

    _write(render("text", plan(builtin_routine("evening"), PlanOptions(preset="nightly"))))
    return True


_COMMANDS: dict[tuple[str, ...], Callable[[Sequence[str]], bool]] = {
    ("journal",): _journal,
    ("insights",): _insights,
    ("experiment", "today"): functools.partial(_experiment, say=_tonight_line),
    ("experiment", "status"): functools.partial(_experiment, say=_status),
    ("experiment", "report"): functools.partial(_experiment, say=_report),
    ("plan",): _plan,
}
