"""The Typer application: each command group lives in a module of its own and registers here."""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer import _click  # typer ships its own click; its Context is the one invoke takes
from typer.core import TyperGroup, TyperOption

from solemate import __version__


class _Commands(TyperGroup):
    """Every command: a journal that cannot be read or written ends it with one line, no traceback.

    Commands catch the refusals they expect (a bad entry, a refused import); a journal in trouble
    (a full disk, a read-only folder, a damaged file) can strike any of them, so it is answered
    here once, with the journal's own words, which say what to do.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _untyped_flags(self)

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


HELP_NAMES = ["-h", "--help"]


def _untyped_flags(command: _click.Command) -> None:
    """No type beside a flag in ``--help``: a flag takes no value, but Typer's rich help writes
    ``<bool>`` beside each one (its plain help leaves it out), which reads as if ``--nightly``
    wanted ``true`` after it. For ``command``, its help option and every command under it."""
    ctx = _click.Context(command, help_option_names=HELP_NAMES)
    for param in [*command.params, command.get_help_option(ctx)]:
        if isinstance(param, TyperOption) and param.is_flag:
            param.metavar = ""
    for sub in getattr(command, "commands", {}).values():
        _untyped_flags(sub)


app = typer.Typer(
    cls=_Commands,
    name="solemate",
    help="A hands-free, spoken foot-massage coach for stress reduction and sleep, with a sleep journal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": HELP_NAMES},
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
    from solemate.cli.common import forget_settings

    forget_settings()  # read on first use, as they are for this run (see cli/common.py)


#: Each command module with the top-level commands it registers, in the order --help lists them.
_MODULES: dict[str, tuple[str, ...]] = {
    "plan_commands": ("plan",),
    "routine_commands": ("routine",),
    "guide_commands": ("guide", "safety"),
    "render_commands": ("render",),
    "voice_commands": ("voices",),
    "insights_commands": ("insights", "experiment"),
    "diary_commands": ("log",),
    "journal_commands": ("journal",),
    "edit_commands": ("edit", "delete"),
    "transfer_commands": ("export", "import", "backup", "forget"),
    "serve_commands": ("serve",),
    "remind_commands": ("remind",),
    "settings_commands": ("settings",),
    "person_commands": ("person", "people"),
}
_registered: set[str] = set()


def _register(command: str | None = None) -> None:
    """Register the module holding ``command``, or every module when it is None or unknown.

    A command imports only its own module (and what that needs), which keeps everyday commands
    quick to start; --help, a mistyped command and the tests see every command.
    """
    from importlib import import_module

    wanted = [m for m, names in _MODULES.items() if command in names] or list(_MODULES)
    for name in wanted:
        if name not in _registered:
            _registered.add(name)
            import_module(f"solemate.cli.{name}").register(app)


def run(args: list[str]) -> None:
    _register(args[0] if args else None)
    app(args=args, prog_name="solemate")
