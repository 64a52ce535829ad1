"""Naps kept apart from the nights; device nights keep the UTC offsets their file wrote.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

An Oura file writes ``2024-03-22T23:20:00+01:00``: the instant was kept (in UTC) but the offset
was not, so the night was shown in whatever zone the reading machine had (21:10 on a UTC machine
for a Berlin 23:10). The two columns keep the offsets, in minutes east of UTC. Nights imported
before stay NULL: shown in their zone when the file named one, else in UTC; importing the same
file again fills them in.

A daytime nap (into and out of bed on one day between 09:00 and 20:00) has its own table,
``naps``: the diary's nights, their figures and the experiment never see it.

Self-contained: a new table and two nullable columns on ``device_nights``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

COLUMNS = ("bed_start_offset_min", "bed_end_offset_min")


def upgrade() -> None:
    with op.batch_alter_table("device_nights") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=True))
    op.create_table(
        "naps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("minutes > 0", name=op.f("ck_naps_minutes")),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_naps_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_naps")),
        sa.UniqueConstraint("person_id", "started_at", name=op.f("uq_naps_person_id_started_at")),
        sa.UniqueConstraint("uid", name=op.f("uq_naps_uid")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_naps_person_id_on_date"), "naps", ["person_id", "on_date"])


def downgrade() -> None:
    op.drop_index(op.f("ix_naps_person_id_on_date"), table_name="naps")
    op.drop_table("naps")
    with op.batch_alter_table("device_nights") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
