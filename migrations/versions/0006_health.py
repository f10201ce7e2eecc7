"""health: entry uses (suggested, viewed, accepted) and the indexes the health report's aggregates need

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from copbot.store.types import AwareDateTime

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    # Covering: the health figures read the window's messages (and each help thread's replies) from the index alone.
    ("ix_messages_created_cover", "messages", ["created_at", "author_id", "activity", "thread_id", "deleted_at"]),
    ("ix_messages_thread_cover", "messages", ["thread_id", "created_at", "author_id", "deleted_at"]),
    ("ix_messages_author_created", "messages", ["author_id", "created_at", "deleted_at"]),
    ("ix_messages_reply_to", "messages", ["platform", "reply_to"]),
    ("ix_threads_prompt_run_id", "threads", ["prompt_run_id"]),
)


def upgrade() -> None:
    op.create_table(
        "entry_uses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("room", sa.String(length=255), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("at", AwareDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["knowledge_entries.id"], name=op.f("fk_entry_uses_entry_id_knowledge_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_entry_uses_member_id_members"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["threads.id"], name=op.f("fk_entry_uses_thread_id_threads"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_uses")),
    )  # fmt: skip
    op.create_index("ix_entry_uses_kind_at", "entry_uses", ["kind", "at"])
    op.create_index(op.f("ix_entry_uses_entry_id"), "entry_uses", ["entry_id"])
    op.create_index(op.f("ix_entry_uses_thread_id"), "entry_uses", ["thread_id"])
    op.create_index(op.f("ix_entry_uses_message_id"), "entry_uses", ["message_id"])
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table("entry_uses")
