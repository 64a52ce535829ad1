"""What the web app needs to know when it is built: the journal, who may connect, and limits.

The command line (``solemate serve``) turns its flags into a :class:`WebConfig`; tests build one
directly. Nothing here reads the environment: the shell decides, the app only obeys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

#: Host names a loopback server answers to. Any other Host header is refused, so a web page
#: elsewhere cannot reach the journal through a DNS name that it points at 127.0.0.1 (DNS rebinding).
LOOPBACK_HOSTS: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")

#: Request bodies larger than this are refused before they are read (a diary entry is ~300 bytes).
MAX_BODY_BYTES = 64 * 1024

#: Except for importing a journal export, which may hold years of nights.
MAX_IMPORT_BYTES = 16 * 1024 * 1024


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class WebConfig:
    """How to build the app.

    ``allowed_hosts`` None means any Host (a server opened to the local network, where the
    passphrase is what keeps others out); ``require_login`` turns the passphrase check on.
    ``auth_refresh_seconds`` bounds how long a changed passphrase takes to sign out the browsers
    of a running server (the cookie check re-reads it at most that often). ``test_clock`` lets the player honour ``?speed=`` so a browser test can run a whole session in
    seconds; a real server never sets it.
    """

    data_dir: Path
    database_url: str | None = None
    routine: str = "evening"
    allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS
    require_login: bool = False
    auth_refresh_seconds: float = 1.0
    test_clock: bool = False
    speech_cache_dir: Path | None = None
    voice: str | None = None
    """The voice of the cue files (a name ``resolve_voice`` knows); None: the default voice."""
    prepare_at_start: bool = False
    """Have the voice say tonight's likely sessions ahead, in the background, when the server
    starts (``solemate serve``), so a person rarely waits for the first cue."""
    clock: Callable[[], datetime] = field(default=utc_now)
    max_body_bytes: int = MAX_BODY_BYTES
    max_import_bytes: int = MAX_IMPORT_BYTES
