"""Text for a real terminal: lines broken between words, never inside one.

A terminal breaks a line that is too long at its last column, in the middle of a word
("deep-ve" / "in"). :func:`wrapped` breaks it between words instead, at the terminal's width, before
it is printed. Output that goes to a pipe or a file is left as it is: there is no width there, and a
reader of the file (or a test) sees each sentence on one line.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from typing import TextIO

import typer

#: Narrower than this, the text is broken at this width all the same (and the terminal folds it).
MIN_COLUMNS = 20


def columns(stream: TextIO | None = None) -> int | None:
    """The columns text may fill in the terminal ``stream`` (stdout by default) writes to, or None
    for a pipe: its width less one, as a line that fills the last column makes some terminals
    wrap (and it cannot be told apart from a line the terminal cut)."""
    stream = stream or sys.stdout
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):  # a replaced or closed stream
        return None
    return max(MIN_COLUMNS, shutil.get_terminal_size().columns - 1)


def wrap(text: str, width: int, *, reserve: int = 0) -> str:
    """``text`` with each paragraph's lines broken between words to fit ``width`` columns.

    Hyphenated words stay whole ("deep-vein"); a word longer than a line is the only thing broken.
    ``reserve`` keeps that many columns free at the end of the last line (a prompt's ": " and
    the answer typed after it).
    Existing line breaks are kept.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph.strip():
            lines.append(paragraph)
            continue
        lines.extend(
            textwrap.wrap(
                paragraph,
                width=max(1, width),
                break_on_hyphens=False,
                drop_whitespace=True,
            )
        )
    if reserve and lines and len(lines[-1]) + reserve > width:
        last = textwrap.wrap(lines.pop(), width=max(1, width - reserve), break_on_hyphens=False)
        lines.extend(last)
    return "\n".join(lines)


def wrapped(text: str, *, reserve: int = 0) -> str:
    """``text`` fitted to the terminal stdout is on; unchanged when stdout is not a terminal."""
    width = columns()
    return text if width is None else wrap(text, width, reserve=reserve)


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """``typer.echo`` with the text fitted to the terminal it goes to."""
    width = columns(sys.stderr if err else sys.stdout)
    typer.echo(text if width is None else wrap(text, width), err=err, nl=nl)
