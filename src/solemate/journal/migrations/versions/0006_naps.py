"""Device nights keep the UTC offsets their file wrote, so they are shown where they were slept.

Revision ID: 0006n
Revises: 0005
Create Date: 2026-12-04

An Oura file writes ``2024-03-22T23:20:00+01:00``: the instant was kept (in UTC) but the offset
was not, so the night was shown in whatever zone the reading machine had (21:10 on a UTC machine
for a Berlin 23:10). The two columns keep the offsets, in minutes east of UTC. Nights imported
before stay NULL: shown in their zone when the file named one, else in UTC; importing the same
file again fills them in.

Self-contained: it only adds two nullable columns to ``device_nights``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006n"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

COLUMNS = ("bed_start_offset_min", "bed_end_offset_min")


def upgrade() -> None:
    with op.batch_alter_table("device_nights") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("device_nights") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
