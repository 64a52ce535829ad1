"""Is the process that was running a session still alive?

A session is written as in progress when it starts. If its process dies (killed, crashed, the
laptop lid closed for good), nothing marks it finished, and the next open of the journal must
record it as interrupted. But another process may be running a session right now (the web page
while the command line logs a rating), and marking *that* one interrupted would be a lie. So each
session names its owner, and an owner on this machine is checked directly: the pid must exist, not
be a zombie, and (on Linux) have started at the same moment, since pids are reused. An owner on
another machine (a shared PostgreSQL) cannot be checked. Any session, whoever owns it, counts as
gone once it has written nothing for :data:`STALE_AFTER`: a web page closed mid-session leaves
its server alive, and nobody pauses a bedtime massage for six hours.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from enum import Enum
from functools import cache
from pathlib import Path

__all__ = ["STALE_AFTER", "Liveness", "current_owner", "is_stale", "owner_liveness"]

#: Silence after which a session in progress is taken to be abandoned, whoever owns it. Steps last
#: minutes at most, so six hours of silence is far beyond any pause.
STALE_AFTER = timedelta(hours=6)


class Liveness(Enum):
    ALIVE = "alive"
    DEAD = "dead"
    UNKNOWN = "unknown"


def current_owner() -> str:
    """This process as ``host pid start``, the value written into a session it runs."""
    # Looked up by pid, not cached once: a forked child is another process with its own sessions.
    return _owner(os.getpid())


@cache
def _owner(pid: int) -> str:
    return f"{socket.gethostname()} {pid} {_start_token(pid) or '-'}"


def owner_liveness(owner: str | None) -> Liveness:
    """Whether the process named by ``owner`` (from :func:`current_owner`) is still running."""
    if not owner:
        return Liveness.DEAD  # imported or written by a version that did not record owners
    parts = owner.split(" ")
    if len(parts) != 3 or not (parts[1].isascii() and parts[1].isdigit()):
        return Liveness.DEAD
    host, pid_text, token = parts
    if host != socket.gethostname() or os.name == "nt":
        # Windows: os.kill(pid, 0) would terminate the process, so it cannot probe.
        return Liveness.UNKNOWN
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return Liveness.DEAD
    except PermissionError:
        pass  # exists, owned by someone else
    now_token = _start_token(pid)
    if token != "-" and now_token is not None and now_token != token:
        return Liveness.DEAD  # the pid now belongs to another process
    if _is_zombie(pid):
        return Liveness.DEAD
    return Liveness.ALIVE


def is_stale(last_sign_of_life: datetime, now: datetime) -> bool:
    """True when a session has been silent for longer than STALE_AFTER."""
    return now - last_sign_of_life > STALE_AFTER


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of ``/proc/<pid>/stat`` after the command name (state first), or None off Linux."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may itself contain spaces or parentheses.
    return text[text.rindex(")") + 2 :].split()


@cache
def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return "?"


def _start_token(pid: int) -> str | None:
    fields = _stat_fields(pid)
    if fields is None or len(fields) < 20:
        return None
    # Field 22 of stat: start time in clock ticks since boot; with the boot id, unique forever.
    return f"{_boot_id()}:{fields[19]}"


def _is_zombie(pid: int) -> bool:
    fields = _stat_fields(pid)
    return fields is not None and fields[0] in ("Z", "X")
