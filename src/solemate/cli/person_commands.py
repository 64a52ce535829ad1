"""People in one journal: `solemate person add|list|rename|remove`, and `solemate people`, who gave
how many sessions to whom over the last four weeks.

The rules (names, what removing takes along) are the journal's; these commands parse, call and
say what happened.
"""

from __future__ import annotations

import datetime as dt

import typer

from solemate.cli.common import DATABASE, confirm_deletion, open_journal


def register(app: typer.Typer) -> None:
    person = typer.Typer(
        name="person",
        help="The people in this journal: a couple can keep theirs apart in one.",
        no_args_is_help=True,
    )
    app.add_typer(person)

    @person.command("add")
    def add_command(
        name: str = typer.Argument(..., help="The new person's name (1 to 40 characters)."),
        database: str | None = DATABASE,
    ) -> None:
        """Add a person; on an empty journal, the first (the default person)."""
        with open_journal(database) as journal:
            added = journal.add_person(name)
        typer.echo(f"Added {added.name}.")

    @person.command("list")
    def list_command(database: str | None = DATABASE) -> None:
        """Everyone in the journal; the default person (used without --person) is marked."""
        with open_journal(database) as journal:
            people = journal.people()
        if not people:
            typer.echo("Nobody yet: the first entry creates 'me' ('solemate person add NAME').")
        for index, one in enumerate(people):
            typer.echo(f"{one.name}{'  (default)' if index == 0 else ''}")

    @person.command("rename")
    def rename_command(
        old: str = typer.Argument(..., help="The person's name now."),
        new: str = typer.Argument(..., help="Their new name."),
        database: str | None = DATABASE,
    ) -> None:
        """Give a person another name; everything they recorded stays theirs."""
        with open_journal(database) as journal:
            renamed = journal.rename_person(old, new)
        typer.echo(f"Renamed {old} to {renamed.name}.")

    @person.command("remove")
    def remove_command(
        name: str = typer.Argument(..., help="Whom to remove."),
        yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
        database: str | None = DATABASE,
    ) -> None:
        """Delete one person and everything recorded about them; everyone else's stays.

        Sessions they gave someone else stay in the receiver's journal, as the receiver's own.
        """
        from solemate.cli.transfer_commands import counted

        with open_journal(database) as journal:
            holdings = counted(journal.person_holdings(name))
            if not yes:
                typer.echo(
                    f"This deletes {name} and {holdings or 'no entries'} from {journal.url}."
                )
                confirm_deletion(f"Remove {name}? It cannot be undone")
            removed = journal.remove_person(name)
        typer.echo(
            f"Removed {removed.name} ({holdings or 'no entries'}). "
            "Sessions they gave others stay with the receivers. Backups you made are not touched."
        )

    @app.command("people")
    def people_command(
        today: dt.datetime | None = typer.Option(
            None, "--today", formats=["%Y-%m-%d"], help="Count up to this date (YYYY-MM-DD)."
        ),
        database: str | None = DATABASE,
    ) -> None:
        """Who gave how many sessions to whom over the last four weeks (a count, not a score)."""
        from solemate.insights.couple import couple_line, who_gave
        from solemate.insights_service import journal_zone

        with open_journal(database) as journal:
            zone = journal_zone(journal)
            day = today.date() if today else dt.datetime.now(zone).date()
            rows = who_gave(journal.sessions(everyone=True), day, zone)
        if not rows:
            typer.echo("No sessions in the last four weeks.")
        for row in rows:
            typer.echo(couple_line(row))
