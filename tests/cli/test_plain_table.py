"""The plain tables are what Rich prints to a file, character for character, or they step aside."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from rich.console import Console

from solemate.cli.journal_table import EMPTY, build_view, journal_tables, rich_page
from solemate.cli.journal_views import JournalView
from solemate.cli.plain_table import PAGE_WIDTH, Table, plain_page, plain_width
from solemate.journal import Journal
from tests.journal.builders import fill

ALPHABET = "abcXYZ019 .,:;'\"()[]/-+*#%&=?!_éüßøÆ–—→×°·µ"
OTHER = ["日本", "e\u0301", "\u200b", "\t", "😀", "\xad", "a  b", " lead", "trail "]


def _rich(tables: list[Table], width: int) -> str:
    out = io.StringIO()
    rich_page(Console(file=out, width=width), tables)
    return out.getvalue()


def _cell(rng: random.Random, longest: int) -> str:
    words = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 8))) for _ in range(4)]
    return " ".join(w.strip() for w in words if w.strip())[: rng.randint(0, longest)].strip()


def _tables(rng: random.Random, longest: int) -> list[Table]:
    tables: list[Table] = []
    for _ in range(rng.randint(1, 4)):
        names = [rng.choice(["id>", "when", "text", "SE %>", "stress", "x"]) for _ in range(5)]
        rows = [[_cell(rng, longest) for _ in names] for _ in range(rng.randint(1, 6))]
        title = rng.choice(["Notes", "Sessions", "Stress ratings (0–10)", "A long title " * 3])
        tables.append((title.strip(), "|".join(names[: rng.randint(1, 5)]), rows))
    return [(t, c, [r[: len(c.split("|"))] for r in rows]) for t, c, rows in tables]


@pytest.mark.parametrize("seed", range(300))
def test_same_as_rich_or_none(seed: int) -> None:
    rng = random.Random(seed)
    tables = _tables(rng, longest=rng.choice([3, 12, 40]))
    width = rng.choice([PAGE_WIDTH, 200])
    plain = plain_page(tables, width)
    if plain is not None:
        assert plain == _rich(tables, width)


def test_draws_most_journal_tables() -> None:
    drawn = sum(plain_page(_tables(random.Random(s), 12)) is not None for s in range(100))
    assert drawn > 30  # the comparisons above are not all skipped


@pytest.mark.parametrize("odd", OTHER)
def test_steps_aside_for_what_rich_may_draw_otherwise(odd: str) -> None:
    assert plain_page([("Notes", "id>|text", [["1", f"x{odd}"]])]) is None or odd.strip() != odd


def test_steps_aside_for_a_table_wider_than_the_page() -> None:
    assert plain_page([("Notes", "id>|text", [["1", "word " * 30]])]) is None
    assert plain_page([("A title longer than its table", "id>", [["1"]])]) is None


def test_the_journal_tables_of_a_view_match_rich() -> None:
    row = {"id": 1, "written_at": "2024-03-01T22:10:00+01:00", "session": None}
    view = JournalView([], [], [], [], [{**row, "text": "calm [bold]evening[/] \x1b"}])
    tables = journal_tables(view)
    assert tables[0][2] == [["1", "2024-03-01 22:10", "", "calm [bold]evening[/] \\x1b"]]
    assert plain_page(tables) == _rich(tables, PAGE_WIDTH)
    assert _rich([], PAGE_WIDTH) == EMPTY + "\n"


@pytest.mark.parametrize("last", [1, 2, 14, None])
def test_a_filled_journal_is_drawn_as_rich_draws_it(data_dir: Path, last: int | None) -> None:
    with Journal(f"sqlite:///{data_dir / 'filled.sqlite3'}") as journal:
        fill(journal)
        journal.add_note("a note with [brackets] and an æ")
        tables = journal_tables(build_view(journal, last))
    assert len(tables) == 5
    plain = plain_page(tables)
    if last is None or last > 2:
        assert plain is None  # a note with an emoji, two cells wide: Rich lays it out
    else:
        assert plain == _rich(tables, PAGE_WIDTH)


class _Out(io.StringIO):
    def __init__(self, tty: bool, encoding: str = "utf-8") -> None:
        super().__init__()
        self.tty, self._encoding = tty, encoding

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding

    def isatty(self) -> bool:
        return self.tty


def test_plain_only_where_rich_would_write_plain_text() -> None:
    assert plain_width(_Out(tty=False), {}) == PAGE_WIDTH
    assert plain_width(_Out(tty=True), {}) is None
    assert plain_width(_Out(tty=False, encoding="ascii"), {}) is None
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        assert plain_width(_Out(tty=False), {name: "1"}) is None
