"""full-text search index: SQLite FTS5 with bm25, PostgreSQL tsvector with GIN

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-20 23:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS_COLUMNS = "title, question, answers, discussion, tags"
SQLITE_STATEMENTS = [
    f"""CREATE VIRTUAL TABLE search_fts USING fts5(
        {FTS_COLUMNS},
        content='search_documents', content_rowid='entry_id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER search_fts_ai AFTER INSERT ON search_documents BEGIN
        INSERT INTO search_fts(rowid, {FTS_COLUMNS})
        VALUES (new.entry_id, new.title, new.question, new.answers, new.discussion, new.tags);
    END""",
    f"""CREATE TRIGGER search_fts_ad AFTER DELETE ON search_documents BEGIN
        INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.entry_id, old.title, old.question, old.answers, old.discussion, old.tags);
    END""",
    f"""CREATE TRIGGER search_fts_au AFTER UPDATE ON search_documents BEGIN
        INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.entry_id, old.title, old.question, old.answers, old.discussion, old.tags);
        INSERT INTO search_fts(rowid, {FTS_COLUMNS})
        VALUES (new.entry_id, new.title, new.question, new.answers, new.discussion, new.tags);
    END""",
]
POSTGRES_STATEMENTS = [
    """ALTER TABLE search_documents ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(question, '')), 'B')
        || setweight(to_tsvector('english', coalesce(tags, '')), 'B')
        || setweight(to_tsvector('english', coalesce(answers, '')), 'C')
        || setweight(to_tsvector('english', coalesce(discussion, '')), 'D')
    ) STORED""",
    "CREATE INDEX ix_search_documents_search_vector ON search_documents USING GIN (search_vector)",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    statements = SQLITE_STATEMENTS if dialect == "sqlite" else POSTGRES_STATEMENTS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("search_fts_ai", "search_fts_ad", "search_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_search_documents_search_vector")
        op.execute("ALTER TABLE search_documents DROP COLUMN IF EXISTS search_vector")
