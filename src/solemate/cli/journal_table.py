"""`solemate journal` as tables: the records shown, laid out by Rich for a terminal, and drawn
plainly (``plain_table.py``, without importing Rich) for a file or pipe, where Rich's output would
be the same plain text.

Free of Typer, so the quick path of the command line (``quick.py``) can show the journal without
building the whole application.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from solemate.cli.journal_views import (
    JournalView,
    device_row,
    diary_row,
    note_row,
    rating_row,
    session_row,
)
from solemate.cli.plain_table import Table, plain_page, plain_width
from solemate.journal.reading import ratings_by_session
from solemate.names import unnamed
from solemate.text import for_terminal

if TYPE_CHECKING:
    from solemate.journal.reading import JournalReads

__all__ = [
    "EMPTY",
    "Format",
    "build_view",
    "empty_text",
    "journal_tables",
    "print_tables",
    "rich_page",
    "short_time",
]


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def _played(session: dict[str, Any]) -> str:
    """Minutes played; "unknown" for a session that ran before played time was kept."""
    if session["played_min"] is not None:
        return f"{session['played_min']:g}"
    return "" if session["status"] in ("planned", "in progress") else "unknown"


#: What `solemate journal` says when there is nothing to show.
EMPTY = "Nothing recorded yet. 'solemate log sleep' writes this morning's diary."


def empty_text(person: str | None) -> str:
    """Nothing to show for ``person``: named unless it is the journal's unnamed first person (in a
    household the journal is not empty because one person's part is)."""
    if person is None or unnamed(person):
        return EMPTY
    import shlex

    return (
        f"Nothing recorded for {person} yet. "
        f"'solemate log sleep --person {shlex.quote(person)}' writes this morning's diary."
    )


def build_view(journal: JournalReads, last: int | None) -> JournalView:
    sessions = journal.sessions(last=last)
    of_session = ratings_by_session(journal, sessions)
    return JournalView(
        sessions=[session_row(s, of_session.get(s.id, [])) for s in sessions],
        ratings=[rating_row(r) for r in journal.ratings(last=last)],
        diary=[diary_row(r) for r in journal.diary(last=last)],
        device_nights=[device_row(n) for n in journal.device_nights(last=last)],
        notes=[note_row(n) for n in journal.notes(last=last)],
        person=journal.chosen_person,
    )


def short_time(iso: str | None) -> str:
    return "" if iso is None else iso[:16].replace("T", " ")


def _blank(value: object) -> str:
    return "" if value is None else str(value)


def _table(title: str, columns: str, rows: Sequence[Sequence[str]]) -> Any:
    """A compact Rich table; in ``columns`` a name ending in ">" is right-aligned."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    for name in columns.split("|"):
        right = name.endswith(">")
        table.add_column(
            name.rstrip(">"), justify="right" if right else "left", no_wrap=name != "text"
        )
    for row in rows:
        # Text, not str: Rich would read "[...]" in a note as markup.
        table.add_row(*(Text(cell) for cell in row))
    return table


def print_tables(view: JournalView) -> None:
    """The tables on standard output: plain when that is what Rich would print, else by Rich."""
    tables = journal_tables(view)
    width = plain_width()
    page = None if width is None else plain_page(tables, width)
    if page is not None:
        sys.stdout.write(page if tables else empty_text(view.person) + "\n")
        sys.stdout.flush()
        return
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console.width = max(console.width, 120)  # a file or pipe has no width to fit
    rich_page(console, tables, view.person)


def rich_page(console: Any, tables: Sequence[Table], person: str | None = None) -> None:
    """Print ``tables`` on a Rich ``console``, a blank line between (or say there is nothing yet)."""
    if not tables:
        console.print(empty_text(person), markup=False)
        return
    for number, (title, columns, rows) in enumerate(tables):
        if number:
            console.print()
        console.print(_table(title, columns, rows))


def journal_tables(view: JournalView) -> list[Table]:
    """The tables `solemate journal` shows: title, columns and cells (as shown) of each."""
    tables: list[Table] = []
    if view.sessions:
        rows = []
        for s in view.sessions:
            before, after = _blank(s["stress_before"]), _blank(s["stress_after"])
            stress = f"{before or '–'} → {after or '–'}" if before or after else ""
            rows.append(
                [
                    str(s["id"]),
                    short_time(s["started"]),
                    s["routine"],
                    f"{s['planned_min']:g}",
                    _played(s),
                    s["status"],
                    _blank(s["reached"]),
                    stress,
                ]
            )
        tables.append(("Sessions", "id>|started|routine|min>|played>|status|reached|stress", rows))
    if view.ratings:
        rows = [
            [
                str(r["id"]),
                short_time(r["rated_at"]),
                r["moment"],
                str(r["stress"]),
                _blank(r["relaxation"]),
                _blank(r["session"]),
            ]
            for r in view.ratings
        ]
        tables.append(("Stress ratings (0–10)", "id>|when|moment|stress>|relaxed>|session>", rows))
    if view.diary:
        rows = [
            [
                d["wake_date"],
                f"{d['into_bed']}–{d['out_of_bed']}",
                d["tried_to_sleep"],
                str(d["sol_min"]),
                f"{d['waso_min']} ({d['awakenings']}×)",
                d["final_awakening"],
                str(d["tib_min"]),
                str(d["tst_min"]),
                f"{d['se_pct']:.1f}",
                d["quality_label"],
            ]
            for d in view.diary
        ]
        tables.append(
            (
                "Sleep diary (your answers, minutes)",
                "woke|in bed|try|SOL>|WASO>|final|TIB>|TST>|SE %>|quality",
                rows,
            )
        )
    if view.device_nights:
        rows = [
            [
                str(n["id"]),
                n["wake_date"] + (" nap" if n["nap"] else ""),
                n["source"],
                f"{n['bed_start'][11:16]}–{n['bed_end'][11:16]}",
                _blank(n["tib_min"]),
                _blank(n["tst_min"]),
                _blank(n["sol_min"]),
                "" if n["se_pct"] is None else f"{n['se_pct']:.1f}",
            ]
            for n in view.device_nights
        ]
        tables.append(
            (
                "Device estimates (kept apart from the diary, minutes)",
                "id>|woke|source|in bed|TIB>|TST>|SOL>|SE %>",
                rows,
            )
        )
    if view.notes:
        rows = [
            [str(n["id"]), short_time(n["written_at"]), _blank(n["session"]), n["text"]]
            for n in view.notes
        ]
        tables.append(("Notes", "id>|when|session>|text", rows))
    # Escapes made visible; the cells are drawn as Text, so "[...]" in a note is not markup.
    return [(t, c, [[for_terminal(x) for x in row] for row in rows]) for t, c, rows in tables]
