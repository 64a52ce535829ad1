"""The Typer application: each command group lives in a module of its own and registers here."""

from __future__ import annotations

import typer

from solemate import __version__

app = typer.Typer(
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
