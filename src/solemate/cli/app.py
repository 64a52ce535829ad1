"""The Typer application: each command group lives in a module of its own and registers here."""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer import _click  # typer ships its own click; its Context is the one invoke takes
from typer.core import TyperGroup

from solemate import __version__


class _Commands(TyperGroup):
    """Every command: a journal that cannot be read or written ends it with one line, no traceback.

    Commands catch the refusals they expect (a bad entry, a refused import); a journal in trouble
    (a full disk, a read-only folder, a damaged file) can strike any of them, so it is answered
    here once, with the journal's own words, which say what to do.
    """

    def invoke(self, ctx: _click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            # Not imported unless a command used the journal: only then can this be its error.
            records = sys.modules.get("solemate.journal.records")
            if records is None or not isinstance(exc, records.JournalError):
                raise
            from solemate.cli.common import fail

            fail(str(exc))


app = typer.Typer(
    cls=_Commands,
    name="solemate",
    help="A hands-free, spoken foot-massage coach for stress reduction and sleep, with a sleep journal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"solemate {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version."
    ),
) -> None:
    """solemate: foot massage, spoken and timed, and a journal of what it does for your sleep."""


_registered = False


def _register() -> None:
    # Imported here so that each command module can import `app` from this one.
    global _registered
    if _registered:
        return
    _registered = True
    from solemate.cli import (
        guide_commands,
        insights_commands,
        journal_commands,
        plan_commands,
        render_commands,
        routine_commands,
        voice_commands,
    )

    for module in (plan_commands, routine_commands, guide_commands, render_commands):
        module.register(app)
    voice_commands.register(app)
    insights_commands.register(app)
    journal_commands.register(app)
    from solemate.cli import serve_commands

    serve_commands.register(app)


def run(args: list[str]) -> None:
    _register()
    app(args=args, prog_name="solemate")
