"""Sessions keep the time actually played, and a session skipped through is ``skipped``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04

``played_seconds`` is the time a session was actually played: not paused, not skipped. A session
counts as completed only when at least 80 % of its planned time was played; one run to its end
but skipped through is recorded as ``skipped``. Sessions from before this revision keep NULL:
their played time is unknown, and they keep the status they were given. On SQLite the sessions
table is copied (batch mode) to change its status check, keeping every row and id.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

_OLD = "status IN ('planned', 'in_progress', 'completed', 'interrupted')"
_NEW = "status IN ('planned', 'in_progress', 'completed', 'skipped', 'interrupted')"


def _batch() -> object:
    if op.get_bind().dialect.name == "sqlite":
        return op.batch_alter_table(
            "sessions", recreate="always", table_kwargs={"sqlite_autoincrement": True}
        )
    return op.batch_alter_table("sessions")


def upgrade() -> None:
    with _batch() as batch:  # type: ignore[attr-defined]
        batch.add_column(sa.Column("played_seconds", sa.Float(), nullable=True))
        batch.drop_constraint(op.f("ck_sessions_status"), type_="check")
        batch.create_check_constraint(op.f("ck_sessions_status"), _NEW)
        batch.create_check_constraint(op.f("ck_sessions_played_seconds"), "played_seconds >= 0")


def downgrade() -> None:
    # An older solemate knows no skipped session: it was run to its end, so it reads as completed.
    op.execute("UPDATE sessions SET status = 'completed' WHERE status = 'skipped'")
    with _batch() as batch:  # type: ignore[attr-defined]
        batch.drop_constraint(op.f("ck_sessions_played_seconds"), type_="check")
        batch.drop_constraint(op.f("ck_sessions_status"), type_="check")
        batch.create_check_constraint(op.f("ck_sessions_status"), _OLD)
        batch.drop_column("played_seconds")
