"""The sweep of PostgreSQL schemas left by killed test runs never touches a running run's."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests.postgres import TEST_SCHEMAS, sweep_leftovers


@pytest.mark.postgres
def test_no_schema_is_swept_while_a_run_uses_the_database(
    postgres_admin: psycopg.Connection[tuple[object, ...]],
) -> None:
    name = f"t_{uuid.uuid4().hex[:16]}"
    postgres_admin.execute(f'CREATE SCHEMA "{name}"')
    try:
        assert sweep_leftovers() == 0  # this process holds the run's lock: nothing is dropped
        found = postgres_admin.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = %s AND nspname LIKE %s",
            (name, TEST_SCHEMAS),
        ).fetchone()
        assert found == (1,)
    finally:
        postgres_admin.execute(f'DROP SCHEMA "{name}" CASCADE')
