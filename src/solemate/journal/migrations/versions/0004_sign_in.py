"""Sign-in state of a server opened to the network: the passphrase, pairing codes, wrong guesses.

Revision ID: 0004
Revises: 0003
Create Date: 2024-08-01

Kept in the database rather than in files or a server's memory, so every server process using the
journal shares them and a changed passphrase reaches a running server.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "web_passphrase",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_web_passphrase"),
        sa.CheckConstraint("id = 1", name=op.f("ck_web_passphrase_single")),
    )
    op.create_table(
        "sign_in_failures",
        sa.Column("scope", sa.String(80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("scope", name="pk_sign_in_failures"),
    )
    op.create_table(
        "pairing_codes",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("digest", name="pk_pairing_codes"),
    )


def downgrade() -> None:
    op.drop_table("pairing_codes")
    op.drop_table("sign_in_failures")
    op.drop_table("web_passphrase")
