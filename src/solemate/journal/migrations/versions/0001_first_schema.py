"""First schema: people, safety screens, sessions, stress ratings, diary, device nights, notes.

Revision ID: 0001
Revises:
Create Date: 2024-06-01

Written out in full rather than imported from ``schema.py``: a migration must keep meaning what
it meant when it shipped, whatever the models become later.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _id(table: str) -> list[SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.UniqueConstraint("uid", name=f"uq_{table}_uid"),
    ]


def _instant(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _person(table: str, column: str = "person_id") -> list[SchemaItem]:
    return [
        sa.Column(column, sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            [column], ["people.id"], name=f"fk_{table}_{column}_people", ondelete="CASCADE"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "people",
        *_id("people"),
        sa.Column("name", sa.String(100), nullable=False),
        _instant("created_at"),
        sa.UniqueConstraint("name", name="uq_people_name"),
    )
    op.create_table(
        "safety_screens",
        *_id("safety_screens"),
        *_person("safety_screens"),
        sa.Column("screened_on", sa.Date(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("level", sa.String(40), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        _instant("created_at"),
    )
    op.create_index(
        "ix_safety_screens_person_id_screened_on", "safety_screens", ["person_id", "screened_on"]
    )
    op.create_table(
        "sessions",
        *_id("sessions"),
        sa.Column("routine_id", sa.String(100), nullable=False),
        sa.Column("routine_version", sa.String(64), nullable=False),
        sa.Column("plan_options", sa.JSON(), nullable=False),
        sa.Column("planned_seconds", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        _instant("created_at"),
        _instant("started_at", nullable=True),
        _instant("ended_at", nullable=True),
        sa.Column("foot", sa.String(20), nullable=True),
        sa.Column("step_index", sa.Integer(), nullable=True),
        sa.Column("step_id", sa.String(100), nullable=True),
        _instant("progress_at", nullable=True),
        sa.Column("owner", sa.String(300), nullable=True),
        *_person("sessions", "giver_id"),
        *_person("sessions", "receiver_id"),
        sa.CheckConstraint(
            "status IN ('planned', 'in_progress', 'completed', 'interrupted')",
            name=op.f("ck_sessions_status"),
        ),
        sa.CheckConstraint("planned_seconds >= 0", name=op.f("ck_sessions_planned_seconds")),
        sa.CheckConstraint("step_index >= 0", name=op.f("ck_sessions_step_index")),
    )
    op.create_index("ix_sessions_status", "sessions", ["status"])
    op.create_table(
        "ratings",
        *_id("ratings"),
        sa.Column("session_id", sa.Integer(), nullable=True),
        *_person("ratings"),
        sa.Column("moment", sa.String(6), nullable=False),
        sa.Column("stress", sa.Integer(), nullable=False),
        _instant("rated_at"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name="fk_ratings_session_id_sessions",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "session_id", "person_id", "moment", name="uq_ratings_session_id_person_id_moment"
        ),
        sa.CheckConstraint("moment IN ('before', 'after')", name=op.f("ck_ratings_moment")),
        sa.CheckConstraint("stress BETWEEN 0 AND 10", name=op.f("ck_ratings_stress")),
    )
    op.create_table(
        "diary_entries",
        *_id("diary_entries"),
        *_person("diary_entries"),
        sa.Column("wake_date", sa.Date(), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        _instant("into_bed"),
        _instant("tried_to_sleep"),
        sa.Column("sol_min", sa.Integer(), nullable=False),
        sa.Column("awakenings", sa.Integer(), nullable=False),
        sa.Column("waso_min", sa.Integer(), nullable=False),
        _instant("final_awakening"),
        _instant("out_of_bed"),
        sa.Column("quality", sa.Integer(), nullable=False),
        sa.Column("comments", sa.Text(), nullable=False),
        sa.Column("tib_min", sa.Integer(), nullable=False),
        sa.Column("tst_min", sa.Integer(), nullable=False),
        sa.Column("se_pct", sa.Float(), nullable=False),
        _instant("created_at"),
        _instant("updated_at"),
        sa.UniqueConstraint("person_id", "wake_date", name="uq_diary_entries_person_id_wake_date"),
        sa.CheckConstraint("quality BETWEEN 1 AND 5", name=op.f("ck_diary_entries_quality")),
        sa.CheckConstraint(
            "tst_min >= 0 AND tst_min <= tib_min", name=op.f("ck_diary_entries_tst_min")
        ),
    )
    op.create_table(
        "device_nights",
        *_id("device_nights"),
        *_person("device_nights"),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("device", sa.String(200), nullable=False),
        sa.Column("wake_date", sa.Date(), nullable=False),
        _instant("bed_start"),
        _instant("bed_end"),
        sa.Column("zone", sa.String(64), nullable=True),
        sa.Column("tib_min", sa.Float(), nullable=False),
        sa.Column("tst_min", sa.Float(), nullable=True),
        sa.Column("sol_min", sa.Float(), nullable=True),
        sa.Column("se_pct", sa.Float(), nullable=True),
        sa.Column("is_nap", sa.Boolean(), nullable=False),
        _instant("imported_at"),
        sa.UniqueConstraint(
            "person_id",
            "source",
            "device",
            "bed_start",
            name="uq_device_nights_person_id_source_device_bed_start",
        ),
    )
    op.create_index(
        "ix_device_nights_person_id_wake_date", "device_nights", ["person_id", "wake_date"]
    )
    op.create_table(
        "notes",
        *_id("notes"),
        *_person("notes"),
        sa.Column("session_id", sa.Integer(), nullable=True),
        _instant("written_at"),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name="fk_notes_session_id_sessions",
            ondelete="SET NULL",
        ),
    )


def downgrade() -> None:
    for table in (
        "notes",
        "device_nights",
        "diary_entries",
        "ratings",
        "sessions",
        "safety_screens",
        "people",
    ):
        op.drop_table(table)
