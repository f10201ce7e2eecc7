"""search on PostgreSQL: how many entries hold each lexeme, counted once after an import instead of per search

Revision ID: 0013_search_lexemes
Revises: 0012_search_rum
Create Date: 2026-12-02 04:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013_search_lexemes"
down_revision: str | Sequence[str] | None = "0012_search_rum"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "CREATE TABLE search_fts_lexemes (lexeme TEXT PRIMARY KEY, outside INTEGER NOT NULL, inside INTEGER NOT NULL)"
"""Per lexeme: entries holding it outside the discussion (weights A-C) and in it (D), as of the last refresh
(``copbot.knowledge.search.pg_lexemes``); a lexeme not listed is counted by the search that needs it."""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(TABLE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS search_fts_lexemes")
