"""Reading keys from the terminal without Enter, including the arrows and Page keys pedals send."""

from __future__ import annotations

import os
import select
import sys
import termios
import threading
import tty
from collections.abc import Callable
from typing import Any

from solemate.live.commands import KEYS, Command

_PREFIXES = {seq[:i] for seq in KEYS for i in range(1, len(seq))}


def parse(buffer: str) -> tuple[list[Command], str]:
    """Split typed characters into commands; returns the commands and an unfinished escape sequence.

    >>> parse(" \\x1b[C+q")
    ([<Command.TOGGLE: 'toggle'>, <Command.NEXT: 'next'>, <Command.MORE: 'more'>, <Command.QUIT: 'quit'>], '')
    >>> parse("\\x1b[")
    ([], '\\x1b[')
    """
    commands: list[Command] = []
    i = 0
    while i < len(buffer):
        for length in (4, 3, 2, 1):
            chunk = buffer[i : i + length]
            if len(chunk) == length and chunk in KEYS:
                commands.append(KEYS[chunk])
                i += length
                break
        else:
            rest = buffer[i:]
            if rest in _PREFIXES:
                return commands, rest
            i += 1  # an unknown key: ignore it
    return commands, ""


class KeyReader:
    """Reads the terminal in cbreak mode on a thread and hands each command to ``deliver``."""

    def __init__(self, deliver: Callable[[Command], None], fd: int | None = None) -> None:
        self.deliver = deliver
        self.fd = sys.stdin.fileno() if fd is None else fd
        self._saved: list[Any] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="solemate-keys", daemon=True)

    def __enter__(self) -> KeyReader:
        self._saved = termios.tcgetattr(self.fd)
        # TCSANOW keeps keys typed before the reader started (the default, TCSAFLUSH, drops
        # them): they were typed after the last question, so they are for the session.
        tty.setcbreak(self.fd, termios.TCSANOW)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=1)
        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            # Keys still waiting were meant for the session: the next question must not read them.
            termios.tcflush(self.fd, termios.TCIFLUSH)

    def _run(self) -> None:
        pending = ""
        while not self._stop.is_set():
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if not ready:
                if pending:  # a lone Escape, not the start of a sequence
                    pending = ""
                continue
            data = os.read(self.fd, 64)
            if not data:
                return
            commands, pending = parse(pending + data.decode("utf-8", "ignore"))
            for command in commands:
                self.deliver(command)
