"""Calendar feed links: one per person, kept as the SHA-256 of its secret.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

The web app serves a person's nightly reminder at an unguessable link that calendar apps poll
without signing in. Only the digest is stored, so a copy of the journal does not give the link
away; a new link replaces the row, which revokes the old one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_calendar_feeds_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("digest", name=op.f("uq_calendar_feeds_digest")),
    )


def downgrade() -> None:
    op.drop_table("calendar_feeds")
