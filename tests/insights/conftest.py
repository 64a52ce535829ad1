"""Journal-backed insights tests run on SQLite and PostgreSQL with the journal suite's fixtures."""

from __future__ import annotations

from tests.journal.conftest import (  # noqa: F401  (fixtures are found by name)
    clock,
    database_url,
    database_urls,
    journal,
)
