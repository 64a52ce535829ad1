"""A household: each person's own passphrase, and whether they share their diary.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

On a server opened to the network, a person may sign in with their own passphrase instead of the
household's; the web app then acts for them alone, and shows another person's pages only to those
that person shares them with (``shares_diary``). A row exists only for people who set either.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "household_members",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=True),
        sa.Column("shares_diary", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_household_members_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_household_members")),
    )


def downgrade() -> None:
    op.drop_table("household_members")
