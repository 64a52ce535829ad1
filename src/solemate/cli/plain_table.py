"""`solemate journal`'s tables for a file or a pipe, drawn as Rich draws them, without Rich.

Importing Rich takes longer than everything else `solemate journal --last 30` does. When the
output is not a terminal Rich adds no styles, and a table that fits the width is plain text: the
cells padded to their column, two spaces apart, a rule under the header, the title above. This
module draws exactly that, and answers None whenever Rich might draw something else (a terminal,
an environment that tells Rich otherwise, a character whose width on screen is not one cell,
spaces Rich might fold, a table or title wider than the page); the caller then asks Rich. A test
compares both, character for character, over many tables.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

__all__ = ["Table", "plain_page", "plain_width"]

#: title, columns ("|"-separated; a name ending in ">" is right-aligned), rows of cells.
Table = tuple[str, str, Sequence[Sequence[str]]]

#: The width Rich gives a file or pipe at least (``print_tables`` widens it to this).
PAGE_WIDTH = 120
_GAP = "  "  # a column's right padding, then SIMPLE_HEAD's blank vertical line
_RULE = "─"
#: The characters one cell wide on screen for Rich (printable ASCII, Latin letters and signs but
#: the soft hyphen, dashes and quotes, arrows); a cell holding any other is left to Rich. Checked
#: character by character: a regular expression over these ranges took 0.6 ms to compile.
_ONE_CELL = ((0x20, 0x7E), (0xA1, 0xAC), (0xAE, 0x2FF), (0x2010, 0x2027), (0x2190, 0x21FF))


def _one_cell(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _ONE_CELL)


def plain_width(out: TextIO | None = None, environ: Mapping[str, str] | None = None) -> int | None:
    """The page width when Rich would write ``out`` as plain, unstyled text; None otherwise."""
    out = sys.stdout if out is None else out
    env = os.environ if environ is None else environ
    if any(name in env for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")):
        return None
    if not (getattr(out, "encoding", None) or "").lower().startswith("utf"):
        return None  # Rich would swap the rule for ASCII
    isatty = getattr(out, "isatty", None)
    try:
        if isatty is None or isatty():
            return None
    except ValueError:
        return None
    return PAGE_WIDTH


def plain_page(tables: Sequence[Table], width: int = PAGE_WIDTH) -> str | None:
    """The tables one after another, a blank line between, as Rich prints them at ``width``
    (at least :data:`PAGE_WIDTH`); None when Rich might lay them out differently."""
    drawn = []
    for title, columns, rows in tables:
        one = _table(title, columns, rows, width)
        if one is None:
            return None
        drawn.append(one)
    return "\n".join(drawn)


def _narrow(cell: str) -> bool:
    """Every character takes one cell on screen and Rich keeps the spacing as it is."""
    if cell != cell.strip(" ") or "  " in cell:
        return False  # Rich may fold or trim these when it fits a cell
    return (cell.isascii() and cell.isprintable()) or all(map(_one_cell, cell))


def _table(title: str, columns: str, rows: Sequence[Sequence[str]], width: int) -> str | None:
    names = [n.rstrip(">") for n in columns.split("|")]
    right = [n.endswith(">") for n in columns.split("|")]
    cells = [names, *rows]
    if not all(_narrow(c) for row in cells for c in row) or not _narrow(title):
        return None
    widths = [max(len(row[k]) for row in cells) for k in range(len(names))]
    total = sum(widths) + len(_GAP) * (len(widths) - 1)
    if total > width or len(title) > total:
        return None  # Rich would shrink or wrap the columns, or wrap the title
    lines = [title.ljust(total)]
    for number, row in enumerate(cells):
        lines.append(
            _GAP.join(
                cell.rjust(w) if r else cell.ljust(w)
                for cell, w, r in zip(row, widths, right, strict=True)
            )
        )
        if number == 0:
            lines.append(_RULE * total)
    return "\n".join(lines) + "\n"
