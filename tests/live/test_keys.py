"""The session's key reader in a real (pseudo-)terminal."""

from __future__ import annotations

import os
import pty
import queue
import termios

from solemate.live.commands import Command
from solemate.live.keys import KeyReader


def test_a_key_typed_before_the_session_starts_reaches_it() -> None:
    """ "q" typed as the session's screen appears, before the reader switched the terminal out of
    line mode, still ends the session (it used to be dropped by the switch)."""
    main, child = pty.openpty()
    try:
        os.write(main, b"q")
        delivered: queue.Queue[Command] = queue.Queue()
        with KeyReader(delivered.put, fd=child):
            assert delivered.get(timeout=10) == Command.QUIT
        assert termios.tcgetattr(child)[3] & termios.ICANON  # line mode again afterwards
    finally:
        os.close(main)
        os.close(child)


def test_keys_typed_during_the_session_arrive_in_order() -> None:
    main, child = pty.openpty()
    try:
        delivered: queue.Queue[Command] = queue.Queue()
        with KeyReader(delivered.put, fd=child):
            os.write(main, b" \x1b[C+q")
            got = [delivered.get(timeout=10) for _ in range(4)]
        assert got == [Command.TOGGLE, Command.NEXT, Command.MORE, Command.QUIT]
    finally:
        os.close(main)
        os.close(child)
