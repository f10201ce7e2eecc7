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

FTS_COLUMNS = "title, question, answers, tags"
"""What an entry is about: its own bm25 length normalisation, so a long discussion does not dilute it."""
DISCUSSION_COLUMNS = "discussion"
"""The rest of the thread, in a second FTS5 table whose bm25 the search adds with a smaller weight."""
TOKENIZE = "tokenize='porter unicode61 remove_diacritics 2'"
_NEW = "new.entry_id, new.title, new.question, new.answers, new.tags"
_OLD = "old.entry_id, old.title, old.question, old.answers, old.tags"
INDEX_TRIGGERS = {
    "search_fts_ai": f"""CREATE TRIGGER search_fts_ai AFTER INSERT ON search_documents BEGIN
        INSERT INTO search_fts(rowid, {FTS_COLUMNS}) VALUES ({_NEW});
        INSERT INTO search_fts_discussion(rowid, discussion) VALUES (new.entry_id, new.discussion);
    END""",
    "search_fts_ad": f"""CREATE TRIGGER search_fts_ad AFTER DELETE ON search_documents BEGIN
        INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS}) VALUES ('delete', {_OLD});
        INSERT INTO search_fts_discussion(search_fts_discussion, rowid, discussion)
        VALUES ('delete', old.entry_id, old.discussion);
    END""",
    "search_fts_au": f"""CREATE TRIGGER search_fts_au AFTER UPDATE ON search_documents BEGIN
        INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS}) VALUES ('delete', {_OLD});
        INSERT INTO search_fts_discussion(search_fts_discussion, rowid, discussion)
        VALUES ('delete', old.entry_id, old.discussion);
        INSERT INTO search_fts(rowid, {FTS_COLUMNS}) VALUES ({_NEW});
        INSERT INTO search_fts_discussion(rowid, discussion) VALUES (new.entry_id, new.discussion);
    END""",
}
"""Keep both FTS5 tables in step with ``search_documents``; a bulk import drops ``search_fts_ai`` for a batch."""
SQLITE_STATEMENTS = [
    f"""CREATE VIRTUAL TABLE search_fts USING fts5(
        {FTS_COLUMNS}, content='search_documents', content_rowid='entry_id', {TOKENIZE}
    )""",
    f"""CREATE VIRTUAL TABLE search_fts_discussion USING fts5(
        {DISCUSSION_COLUMNS}, content='search_documents', content_rowid='entry_id', {TOKENIZE}
    )""",
    "CREATE VIRTUAL TABLE search_fts_terms USING fts5vocab(search_fts, row)",
    *INDEX_TRIGGERS.values(),
]
"""``search_fts_terms``: how many entries hold each (stemmed) term, so a search can leave out the most common."""
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
        op.execute("DROP TABLE IF EXISTS search_fts_terms")
        op.execute("DROP TABLE IF EXISTS search_fts_discussion")
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_search_documents_search_vector")
        op.execute("ALTER TABLE search_documents DROP COLUMN IF EXISTS search_vector")
