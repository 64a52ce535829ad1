"""Ids are never reused on SQLite: every table whose ids are shown is rebuilt with AUTOINCREMENT.

Revision ID: 0005
Revises: 0004
Create Date: 2024-09-01

Without AUTOINCREMENT, SQLite hands out the largest id in use plus one, so deleting the newest
session and starting another gave the new one the old id, and a page or phone still holding the
old id (a stale ``POST /api/sessions/3/ratings``) wrote onto the new session. With it, SQLite
remembers the largest id ever given in ``sqlite_sequence``. PostgreSQL sequences never go back,
so nothing changes there.

SQLite cannot add AUTOINCREMENT to a table, so batch mode copies each table into a new one. The
journal runs this with foreign keys switched off (see ``Journal._migrate``): dropping ``people``
with them on would delete everything that belongs to a person on the way.
"""

from __future__ import annotations

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

#: Every table with an ``id`` the program shows (all but the sign-in tables), parents first.
TABLES = (
    "people",
    "safety_screens",
    "sessions",
    "ratings",
    "diary_entries",
    "device_nights",
    "control_activities",
    "notes",
    "experiments",
    "experiment_nights",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass  # copying the rows, ids and all, sets sqlite_sequence to the largest id


def downgrade() -> None:
    # AUTOINCREMENT tables are valid at every older revision; rebuilding them again would only
    # risk the data, so going down leaves them as they are.
    pass
