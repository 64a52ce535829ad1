"""Template copies a finished test used come back empty for the next, or not at all."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from solemate.journal import Journal
from tests.journal.conftest import PostgresSchemas
from tests.postgres import SchemaPool
from tests.templates import Templates

pytestmark = pytest.mark.postgres


@pytest.fixture
def schemas(
    postgres_admin: psycopg.Connection[tuple[object, ...]],
    postgres_done: list[str],
) -> Iterator[tuple[PostgresSchemas, SchemaPool]]:
    pool = SchemaPool(postgres_admin)  # a pool of its own, not the process's
    yield PostgresSchemas(postgres_admin, postgres_done, pool), pool
    postgres_done.extend(pool.schemas())


def _schema(url: str) -> str:
    return url.rpartition("-csearch_path%3D")[2] or url.rpartition("-csearch_path=")[2]


def test_a_used_copy_comes_back_empty_with_its_numbering_restarted(
    schemas: tuple[PostgresSchemas, SchemaPool],
    postgres_admin: psycopg.Connection[tuple[object, ...]],
    journal_templates: Templates,
) -> None:
    made, pool = schemas
    url = made.new_url()
    made.fill(url, journal_templates)
    with Journal(url) as journal:
        first = journal.add_note("first")
    made.drop_all()
    assert len(pool.schemas()) == 1
    again = PostgresSchemas(postgres_admin, [], pool)
    url = again.new_url()
    again.fill(url, journal_templates)
    assert pool.schemas() == []  # taken, under the new schema's name
    with Journal(url) as journal:
        assert journal.notes() == []
        assert journal.add_note("again").id == first.id  # ids start over, as in a fresh copy
    again.drop_all()
    assert len(pool.schemas()) == 1


def test_a_copy_whose_shape_changed_or_that_was_never_filled_is_dropped_instead(
    schemas: tuple[PostgresSchemas, SchemaPool],
    postgres_admin: psycopg.Connection[tuple[object, ...]],
    journal_templates: Templates,
) -> None:
    _, pool = schemas
    done: list[str] = []
    changed = PostgresSchemas(postgres_admin, done, pool)
    url = changed.new_url()
    changed.fill(url, journal_templates)
    postgres_admin.execute(f'ALTER TABLE "{_schema(url)}".notes ADD COLUMN extra integer')
    empty = changed.new_url()  # never filled: not a template copy
    changed.drop_all()
    assert pool.schemas() == []
    assert done == [_schema(url), _schema(empty)]
    for name in done:
        postgres_admin.execute(f'DROP SCHEMA "{name}" CASCADE')
