"""entry embeddings for the semantic extra: float32 BLOB (or pgvector when PostgreSQL has it)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIMENSIONS = 384
"""Size of the pgvector column; the BLOB column takes any size (the dim column records it)."""


def _has_pgvector() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    found = bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")).first()
    return found is not None


def upgrade() -> None:
    op.create_table(
        "entry_embeddings",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=255), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["knowledge_entries.id"],
            name=op.f("fk_entry_embeddings_entry_id_knowledge_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_entry_embeddings")),
    )
    if _has_pgvector():
        # The BLOB stays the copy copbot reads; the vector column is for a PostgreSQL backend using pgvector.
        # CREATE EXTENSION needs rights the bot's role may lack: then the BLOB alone is used.
        bind = op.get_bind()
        try:
            with bind.begin_nested():
                bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS vector"))
                bind.execute(sa.text(f"ALTER TABLE entry_embeddings ADD COLUMN pg_vector vector({DIMENSIONS})"))
        except sa.exc.DBAPIError:
            pass


def downgrade() -> None:
    op.drop_table("entry_embeddings")
