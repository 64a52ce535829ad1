"""Alembic's entry point: migrate over the connection the journal hands in.

Run only through :func:`solemate.journal.migrations.upgrade`, which supplies an open connection
inside a transaction; offline (SQL script) mode is not supported because nobody needs it.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from solemate.journal.schema import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("solemate migrations run through solemate.journal.migrations.upgrade()")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them; batch mode does that for us
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
