"""Journal fixtures: every journal test runs on SQLite and on PostgreSQL.

``database_url`` is a fresh, empty database (a test of opening or migrating starts from nothing);
``journal`` opens a fresh database that already holds the newest schema, copied from a journal
migrated once per test run (see :mod:`tests.templates`), so most tests skip the migrations.

PostgreSQL is at ``SOLEMATE_TEST_POSTGRES_URL`` (default: the local server's ``test`` database,
trust authentication). A server that cannot be reached fails the tests instead of skipping them:
a journal that only works on SQLite must not pass. Each test gets a schema of its own (selected
through ``search_path``), so runs repeat and never collide; a template copy a test used is emptied
for a later test of the same process (:class:`tests.postgres.SchemaPool`), the rest are dropped at
the end of the run.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url

from solemate.journal import Journal
from tests.postgres import (  # noqa: F401
    POSTGRES_URL,
    SchemaPool,
    postgres_admin,
    postgres_done,
    postgres_pool,
)
from tests.templates import Templates

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


class PostgresSchemas:
    """Creates schemas named ``t_<random>`` and hands out URLs that select them."""

    def __init__(
        self,
        admin: psycopg.Connection[tuple[object, ...]],
        done: list[str],
        pool: SchemaPool | None = None,
    ) -> None:
        self._admin = admin
        self._done = done
        self._pool = pool
        self.created: list[str] = []
        self._filled: set[str] = set()

    def new_url(self) -> str:
        name = f"t_{uuid.uuid4().hex[:16]}"
        self._admin.execute(f'CREATE SCHEMA "{name}"')
        self.created.append(name)
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={name}"})
        return url.render_as_string(hide_password=False)

    def fill(self, url: str, templates: Templates) -> None:
        """Copy the migrated template into the (empty) schema ``url`` selects."""
        options = make_url(url).query["options"]
        assert isinstance(options, str)
        assert options.startswith("-csearch_path=")
        name = options.removeprefix("-csearch_path=")
        assert name in self.created, f"{name} is not a schema made for this test"
        self._filled.add(name)
        used = self._pool.take() if self._pool is not None else None
        if used is None:
            templates.fill_postgres(self._admin, POSTGRES_URL, name)
            if self._pool is not None:
                self._pool.made(name)
            return
        # An emptied copy an earlier test used takes the new schema's name (the URL names it).
        with self._admin.transaction():
            self._admin.execute(f'DROP SCHEMA "{name}"')
            self._admin.execute(f'ALTER SCHEMA "{used}" RENAME TO "{name}"')

    def drop_all(self) -> None:
        """Give this test's template copies back to be emptied for the next test, and hand the
        rest to be dropped at the end of the run (see :func:`postgres_done`)."""
        for name in self.created:
            pool = self._pool
            if not (name in self._filled and pool is not None and pool.give_back(name)):
                self._done.append(name)


def postgres_schemas(request: pytest.FixtureRequest) -> PostgresSchemas:
    """Schemas for one test, dropped at the end of the run."""
    return PostgresSchemas(
        request.getfixturevalue("postgres_admin"),
        request.getfixturevalue("postgres_done"),
        request.getfixturevalue("postgres_pool"),
    )


class DatabaseUrls:
    """Fresh, empty databases of one backend, as many as a test needs; ``migrated`` gives one
    that already holds the newest schema (an empty journal)."""

    def __init__(
        self,
        backend: str,
        tmp_path: Path,
        schemas: PostgresSchemas | None,
        templates: Templates | None = None,
    ) -> None:
        self.backend = backend
        self._tmp_path = tmp_path
        self._schemas = schemas
        self._templates = templates
        self._count = 0

    def new(self) -> str:
        self._count += 1
        if self._schemas is None:
            return f"sqlite:///{self._tmp_path / f'journal-{self._count}.sqlite3'}"
        return self._schemas.new_url()

    def fill(self, url: str) -> None:
        """Put the newest schema into ``url``'s database, made by :meth:`new` and still untouched
        (the first journal opened on it would have migrated it to the same schema)."""
        if self._templates is None:
            return
        if self._schemas is None:
            self._templates.fill_sqlite(url)
        else:
            self._schemas.fill(url, self._templates)

    def migrated(self) -> str:
        """A fresh database at the newest schema, holding nothing."""
        url = self.new()
        self.fill(url)
        return url


@pytest.fixture(params=BACKENDS)
def database_urls(
    request: pytest.FixtureRequest, tmp_path: Path, journal_templates: Templates
) -> Iterator[DatabaseUrls]:
    if request.param == "sqlite":
        yield DatabaseUrls("sqlite", tmp_path, None, journal_templates)
        return
    schemas = postgres_schemas(request)
    try:
        yield DatabaseUrls("postgresql", tmp_path, schemas, journal_templates)
    finally:
        schemas.drop_all()


@pytest.fixture
def database_url(database_urls: DatabaseUrls) -> str:
    return database_urls.new()


class FakeClock:
    """A clock the test moves by hand; starts on the morning after the fixture nights."""

    def __init__(self, start: datetime = datetime(2024, 11, 2, 7, 30, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def journal(database_url: str, database_urls: DatabaseUrls, clock: FakeClock) -> Iterator[Journal]:
    """An empty journal at ``database_url``, at the newest schema (copied, not migrated)."""
    database_urls.fill(database_url)
    with Journal(database_url, clock=clock) as opened:
        yield opened
