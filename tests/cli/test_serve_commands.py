"""`solemate serve`: loopback by default, a passphrase and a pairing code for the network."""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from solemate.cli.app import app
from solemate.journal import Journal
from solemate.journal import sign_in as store


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """uvicorn.run replaced by a recorder: the command is tested up to the point it would serve."""
    calls: list[dict[str, Any]] = []

    def fake_run(web_app: Any, **kwargs: Any) -> None:
        calls.append({"app": web_app, **kwargs})
        web_app.state.services.journal.close()

    import uvicorn

    import solemate.web.memory

    monkeypatch.setattr(uvicorn, "run", fake_run)
    # This process is a test worker: its memory is left as it is (see the test below).
    monkeypatch.setattr(solemate.web.memory, "return_large_blocks", lambda: True)
    monkeypatch.setattr(solemate.web.memory, "keep_giving_back", lambda: None)
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


def test_the_server_gives_free_memory_back_while_serving(
    cli: CliRunner, data_dir: Path, served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import solemate.web.memory

    asked: list[str] = []
    monkeypatch.setattr(
        solemate.web.memory, "return_large_blocks", lambda: asked.append("large blocks")
    )
    monkeypatch.setattr(solemate.web.memory, "keep_giving_back", lambda: asked.append("pages"))
    result = cli.invoke(app, ["serve", "--port", str(_free_port())])
    assert result.exit_code == 0, result.output
    assert asked == ["large blocks", "pages"]
    assert len(served) == 1


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
    for weak, reason in [
        ("short", "at least 10 characters (got 5)"),
        ("12345678", "at least 10 characters (got 8)"),
        (" " * 8, "must not be only spaces"),
        ("password2024", "too easy to guess"),
    ]:
        refused = cli.invoke(app, ["serve", "--set-passphrase"], input=f"{weak}\n{weak}\n")
        assert refused.exit_code == 1
        assert reason in refused.output
        assert "Traceback" not in refused.output
    assert not (data_dir / "journal.sqlite3").exists()  # nothing opened for a refused one
    done = cli.invoke(
        app, ["serve", "--set-passphrase"], input="a long passphrase\na long passphrase\n"
    )
    assert done.exit_code == 0, done.output
    assert "signed out now" in done.output
    with Journal(f"sqlite:///{data_dir / 'journal.sqlite3'}") as journal:
        stored = store.stored_passphrase(journal)
    assert stored is not None
    assert "a long passphrase" not in str(stored)

    port = _free_port()
    result = cli.invoke(app, ["serve", "--host", "0.0.0.0", "--port", str(port)])
    assert result.exit_code == 0, result.output
    assert "Scan this code" in result.output
    assert "█" in result.output or "▀" in result.output  # the QR code itself
    web_app = served[0]["app"]
    assert web_app.state.services.config.require_login is True
    found = re.search(rf":{port}/pair/(\S+)", result.output)
    assert found
    with Journal(f"sqlite:///{data_dir / 'journal.sqlite3'}") as journal:
        assert store.redeem_pairing_code(journal, found.group(1))
        assert not store.redeem_pairing_code(journal, found.group(1))


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


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost, made by Debian's openssl."""
    import shutil
    import subprocess

    exe = shutil.which("openssl")
    assert exe, "openssl is needed for this test"
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            exe,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_a_certificate_serves_https(
    cli: CliRunner, data_dir: Path, served: list[dict[str, Any]], tmp_path: Path
) -> None:
    cert, key = _certificate(tmp_path)
    port = _free_port()
    result = cli.invoke(app, ["serve", "--port", str(port), "--cert", str(cert), "--key", str(key)])
    assert result.exit_code == 0, result.output
    assert f"solemate is running at https://127.0.0.1:{port}/" in result.output
    assert (served[0]["ssl_certfile"], served[0]["ssl_keyfile"]) == (str(cert), str(key))


def test_plain_http_on_the_network_says_what_a_phone_will_miss(
    cli: CliRunner, data_dir: Path, served: list[dict[str, Any]]
) -> None:
    assert (
        cli.invoke(app, ["serve", "--set-passphrase"], input="a long passphrase\n" * 2).exit_code
        == 0
    )
    result = cli.invoke(app, ["serve", "--host", "0.0.0.0", "--port", str(_free_port())])
    assert result.exit_code == 0, result.output
    assert "will not keep the screen awake" in result.output
    assert "--cert and --key" in result.output


@pytest.mark.parametrize(
    ("which", "expected", "code"),
    [
        ("cert-only", "give --cert and --key together", 2),
        ("missing", "--cert: ", 1),
        ("garbage", "--cert/--key: cannot use", 1),
        ("swapped", "--cert/--key: cannot use", 1),
    ],
)
def test_a_bad_certificate_is_named_before_serving(
    cli: CliRunner,
    data_dir: Path,
    served: list[dict[str, Any]],
    tmp_path: Path,
    which: str,
    expected: str,
    code: int,
) -> None:
    cert, key = _certificate(tmp_path)
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"\x00\xffnot a certificate")
    args = {
        "cert-only": ["--cert", str(cert)],
        "missing": ["--cert", str(tmp_path / "nowhere.pem"), "--key", str(key)],
        "garbage": ["--cert", str(garbage), "--key", str(key)],
        "swapped": ["--cert", str(key), "--key", str(cert)],
    }[which]
    result = cli.invoke(app, ["serve", "--port", str(_free_port()), *args])
    assert result.exit_code == code
    assert expected in result.output
    assert "Traceback" not in result.output
    assert served == []


def test_https_answers_for_real(data_dir: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    import time

    import httpx

    cert, key = _certificate(tmp_path)
    port = _free_port()
    env = {**os.environ, "SOLEMATE_DATA_DIR": str(data_dir)}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "solemate",
            "serve",
            "--port",
            str(port),
            "--cert",
            str(cert),
            "--key",
            str(key),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(f"https://127.0.0.1:{port}/api/plan?minutes=12", verify=False)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "the server did not answer over https"
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.json()["format"] == "solemate.timeline/1"
    finally:
        server.terminate()
        server.wait(10)


def _sign_in(http: Any, passphrase: str) -> int:
    token = re.search(r'name="csrf_token" value="([^"]+)"', http.get("/login").text)
    assert token
    answer = http.post("/login", data={"passphrase": passphrase, "csrf_token": token.group(1)})
    return int(answer.status_code)


def test_a_new_passphrase_reaches_a_running_server(
    cli: CliRunner, data_dir: Path, tmp_path: Path
) -> None:
    """The issue's case: `serve --set-passphrase` in another terminal while a network server runs
    signs every paired browser out, refuses the old passphrase and takes the new one, no restart."""
    import os
    import subprocess
    import sys
    import time

    import httpx

    assert (
        cli.invoke(app, ["serve", "--set-passphrase"], input="first passphrase\n" * 2).exit_code
        == 0
    )
    port = _free_port()
    env = {**os.environ, "SOLEMATE_DATA_DIR": str(data_dir)}
    server = subprocess.Popen(
        [sys.executable, "-m", "solemate", "serve", "--host", "0.0.0.0", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{url}/login")
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.2)
        with httpx.Client(base_url=url) as phone, httpx.Client(base_url=url) as laptop:
            assert _sign_in(phone, "first passphrase") == 303
            assert phone.get("/api/export").status_code == 200
            changed = cli.invoke(
                app, ["serve", "--set-passphrase"], input="second passphrase\n" * 2
            )
            assert changed.exit_code == 0, changed.output
            started = time.monotonic()
            while phone.get("/api/export").status_code == 200:
                assert time.monotonic() - started < 3, "the old cookie still works"
                time.sleep(0.05)
            assert phone.get("/api/export").status_code == 401
            assert _sign_in(laptop, "first passphrase") == 403
            assert _sign_in(laptop, "second passphrase") == 303
            assert laptop.get("/api/export").status_code == 200
            assert phone.get("/api/export").status_code == 401
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=10)
    assert b"Traceback" not in errors


@pytest.mark.parametrize(
    ("host", "shown"),
    [
        ("127.0.0.1", "http://127.0.0.1:{port}/"),
        ("127.0.0.2", "http://127.0.0.2:{port}/"),
        ("::1", "http://[::1]:{port}/"),
        ("localhost", "http://localhost:{port}/"),
    ],
)
def test_the_address_printed_is_the_one_listened_on(
    cli: CliRunner, data_dir: Path, served: list[dict[str, Any]], host: str, shown: str
) -> None:
    port = _free_port()
    result = cli.invoke(app, ["serve", "--host", host, "--port", str(port)])
    assert result.exit_code == 0, result.output
    assert f"solemate is running at {shown.format(port=port)}" in result.output
    assert served[0]["host"] == host


def test_an_ipv6_network_address_is_printed_in_brackets(
    cli: CliRunner, data_dir: Path, served: list[dict[str, Any]]
) -> None:
    assert (
        cli.invoke(app, ["serve", "--set-passphrase"], input="a long passphrase\n" * 2).exit_code
        == 0
    )
    port = _free_port()
    result = cli.invoke(app, ["serve", "--host", "::", "--port", str(port)])
    assert result.exit_code == 0, result.output
    assert f"solemate is running at http://[::1]:{port}/" in result.output


def test_set_a_persons_own_passphrase(cli: CliRunner, data_dir: Path) -> None:
    from solemate.journal import household

    url = f"sqlite:///{data_dir / 'journal.sqlite3'}"
    with Journal(url) as journal:
        journal.add_person("Alex")
    unknown = cli.invoke(
        app, ["serve", "--set-passphrase", "--person", "Kim"], input="a long passphrase\n" * 2
    )
    assert unknown.exit_code == 2
    assert "--person: no person called 'Kim'" in unknown.output
    assert "Traceback" not in unknown.output
    alone = cli.invoke(app, ["serve", "--person", "Alex"])
    assert alone.exit_code == 2
    assert "--person goes with --set-passphrase" in alone.output
    with Journal(url) as journal:
        assert household.members(journal) == []
    done = cli.invoke(
        app, ["serve", "--set-passphrase", "--person", "alex"], input="a long passphrase\n" * 2
    )
    assert done.exit_code == 0, done.output
    assert "own passphrase set" in done.output
    with Journal(url) as journal:
        [alex] = household.members(journal)
        assert store.stored_passphrase(journal) is None  # the household's is its own
    assert alex.name == "Alex"
    assert alex.record is not None
    assert "a long passphrase" not in str(alex.record)
