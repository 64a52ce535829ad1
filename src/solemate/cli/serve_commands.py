"""`solemate serve`: the bedside web app on this computer, or on the local network for a phone."""

from __future__ import annotations

import errno
import socket
import threading
import webbrowser
from pathlib import Path

import typer

from solemate.cli.common import (
    DATABASE,
    database_problem,
    fail,
    open_journal,
    settings,
    usage_error,
)


def _is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def _url_host(host: str) -> str:
    """The address as it goes in a URL: IPv6 in brackets; the wildcards as this machine's own
    loopback, which a browser here can open."""
    if host == "0.0.0.0":
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _lan_address() -> str:
    """An address a phone on the same network can use: this machine's first non-loopback IPv4."""
    try:
        found = sorted(
            {
                str(info[4][0])
                for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
                if not str(info[4][0]).startswith("127.")
            }
        )
    except OSError:
        found = []
    return found[0] if found else f"{socket.gethostname()}.local"


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                fail(f"port {port} is already in use on {host}: choose another with --port")
            fail(f"cannot listen on {host}:{port}: {error.strerror or error}")


def _check_certificate(cert: Path, key: Path) -> None:
    """Load the pair now, so a wrong file is named before the server starts."""
    import ssl

    for option, path in (("--cert", cert), ("--key", key)):
        if not path.is_file():
            fail(f"{option}: {path} is not a file")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except (ssl.SSLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or getattr(error, "strerror", None) or error
        fail(f"--cert/--key: cannot use {cert} with {key}: {reason}")


def _set_passphrase(database: str | None, person: str | None) -> None:
    from solemate.web.passphrase_strength import MIN_LENGTH, weakness
    from solemate.web.sign_in import set_passphrase, set_person_passphrase

    if person is not None:
        with open_journal(database) as journal:
            if not any(p.name.casefold() == person.casefold() for p in journal.people()):
                fail(f"--person: no person called {person!r} (see `solemate person list`)", code=2)
    passphrase = typer.prompt(
        f"New passphrase (at least {MIN_LENGTH} characters; a few unrelated words)",
        hide_input=True,
        confirmation_prompt=True,
    )
    problem = weakness(passphrase)
    if problem is not None:
        fail(problem)
    if person is not None:
        from solemate.names import possessive

        with open_journal(database) as journal:
            set_person_passphrase(journal, person, passphrase)
        typer.echo(
            f"{possessive(person, starts_sentence=True)} own passphrase set: signing in with it "
            f"shows {possessive(person)} pages only. "
            "The household's passphrase still works."
        )
        return
    with open_journal(database) as journal:
        set_passphrase(journal, passphrase)
    typer.echo(
        "Passphrase set (only its hash is kept, in the journal). Every phone paired before is "
        "signed out now, on running servers too, and must pair again."
    )


def _pairing_code(url: str) -> None:
    import segno

    typer.echo("Scan this code with the phone's camera to pair it (works once, for 10 minutes):\n")
    segno.make(url, error="m").terminal(compact=True)
    typer.echo(
        f"\nor open {url} on the phone (once), or {url.rsplit('/pair/', 1)[0]}/ and give the passphrase."
    )


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_command(
        host: str = typer.Option(
            "127.0.0.1",
            "--host",
            help="Address to listen on. 0.0.0.0 opens it to your network (needs a passphrase).",
        ),
        port: int = typer.Option(8765, "--port", help="Port to listen on."),
        open_browser: bool = typer.Option(False, "--open", help="Open the page in your browser."),
        set_passphrase: bool = typer.Option(
            False, "--set-passphrase", help="Set the passphrase for --host 0.0.0.0, then exit."
        ),
        person: str | None = typer.Option(
            None,
            "--person",
            help="With --set-passphrase: set this person's own passphrase (a household), "
            "beside the household's.",
        ),
        cert: Path | None = typer.Option(
            None,
            "--cert",
            help="A TLS certificate (PEM) the phone trusts: serves https, which a phone needs "
            "to keep the screen awake, install the app and play offline.",
        ),
        key: Path | None = typer.Option(None, "--key", help="The certificate's private key (PEM)."),
        database: str | None = DATABASE,
    ) -> None:
        """The bedside web app: tonight's guided session, the morning diary and the journal."""
        chosen = settings()
        if set_passphrase:
            _set_passphrase(database, person)
            return
        if person is not None:
            usage_error("--person goes with --set-passphrase (a person's own passphrase)")
        if not 1 <= port <= 65535:
            usage_error(f"--port must be 1–65535, got {port}")
        if (cert is None) != (key is None):
            usage_error("give --cert and --key together (the certificate and its private key)")
        if cert is not None and key is not None:
            _check_certificate(cert, key)
        scheme = "https" if cert is not None else "http"

        import uvicorn

        from solemate.web import LOOPBACK_HOSTS, WebConfig, create_app
        from solemate.web.memory import keep_giving_back, return_large_blocks
        from solemate.web.passphrase import PassphraseError
        from solemate.web.sign_in import NoPassphrase

        loopback = _is_loopback(host)
        _check_port_free(host, port)
        return_large_blocks()  # before the first track is rendered (see solemate.web.memory)
        keep_giving_back()
        config = WebConfig(
            data_dir=chosen.data_dir,
            database_url=database or chosen.database_url,
            voice=chosen.voice,
            allowed_hosts=LOOPBACK_HOSTS if loopback else None,
            require_login=not loopback,
            prepare_at_start=True,
        )
        try:
            web_app = create_app(config)
        except NoPassphrase:
            fail(
                f"--host {host} opens solemate to your network: first set a passphrase with "
                "'solemate serve --set-passphrase'"
            )
        except PassphraseError as error:
            fail(str(error))
        except Exception as error:  # a bad database URL or an unreachable server: say which
            fail(
                database_problem(
                    config.database_url, "cannot start: cannot open the journal", error
                )
            )
        sign_in = web_app.state.services.auth
        pairing = None if sign_in is None else sign_in.new_pairing_code()

        url = f"{scheme}://{_url_host(host)}:{port}/"
        typer.echo(f"solemate is running at {url}  (Ctrl-C to stop)")
        if pairing is not None:
            address = _lan_address() if host in ("0.0.0.0", "::") else _url_host(host)
            typer.echo(f"On your network: {scheme}://{address}:{port}/")
            if cert is None:
                typer.echo(
                    "Over plain http a phone's browser will not keep the screen awake, install the "
                    "app or play offline; serve with --cert and --key (a certificate it trusts) "
                    "for those."
                )
            _pairing_code(f"{scheme}://{address}:{port}/pair/{pairing}")
        if open_browser:
            threading.Timer(0.8, webbrowser.open, args=(url,)).start()
        uvicorn.run(
            web_app,
            host=host,
            port=port,
            log_level="warning",
            server_header=False,
            timeout_keep_alive=30,
            ssl_certfile=str(cert) if cert is not None else None,
            ssl_keyfile=str(key) if key is not None else None,
        )
