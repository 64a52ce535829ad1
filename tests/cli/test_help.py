"""Every command's ``--help``: flags take no value, so none shows a type beside it."""

from __future__ import annotations

from collections.abc import Iterator

import typer
from typer.testing import CliRunner

from solemate.cli.app import app


def command_paths(command: object, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from command_paths(sub, (*path, name))


def test_no_flag_shows_a_type_and_options_that_take_a_value_do(cli: CliRunner) -> None:
    paths = list(command_paths(typer.main.get_command(app)))
    assert len(paths) > 30, paths  # every command and group, the root among them
    for path in paths:
        result = cli.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "<bool>" not in result.output, (path, result.output)
        assert "Show this message and exit." in result.output, path
    plan = cli.invoke(app, ["plan", "--help"]).output
    assert "<float>" in plan  # --minutes takes a number and says so
    assert "<left|right>" in plan


def test_a_usage_mistake_points_at_the_commands_own_help(cli: CliRunner) -> None:
    for args, help_of in (
        (["plan", "--minutes", "0"], "solemate plan"),
        (["log", "sleep", "--date", "tomorrow"], "solemate log sleep"),
        (["plan", "--minutes", "abc"], "solemate plan"),  # found by Typer itself: the same words
    ):
        result = cli.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert f"Try '{help_of} -h' for help." in result.stderr, result.stderr
