"""search statistics: a version counter of the searchable text (bumped by triggers), the discussion's vocabulary

Revision ID: 0008_search_rank
Revises: 0007web
Create Date: 2026-12-01 20:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008_search_rank"
down_revision: str | Sequence[str] | None = "0007web"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSION_TABLE = "CREATE TABLE search_fts_version (id INTEGER PRIMARY KEY, version BIGINT NOT NULL)"
BUMP = (
    "INSERT INTO search_fts_version (id, version) VALUES (1, 1)"
    " ON CONFLICT (id) DO UPDATE SET version = search_fts_version.version + 1"
)
"""An upsert, so a table emptied by hand starts counting again instead of staying at one stale value."""
"""One row; every write to ``search_documents`` bumps ``version``, so word statistics cached by a process (of any
process, a CLI import beside a running bot) are known to be stale by reading one row."""
SQLITE_STATEMENTS = [
    VERSION_TABLE,
    "INSERT INTO search_fts_version (id, version) VALUES (1, 0)",
    *(
        f"""CREATE TRIGGER search_fts_version_{event[0].lower()} AFTER {event} ON search_documents BEGIN
            {BUMP};
        END"""
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
    "CREATE VIRTUAL TABLE search_fts_discussion_terms USING fts5vocab(search_fts_discussion, row)",
]
"""SQLite: row triggers (one single-row UPDATE each); the discussion's vocabulary beside ``search_fts_terms``."""
POSTGRES_STATEMENTS = [
    VERSION_TABLE,
    "INSERT INTO search_fts_version (id, version) VALUES (1, 0)",
    f"""CREATE FUNCTION search_fts_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {BUMP};
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER search_fts_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON search_documents
        FOR EACH STATEMENT EXECUTE FUNCTION search_fts_version_bump()""",
]
"""PostgreSQL: one statement trigger, so a bulk import bumps the counter once per statement, not once per row."""


def upgrade() -> None:
    statements = SQLITE_STATEMENTS if op.get_bind().dialect.name == "sqlite" else POSTGRES_STATEMENTS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for event in "iud":
            op.execute(f"DROP TRIGGER IF EXISTS search_fts_version_{event}")
        op.execute("DROP TABLE IF EXISTS search_fts_discussion_terms")
    else:
        op.execute("DROP TRIGGER IF EXISTS search_fts_version_bump ON search_documents")
        op.execute("DROP FUNCTION IF EXISTS search_fts_version_bump()")
    op.execute("DROP TABLE IF EXISTS search_fts_version")
