"""The PostgreSQL server the suite's second backend runs on, and the run's admin connection.

Its fixtures are registered for the whole suite by ``tests/conftest.py``, so any test (in any
worker process) can ask for a schema of its own through :func:`tests.journal.conftest.postgres_schemas`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from graphlib import TopologicalSorter

import psycopg
import pytest
from sqlalchemy import make_url

POSTGRES_URL = os.environ.get(
    "SOLEMATE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


#: An advisory lock every test process holds shared while it may own schemas: a run that can take
#: it alone knows that no other run is using the test database.
RUN_LOCK = 0x736F6C65

#: The schemas tests make (``t_…``, templates ``t_template_…``); benchmarks use ``bench_…``.
TEST_SCHEMAS = r"t\_%"


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def sweep_leftovers() -> int:
    """Drop the schemas of runs that were killed before their end (they drop their own otherwise),
    when no other run is using the database; the number dropped.

    Called once per run, before any test process starts. An unreachable server is left for the
    tests that need it to report."""
    try:
        connection = psycopg.connect(_libpq(POSTGRES_URL), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        return 0
    with connection:
        alone = connection.execute("SELECT pg_try_advisory_lock(%s)", (RUN_LOCK,)).fetchone()
        if not (alone and alone[0]):
            return 0
        names = [
            str(row[0])
            for row in connection.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (TEST_SCHEMAS,)
            )
        ]
        for name in names:  # one per DROP: see postgres_done
            connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        connection.execute("SELECT pg_advisory_unlock(%s)", (RUN_LOCK,))
    return len(names)


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """An autocommit connection for creating and dropping test schemas."""
    try:
        connection = psycopg.connect(_libpq(POSTGRES_URL), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(
            f"PostgreSQL at {POSTGRES_URL} is not reachable ({error}). Start it, or point "
            "SOLEMATE_TEST_POSTGRES_URL at one: the journal suite needs it, it never skips.",
            pytrace=False,
        )
    with connection:
        # Held until this process ends: no other run's sweep drops this run's schemas meanwhile.
        connection.execute("SELECT pg_advisory_lock_shared(%s)", (RUN_LOCK,))
        yield connection


@pytest.fixture(scope="session")
def postgres_done(
    postgres_admin: psycopg.Connection[tuple[object, ...]],
) -> Iterator[list[str]]:
    """Schemas tests have finished with, dropped at the end of the run: dropping each as its test
    ends cost a round trip of catalog work per test, and nothing reads them again.

    One schema per DROP. A DROP locks every object of its schemas (about 150 for a journal) until
    it commits, and the server's lock table is shared by all connections (max_locks_per_transaction
    × max_connections: 6,400 by default). Sixteen schemas at a time took 2,400 of them, so three
    workers finishing together (``make test JOBS=3``) ran out ("out of shared memory"); one at a
    time takes 150 per worker and drops as fast (12.5 ms a schema either way, measured)."""
    done: list[str] = []
    yield done
    for name in done:
        postgres_admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


#: What a schema holds (relations, columns, constraints, the migration it is at), to tell that a
#: test left its schema as the template made it before the schema is used again.
_SHAPE = """
SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = n.oid),
       (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON a.attrelid = c.oid
         WHERE c.relnamespace = n.oid AND a.attnum > 0 AND NOT a.attisdropped),
       (SELECT count(*) FROM pg_constraint WHERE connamespace = n.oid)
FROM pg_namespace n WHERE n.nspname = %s
"""


class SchemaPool:
    """Schemas at the newest migration that finished tests left, emptied for the next test.

    Copying the template into a fresh schema costs about 33 ms of the server's time, and
    dropping it at the end 10 ms more; emptying a used one costs a few. A schema is taken back
    only when it still has the template's shape (relations, columns, constraints, migration) and
    its rows can be deleted within a few seconds (no test's connection still holds them); else
    it is dropped at the end of the run, as before. Each test process keeps its own."""

    def __init__(self, admin: psycopg.Connection[tuple[object, ...]]) -> None:
        self._admin = admin
        self._clean: list[str] = []
        self._shape: tuple[object, ...] | None = None
        self._emptying: str | None = None

    def made(self, name: str) -> None:
        """``name`` was just copied from the template: its shape is the one to keep (noted once)."""
        if self._shape is None:
            self._shape = self._shape_of(name)

    def take(self) -> str | None:
        """An emptied schema, or None when there is none yet."""
        return self._clean.pop() if self._clean else None

    def give_back(self, name: str) -> bool:
        """Empty ``name`` (a template copy a finished test used) for the next test; False when it
        is no longer the template's shape or cannot be emptied now."""
        try:
            with self._admin.transaction():
                self._admin.execute("SET LOCAL lock_timeout = '5s'")
                if self._shape is None or self._shape_of(name) != self._shape:
                    return False
                self._admin.execute(self._emptying_script(name).replace("{schema}", name))
        except psycopg.Error:
            return False
        self._clean.append(name)
        return True

    def schemas(self) -> list[str]:
        return list(self._clean)

    def _shape_of(self, name: str) -> tuple[object, ...]:
        row = self._admin.execute(_SHAPE, (name,)).fetchone()
        version = self._admin.execute(f'SELECT version_num FROM "{name}".alembic_version')
        return (*(row or ()), *(v for (v,) in version))

    def _emptying_script(self, name: str) -> str:
        """DELETE from every table but the migration's, children before parents, and restart
        every sequence; ``{schema}`` stands for the schema."""
        if self._emptying is None:
            admin = self._admin
            tables = [
                str(t)
                for (t,) in admin.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = %s", (name,)
                )
            ]
            parents: dict[str, set[str]] = {t: set() for t in tables}
            for child, parent in admin.execute(
                "SELECT cc.relname, pc.relname FROM pg_constraint c"
                " JOIN pg_class cc ON cc.oid = c.conrelid JOIN pg_class pc ON pc.oid = c.confrelid"
                " JOIN pg_namespace n ON n.oid = c.connamespace"
                " WHERE c.contype = 'f' AND n.nspname = %s",
                (name,),
            ):
                if child != parent:
                    parents[str(child)].add(str(parent))
            order = list(TopologicalSorter(parents).static_order())  # parents first
            sequences = [
                str(s)
                for (s,) in admin.execute(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = %s", (name,)
                )
            ]
            statements = [
                f'DELETE FROM "{{schema}}"."{t}"' for t in reversed(order) if t != "alembic_version"
            ] + [f'SELECT setval(\'"{{schema}}"."{s}"\', 1, false)' for s in sequences]
            self._emptying = ";\n".join(statements)
        return self._emptying


@pytest.fixture(scope="session")
def postgres_pool(
    postgres_admin: psycopg.Connection[tuple[object, ...]], postgres_done: list[str]
) -> Iterator[SchemaPool]:
    """This process's emptied template copies, dropped at the end of the run with the rest."""
    pool = SchemaPool(postgres_admin)
    yield pool
    postgres_done.extend(pool.schemas())
