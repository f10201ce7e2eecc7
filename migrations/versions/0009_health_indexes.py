"""health indexes: the practice per (activity, time), members per channel, help requests per time

Revision ID: 0009_health_indexes
Revises: 0008_search_rank
Create Date: 2026-12-01 20:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009_health_indexes"
down_revision: str | Sequence[str] | None = "0008_search_rank"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    # Each activity's count per week is one range of this index (covering, the channel included).
    ("ix_messages_activity_cover", "messages", ["activity", "created_at", "author_id", "deleted_at", "room"]),
    # A member's first message and weeks written in one channel (the whole community uses author, time).
    ("ix_messages_room_author", "messages", ["room", "author_id", "created_at", "deleted_at"]),
    # The window's help requests without reading every thread.
    ("ix_threads_help_created", "threads", ["is_help_request", "created_at", "asker_id", "answered_at", "room"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
