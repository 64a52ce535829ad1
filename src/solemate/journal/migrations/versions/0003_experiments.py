"""The personal experiment: its plan and its whole allocation, stored before the first night.

Revision ID: 0003
Revises: 0002
Create Date: 2024-07-01

CENT asks that the allocation be fixed before the trial starts and reported as planned, so the
seed and every night's arm are kept, not just the seed: a later solemate that drew differently
from the same seed could not change a running experiment.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "experiments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("design", sa.String(10), nullable=False),
        sa.Column("nights", sa.Integer(), nullable=False),
        sa.Column("first_evening", sa.Date(), nullable=False),
        sa.Column("seed", sa.String(40), nullable=False),
        sa.Column("control", sa.String(100), nullable=False),
        sa.Column("minimum", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stop_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_experiments"),
        sa.UniqueConstraint("uid", name="uq_experiments_uid"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_experiments_person_id_people", ondelete="CASCADE"
        ),
        sa.CheckConstraint("design IN ('pairs', 'weeks')", name=op.f("ck_experiments_design")),
        sa.CheckConstraint("nights BETWEEN 2 AND 3660", name=op.f("ck_experiments_nights")),
        sa.CheckConstraint("minimum > 0", name=op.f("ck_experiments_minimum")),
    )
    op.create_index("ix_experiments_person_id", "experiments", ["person_id"])
    op.create_table(
        "experiment_nights",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("night", sa.Integer(), nullable=False),
        sa.Column("evening", sa.Date(), nullable=False),
        sa.Column("arm", sa.String(1), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_experiment_nights"),
        sa.UniqueConstraint("uid", name="uq_experiment_nights_uid"),
        sa.UniqueConstraint(
            "experiment_id", "night", name="uq_experiment_nights_experiment_id_night"
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name="fk_experiment_nights_experiment_id_experiments",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("arm IN ('M', 'C')", name=op.f("ck_experiment_nights_arm")),
        sa.CheckConstraint("night >= 0", name=op.f("ck_experiment_nights_night")),
    )


def downgrade() -> None:
    op.drop_table("experiment_nights")
    op.drop_index("ix_experiments_person_id", table_name="experiments")
    op.drop_table("experiments")
