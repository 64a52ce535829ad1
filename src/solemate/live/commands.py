"""What a person can ask of a running session, and the keys that ask it."""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    TOGGLE = "toggle"  # pause or resume
    PAUSE = "pause"
    RESUME = "resume"
    NEXT = "next"
    REPEAT = "repeat"
    MORE = "more"  # 30 s more for the current step
    LESS = "less"  # 30 s less
    FULL = "full"  # full explanations instead of brief cues, for the rest of the session
    QUIT = "quit"


# Keyboard sequences, including what Bluetooth page-turner pedals send (arrows and Page Up/Down).
KEYS: dict[str, Command] = {
    " ": Command.TOGGLE,
    "p": Command.TOGGLE,
    "\x1b[C": Command.NEXT,  # right arrow
    "\x1bOC": Command.NEXT,
    "\x1b[6~": Command.NEXT,  # Page Down
    "\x1b[B": Command.NEXT,  # down arrow (some pedals)
    "n": Command.NEXT,
    "\x1b[D": Command.REPEAT,  # left arrow
    "\x1bOD": Command.REPEAT,
    "\x1b[5~": Command.REPEAT,  # Page Up
    "\x1b[A": Command.REPEAT,  # up arrow (some pedals)
    "r": Command.REPEAT,
    "+": Command.MORE,
    "=": Command.MORE,
    "-": Command.LESS,
    "_": Command.LESS,
    "f": Command.FULL,
    "F": Command.FULL,
    "q": Command.QUIT,
    "Q": Command.QUIT,
    "\x03": Command.QUIT,  # Ctrl-C in raw mode
}

SHIFT_SECONDS = 30
