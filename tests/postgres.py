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


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


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
        yield connection


#: Schemas this many at a time in one DROP (each table takes a lock; the server's lock table has
#: room for a few thousand in one transaction).
DROP_CHUNK = 16


@pytest.fixture(scope="session")
def postgres_done(
    postgres_admin: psycopg.Connection[tuple[object, ...]],
) -> Iterator[list[str]]:
    """Schemas tests have finished with, dropped at the end of the run: dropping each as its test
    ends cost a round trip of catalog work per test, and nothing reads them again."""
    done: list[str] = []
    yield done
    for start in range(0, len(done), DROP_CHUNK):
        names = ", ".join(f'"{name}"' for name in done[start : start + DROP_CHUNK])
        postgres_admin.execute(f"DROP SCHEMA IF EXISTS {names} CASCADE")
