"""search on PostgreSQL: a RUM index that ranks inside, when the server has the extension (never fails without it)

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


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
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
    bind.execute(text(f"DROP INDEX IF EXISTS {RUM_INDEX}"))
    try:
        with bind.begin_nested():  # something else may use the extension: then it stays
            bind.execute(text("DROP EXTENSION IF EXISTS rum"))
    except DBAPIError as error:
        log.warning("the RUM extension stays (%s)", error.orig)
