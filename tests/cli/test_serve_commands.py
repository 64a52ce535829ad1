"""`solemate serve`: loopback by default, a passphrase and a pairing code for the network."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from solemate.cli.app import app
from solemate.web.passphrase import PASSPHRASE_FILE


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """uvicorn.run replaced by a recorder: the command is tested up to the point it would serve."""
    calls: list[dict[str, Any]] = []

    def fake_run(web_app: Any, **kwargs: Any) -> None:
        calls.append({"app": web_app, **kwargs})
        web_app.state.services.journal.close()

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return calls


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serves_on_loopback_and_prints_the_address(
    cli: CliRunner, data_dir: Path, served: list[dict[str, Any]]
) -> None:
    port = _free_port()
    result = cli.invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 0, result.output
    assert f"solemate is running at http://127.0.0.1:{port}/" in result.output
    assert served[0]["host"] == "127.0.0.1"
    assert served[0]["port"] == port


def test_the_network_needs_a_passphrase_first(
    cli: CliRunner, data_dir: Path, served: list[dict[str, Any]]
) -> None:
    result = cli.invoke(app, ["serve", "--host", "0.0.0.0", "--port", str(_free_port())])
    assert result.exit_code == 1
    assert "solemate serve --set-passphrase" in result.output
    assert served == []


def test_set_passphrase_then_pair_with_a_qr_code(
    cli: CliRunner, data_dir: Path, served: list[dict[str, Any]]
) -> None:
    short = cli.invoke(app, ["serve", "--set-passphrase"], input="short\nshort\n")
    assert short.exit_code == 1
    assert "8 to 1024 characters" in short.output
    done = cli.invoke(
        app, ["serve", "--set-passphrase"], input="a long passphrase\na long passphrase\n"
    )
    assert done.exit_code == 0, done.output
    assert (data_dir / PASSPHRASE_FILE).exists()
    assert "a long passphrase" not in (data_dir / PASSPHRASE_FILE).read_text()

    port = _free_port()
    result = cli.invoke(app, ["serve", "--host", "0.0.0.0", "--port", str(port)])
    assert result.exit_code == 0, result.output
    assert "Scan this code" in result.output
    assert "█" in result.output or "▀" in result.output  # the QR code itself
    web_app = served[0]["app"]
    token = web_app.state.services.config.pairing.value
    assert f":{port}/pair/{token}" in result.output
    assert web_app.state.services.config.require_login is True


def test_a_port_in_use_is_named(
    cli: CliRunner, data_dir: Path, served: list[dict[str, Any]]
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli.invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"port {port} is already in use" in result.output
