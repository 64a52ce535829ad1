"""Reminder preferences: each person's nightly reminder time and days.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

`solemate remind --at … --days …` and the Reminders card save a person's reminder; the calendar
feed serves it. A null time means the time suggested from the diary; no row means the suggestion,
every day, as before this revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "reminder_preferences",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(5), nullable=True),
        sa.Column("days", sa.String(20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_reminder_preferences_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_reminder_preferences")),
    )


def downgrade() -> None:
    op.drop_table("reminder_preferences")
