"""`solemate remind`: the nightly reminder as an iCalendar file any calendar app imports.

Parse the options (:mod:`solemate.reminders`), check ``-o`` with the output guard, ask
:mod:`solemate.reminder_service` for the reminder and write :mod:`solemate.reminder_calendar`'s
file. ``--at``, ``--days`` and ``--clear`` change the person's saved reminder
(``journal/reminder_preferences.py``), which the web app's calendar feed serves too. Bad input is
one line naming the option, exit 2, before the journal is opened.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import TYPE_CHECKING

import typer

from solemate.cli.common import DATABASE, PERSON, fail, open_journal, settings
from solemate.cli.outputs import default_journal_file, problem
from solemate.reminders import ReminderError, parse_at, parse_days

if TYPE_CHECKING:
    from solemate.tonight import Planner

STDOUT = "-"


def register(app: typer.Typer) -> None:
    @app.command("remind")
    def remind_command(
        output: str | None = typer.Option(
            None, "--output", "-o", help="The .ics file to write ('-': standard output)."
        ),
        at: str | None = typer.Option(
            None,
            "--at",
            help="Time of the reminder, HH:MM, saved for the person (default: the saved time, "
            "else suggested from your sleep diary).",
        ),
        days: str | None = typer.Option(
            None,
            "--days",
            help="mon,tue,…, or daily, weekdays, weekends; saved for the person (default: the "
            "saved days, else daily).",
        ),
        clear: bool = typer.Option(
            False, "--clear", help="Forget the saved time and days: the suggestion, daily."
        ),
        person: str | None = PERSON,
        database: str | None = DATABASE,
    ) -> None:
        """A nightly reminder for your calendar app (an iCalendar file that repeats).

        --at and --days are saved, and the web app's calendar feed follows them.
        """
        from pathlib import Path

        try:
            chosen_at = None if at is None else parse_at(at)
            chosen_days = None if days is None else parse_days(days)
        except ReminderError as exc:
            fail(str(exc), 2)
        changing = at is not None or days is not None
        if clear and changing:
            fail(
                "--clear: returns to the suggested time, daily; give it without --at and --days", 2
            )
        if output is None and not changing and not clear:
            fail(
                "-o: give -o FILE.ics to write the reminder, --at/--days to save a time, "
                "or --clear",
                2,
            )
        target = None if output in (None, STDOUT) else Path(output)
        if target is not None:
            reason = problem(target, default_journal_file(database))
            if reason is not None:
                fail(f"-o {_shown(target)}: {reason}", 2)

        from solemate.cli.transfer_commands import write_private
        from solemate.journal import JournalError
        from solemate.journal.reminder_preferences import KEEP, clear_reminder, save_reminder
        from solemate.reminder_calendar import calendar_bytes, describe
        from solemate.reminder_service import nightly_minutes, plan_reminder

        now = dt.datetime.now(dt.UTC)
        whose = person if person is not None else settings().person
        with open_journal(database) as journal:
            try:
                if clear:
                    clear_reminder(journal, whose)
                elif changing:
                    save_reminder(
                        journal,
                        whose,
                        at=KEEP if chosen_at is None else chosen_at,
                        days=KEEP if chosen_days is None else chosen_days,
                    )
                planned = plan_reminder(
                    journal,
                    person=whose,
                    at=None,
                    session_minutes=nightly_minutes(_planner()),
                    now=now,
                    fallback_zone=_machine_zone(),
                )
            except JournalError as exc:
                if exc.field != "person":
                    raise
                fail(f"--person: {exc.message}", 2)
        reminder = planned.reminder
        if clear or changing:
            done = "Back to the suggestion" if clear else "Saved"
            typer.echo(  # "for me", not "me's": the journal's first person is named "me"
                f"{done}: the reminder for {reminder.person} is {describe(reminder)}; "
                "the calendar feed follows it.",
                err=output == STDOUT,
            )
        if planned.suggestion is not None:
            typer.echo(f"solemate: no --at given. {planned.suggestion.reason}", err=True)
        if output is None:
            return
        data = calendar_bytes(reminder, now)
        if target is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return
        write_private(target, data)
        typer.echo(
            f"Wrote {_shown(target)}: {describe(reminder)}. Import it into your calendar app; "
            "importing a newer file updates the same event."
        )


def _planner() -> Planner:
    from solemate.routine import builtin_routine
    from solemate.tonight import Planner

    return Planner(builtin_routine("evening"))


def _machine_zone() -> str:
    from solemate.cli.diary_commands import local_zone

    return local_zone()


def _shown(path: object) -> str:
    """A path as it can be printed: a name that is not UTF-8 keeps its odd bytes escaped."""
    return str(path).encode("utf-8", "backslashreplace").decode("utf-8")
