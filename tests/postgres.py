"""The PostgreSQL server the suite's second backend runs on, and the run's admin connection.

Its fixtures are registered for the whole suite by ``tests/conftest.py``, so any test (in any
worker process) can ask for a schema of its own through :func:`tests.journal.conftest.postgres_schemas`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

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
