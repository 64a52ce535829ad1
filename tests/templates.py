"""Migrated journals made once per test run and copied for each test.

Opening a fresh journal runs every migration (about 0.3 s on either backend); hundreds of tests only
need an empty journal at the newest schema. :class:`Templates` migrates one database per backend,
the first time a test asks for it, through :class:`solemate.journal.Journal` itself, and copies it:

- SQLite: the migrated file is copied (with its owner-only permissions) to the test's path.
- PostgreSQL: every statement the template's migration ran is recorded and run again, in one
  transaction, in the test's own empty schema (still a schema of its own, dropped afterwards).
  The same statements give the same schema, down to how PostgreSQL stores each check (a
  ``pg_dump`` copy would not: it rewrites ``IN`` lists).

Each copy is a database of its own, so isolation is what it was. A PostgreSQL copy a finished test
used is emptied and handed to a later test instead of being dropped
(:class:`tests.postgres.SchemaPool`). Tests of the migrations open their databases empty
(``database_url``) and migrate them themselves.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, event, make_url

from solemate.journal import Journal

if TYPE_CHECKING:
    import psycopg


class Templates:
    """One migrated journal per backend, made on first use and copied into fresh databases."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._sqlite: Path | None = None
        self._postgres: list[tuple[str, Any, bool]] | None = None
        self._postgres_sql: Any = None

    def fill_sqlite(self, url: str) -> None:
        """Put a migrated, empty journal at ``url``'s file, which must not exist yet."""
        target = Path(make_url(url).database or "")
        assert not target.exists(), f"{target} already exists: a template is copied to new files"
        if self._sqlite is None:
            template = self._folder / "template.sqlite3"
            with Journal(f"sqlite:///{template}"):
                pass  # closing the last connection folds the write-ahead log into the file
            assert not Path(f"{template}-wal").exists(), "the template kept a write-ahead log"
            self._sqlite = template
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copy2(self._sqlite, target)

    def fill_postgres(
        self, admin: psycopg.Connection[tuple[object, ...]], base_url: str, schema: str
    ) -> None:
        """Make the empty ``schema`` what migrating it gives: the statements the template's
        migration ran, run again in one transaction with ``schema`` first on the search path.

        They are sent as one script (their parameters bound on this side), in one round trip:
        statement by statement, the copy cost a round trip each, most of a test's set-up."""
        script = self._postgres_script(admin, base_url)
        with admin.transaction():
            admin.execute(f'SET LOCAL search_path TO "{schema}"')
            admin.execute(script)

    def _postgres_script(self, admin: psycopg.Connection[tuple[object, ...]], base_url: str) -> Any:
        if self._postgres_sql is None:
            from psycopg import ClientCursor, sql

            bind = ClientCursor(admin)
            parts: list[str] = []
            for statement, parameters, many in self._postgres_statements(admin, base_url):
                for one in parameters if many else [parameters]:
                    parts.append(bind.mogrify(statement, one or None))
            self._postgres_sql = sql.SQL(";\n".join(parts))
        return self._postgres_sql

    def _postgres_statements(
        self, admin: psycopg.Connection[tuple[object, ...]], base_url: str
    ) -> list[tuple[str, Any, bool]]:
        if self._postgres is not None:
            return self._postgres
        name = f"t_template_{uuid.uuid4().hex[:16]}"
        admin.execute(f'CREATE SCHEMA "{name}"')
        seen: list[tuple[str, Any, bool]] = []

        def record(
            conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
        ) -> None:
            # Only the template's own connections (a server thread may be working elsewhere).
            if conn.engine.url.query.get("options") == options:
                seen.append((statement, parameters, many))

        options = f"-csearch_path={name}"
        url = make_url(base_url).update_query_dict({"options": options})
        event.listen(Engine, "before_cursor_execute", record)
        try:
            with Journal(url.render_as_string(hide_password=False)):
                pass
        finally:
            event.remove(Engine, "before_cursor_execute", record)
            admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        assert seen, "the template's migration ran no statement"
        assert not any(name in statement for statement, _, _ in seen), "a statement names it"
        self._postgres = seen
        return seen
