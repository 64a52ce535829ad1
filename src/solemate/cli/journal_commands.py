"""The journal on screen: `solemate journal` lists sessions, stress ratings, the sleep diary and
device estimates as tables, JSON or CSV (the tables are built in `journal_table`)."""

from __future__ import annotations

import json

import typer

from solemate.cli.common import DATABASE, PERSON, open_for_reading
from solemate.cli.journal_table import Format, build_view, print_tables
from solemate.cli.journal_views import union_csv

# --- commands -----------------------------------------------------------------------------------


def register(app: typer.Typer) -> None:
    @app.command("journal")
    def journal_command(
        last: int = typer.Option(
            14, "--last", min=1, max=1_000_000, help="Show the most recent N of each kind."
        ),
        show_all: bool = typer.Option(False, "--all", help="Show everything."),
        output_format: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
        database: str | None = DATABASE,
        person: str | None = PERSON,
    ) -> None:
        """Your sessions, stress ratings, sleep diary and device estimates, newest last."""
        with open_for_reading(database, person) as journal:
            journal.check_sound()  # a damaged page would otherwise just leave rows out
            view = build_view(journal, None if show_all else last)
        if output_format is Format.json:
            typer.echo(json.dumps(view.sections(), ensure_ascii=False, indent=1))
        elif output_format is Format.csv:
            typer.echo(union_csv(view), nl=False)
        else:
            print_tables(view)
