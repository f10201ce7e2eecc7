"""cut the searchable text of existing entries to what search indexes (32,000 characters per column)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 17:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXED_CHARS = 32_000
"""copbot.knowledge.search.excerpt.INDEXED_CHARS when this migration was written."""
COLUMNS = ("title", "question", "answers", "discussion", "tags")


def upgrade() -> None:
    cut = ", ".join(f"{name} = substr({name}, 1, {INDEXED_CHARS})" for name in COLUMNS)
    longer = " OR ".join(f"length({name}) > {INDEXED_CHARS}" for name in COLUMNS)
    op.execute(f"UPDATE search_documents SET {cut} WHERE {longer}")


def downgrade() -> None:
    """The cut text is rebuilt from the entries' messages when an entry changes; nothing to undo."""
