"""Evening control activities for the personal experiment, and an optional relaxation rating.

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-15

The N-of-1 experiment compares massage nights with nights of an equally pleasant activity, so those
evenings need a table of their own. The relaxation rating ("How relaxed…", 0–10) sits beside the
stress rating; rows from before this revision simply have none. On SQLite the ratings table is
copied to add the column with its CHECK constraint (batch mode), keeping every row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "control_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("activity", sa.String(100), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_control_activities"),
        sa.UniqueConstraint("uid", name="uq_control_activities_uid"),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name="fk_control_activities_person_id_people",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("minutes BETWEEN 1 AND 600", name=op.f("ck_control_activities_minutes")),
    )
    op.create_index(
        "ix_control_activities_person_id_on_date", "control_activities", ["person_id", "on_date"]
    )
    with op.batch_alter_table("ratings") as batch:
        batch.add_column(sa.Column("relaxation", sa.Integer(), nullable=True))
        batch.create_check_constraint(op.f("ck_ratings_relaxation"), "relaxation BETWEEN 0 AND 10")


def downgrade() -> None:
    with op.batch_alter_table("ratings") as batch:
        batch.drop_constraint(op.f("ck_ratings_relaxation"), type_="check")
        batch.drop_column("relaxation")
    op.drop_index("ix_control_activities_person_id_on_date", table_name="control_activities")
    op.drop_table("control_activities")
