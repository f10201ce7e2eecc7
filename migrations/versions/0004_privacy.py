"""place visibility of entries, entry numbers that are never reused, and what tells an accepted answer

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Entries remember whether their place was public; kbN numbers come from a counter that never goes back."""
    with op.batch_alter_table("knowledge_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_public", sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("asker_reaction", sa.String(length=64), nullable=True))
    with op.batch_alter_table("capture_proposals", schema=None) as batch_op:
        batch_op.alter_column(
            "answer_message_id",
            new_column_name="answer_message_ids",
            type_=sa.Text(),
            existing_type=sa.String(length=255),
            existing_nullable=True,
        )
    op.execute("UPDATE capture_proposals SET answer_message_ids = '' WHERE answer_message_ids IS NULL")
    with op.batch_alter_table("capture_proposals", schema=None) as batch_op:
        batch_op.alter_column("answer_message_ids", existing_type=sa.Text(), nullable=False)
    op.create_table(
        "entry_numbers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_numbers")),
        sqlite_autoincrement=True,
    )
    bind = op.get_bind()
    highest = bind.execute(sa.text("SELECT max(id) FROM knowledge_entries")).scalar()
    if highest:
        # New numbers start above every existing entry's, so no id that was ever shown comes back.
        if bind.dialect.name == "postgresql":
            bind.execute(sa.text("SELECT setval(pg_get_serial_sequence('entry_numbers', 'id'), :n)"), {"n": highest})
        else:
            bind.execute(sa.text("INSERT INTO entry_numbers (id) VALUES (:n)"), {"n": highest})
            bind.execute(sa.text("DELETE FROM entry_numbers"))


def downgrade() -> None:
    """Drop the counter, the answer signals and the visibility column."""
    op.drop_table("entry_numbers")
    with op.batch_alter_table("capture_proposals", schema=None) as batch_op:
        batch_op.alter_column(
            "answer_message_ids",
            new_column_name="answer_message_id",
            type_=sa.String(length=255),
            existing_type=sa.Text(),
            nullable=True,
        )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("asker_reaction")
    with op.batch_alter_table("knowledge_entries", schema=None) as batch_op:
        batch_op.drop_column("source_public")
