"""backfill: a checkpoint per channel, the rows each backfill added, and the review queue of answered threads

Revision ID: 0010_backfill
Revises: 0009_health_indexes
Create Date: 2026-12-01 20:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from copbot.store.types import AwareDateTime

revision: str = "0010_backfill"
down_revision: str | Sequence[str] | None = "0009_health_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "backfill_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("room", sa.String(length=255), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("last_message_id", sa.String(length=255), nullable=True),
        sa.Column("stored", sa.Integer(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("updated_at", AwareDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backfill_checkpoints")),
        sa.UniqueConstraint("platform", "source", name=op.f("uq_backfill_checkpoints_platform")),
    )
    op.create_table(
        "backfill_rows",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "row_id", name=op.f("pk_backfill_rows")),
    )
    op.create_table(
        "backfill_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("signal", sa.String(length=32), nullable=False),
        sa.Column("answer_ids", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("source_public", sa.Boolean(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("created_at", AwareDateTime(), nullable=False),
        sa.Column("decided_at", AwareDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["threads.id"], name=op.f("fk_backfill_candidates_thread_id_threads"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["knowledge_entries.id"], name=op.f("fk_backfill_candidates_entry_id_knowledge_entries"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backfill_candidates")),
        sa.UniqueConstraint("thread_id", name=op.f("uq_backfill_candidates_thread_id")),
    )  # fmt: skip
    op.create_index("ix_backfill_candidates_status", "backfill_candidates", ["status", "id"])


def downgrade() -> None:
    op.drop_index("ix_backfill_candidates_status", table_name="backfill_candidates")
    op.drop_table("backfill_candidates")
    op.drop_table("backfill_rows")
    op.drop_table("backfill_checkpoints")
