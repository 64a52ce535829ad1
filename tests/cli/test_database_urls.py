"""A database URL shown in a message never shows its password, from --database or the environment."""

from __future__ import annotations

import doctest
import socket

import pytest
from typer.testing import CliRunner

from solemate.cli.app import app
from solemate.journal import engine

SECRET = "S3cretPW"
URLS = [
    f"postgresql://postgres:{SECRET}@127.0.0.1:1/x",  # nothing listens
    f"postgresql://postgres:{SECRET}@127.0.0.1:5432/no_such_database",
    f"postgresql://postgres:{SECRET}@[::1/x",  # cannot be parsed
    f"nosuchdriver://someone:{SECRET}@host/x",
    f"postgresql://postgres:{SECRET}%2F@127.0.0.1:1/x",  # a quoted character in it
]


def _port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


COMMANDS = [["journal"], ["log", "note", "hello"], ["insights"], ["export"], ["serve", "--port"]]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0] + ("-" + c[1] if c[1:2] else ""))
@pytest.mark.parametrize("source", ["flag", "environment"])
def test_the_password_is_masked(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, url: str, command: list[str], source: str
) -> None:
    args = [*command, _port()] if command[-1] == "--port" else list(command)
    if source == "flag":
        args += ["--database", url]
    else:
        monkeypatch.setenv("SOLEMATE_DATABASE_URL", url)
    result = cli.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert SECRET not in result.output
    assert "***" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_worked_examples() -> None:
    result = doctest.testmod(engine)
    assert result.attempted > 0
    assert result.failed == 0
