"""search on PostgreSQL: each lexeme's entries kept on write; a RUM index that ranks inside, when the server has
the extension (the migration never fails without it)

Revision ID: 0012_search_rum
Revises: 0011_web_version
Create Date: 2026-12-02 00:00:00
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from alembic import op
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

revision: str = "0012_search_rum"
down_revision: str | Sequence[str] | None = "0011_web_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)

RUM_INDEX = "ix_search_documents_rum"
"""The search backend looks for this index (valid and ready) to choose its candidate path."""
STATEMENTS = (
    "CREATE EXTENSION IF NOT EXISTS rum",
    f"CREATE INDEX IF NOT EXISTS {RUM_INDEX} ON search_documents USING rum (search_vector rum_tsvector_ops)",
)
"""The RUM index keeps each lexeme's positions and weights, so ``ORDER BY search_vector <=> query LIMIT k`` ranks
in the index instead of reading every match's tsvector from the table; the GIN index stays for the servers
without the extension and for searches within named entries."""


WORDS = (
    """CREATE TABLE search_words (lexeme TEXT PRIMARY KEY, held BIGINT NOT NULL, main BIGINT NOT NULL,
        talk BIGINT NOT NULL)""",
    """CREATE FUNCTION search_words_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE search_words AS w SET held = w.held - c.held, main = w.main - c.main, talk = w.talk - c.talk
            FROM ({old}) AS c WHERE w.lexeme = c.lexeme;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO search_words AS w (lexeme, held, main, talk) {new}
            ORDER BY 1 ON CONFLICT (lexeme) DO UPDATE
            SET held = w.held + excluded.held, main = w.main + excluded.main, talk = w.talk + excluded.talk;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION search_words_empty() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM search_words WHERE lexeme <> '';
        UPDATE search_words SET held = 0, main = 0, talk = 0;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER search_words_i AFTER INSERT ON search_documents REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION search_words_count()""",
    """CREATE TRIGGER search_words_u AFTER UPDATE ON search_documents
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION search_words_count()""",
    """CREATE TRIGGER search_words_d AFTER DELETE ON search_documents REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION search_words_count()""",
    """CREATE TRIGGER search_words_t AFTER TRUNCATE ON search_documents
        FOR EACH STATEMENT EXECUTE FUNCTION search_words_empty()""",
    "INSERT INTO search_words (lexeme, held, main, talk) {existing}",
)
"""Entries holding each lexeme anywhere (``held``), outside the discussion (``main``: weights A-C) and in it
(``talk``: D), exact and kept by statement triggers (one aggregated upsert per statement; they fire after the
``search_fts_version`` bump, whose row lock already orders concurrent writers), so BM25 weighs each part of an
entry by its own document frequency, as SQLite's two FTS5 tables do, and the pruning knows what a word costs
without counting its postings."""


def _counted(rows: str) -> str:
    """Per lexeme of ``rows``: the entries holding it anywhere, outside the discussion, in it; and under the
    empty lexeme (no lexeme is empty) the entries themselves, so the total is one row too."""
    return (
        "SELECT u.lexeme, count(*) AS held, count(*) FILTER (WHERE u.weights && '{A,B,C}'::text[]) AS main,"
        f" count(*) FILTER (WHERE 'D' = ANY(u.weights)) AS talk FROM {rows} AS r"
        " CROSS JOIN LATERAL unnest(r.search_vector) AS u GROUP BY u.lexeme"
        f" UNION ALL SELECT '', count(*), count(*), count(*) FROM {rows}"
    )


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for statement in WORDS:
        sources = {"old": _counted("old_rows"), "new": _counted("new_rows"), "existing": _counted("search_documents")}
        bind.execute(text(statement.format(**sources)))
    if not bind.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")).scalar():
        log.info("PostgreSQL has no RUM extension: search keeps the GIN index")
        return
    try:
        with bind.begin_nested():  # a savepoint: a refusal (not a superuser) leaves the migration going
            for statement in STATEMENTS:
                bind.execute(text(statement))
    except DBAPIError as error:
        log.warning("the RUM index was not created (%s): search keeps the GIN index", error.orig)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for event in "iudt":
        bind.execute(text(f"DROP TRIGGER IF EXISTS search_words_{event} ON search_documents"))
    bind.execute(text("DROP FUNCTION IF EXISTS search_words_count()"))
    bind.execute(text("DROP FUNCTION IF EXISTS search_words_empty()"))
    bind.execute(text("DROP TABLE IF EXISTS search_words"))
    bind.execute(text(f"DROP INDEX IF EXISTS {RUM_INDEX}"))
    try:
        with bind.begin_nested():  # something else may use the extension: then it stays
            bind.execute(text("DROP EXTENSION IF EXISTS rum"))
    except DBAPIError as error:
        log.warning("the RUM extension stays (%s)", error.orig)
