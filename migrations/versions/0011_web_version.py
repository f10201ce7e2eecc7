"""web pages: a version counter of everything an entry page, a list or the sitemap shows (bumped by triggers)

Revision ID: 0011_web_version
Revises: 0010_backfill
Create Date: 2026-12-01 21:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011_web_version"
down_revision: str | Sequence[str] | None = "0010_backfill"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSION_TABLE = "CREATE TABLE web_content_version (id INTEGER PRIMARY KEY, version BIGINT NOT NULL)"
BUMP = (
    "INSERT INTO web_content_version (id, version) VALUES (1, 1)"
    " ON CONFLICT (id) DO UPDATE SET version = web_content_version.version + 1"
)
"""One row; any write that can change what the web shows bumps it, so the web server's cache of rendered pages
(in any process: ``copbot web`` beside the bot) knows by reading one row that what it kept may be stale."""
TABLES = ("knowledge_entries", "entry_messages", "entry_tags", "tags", "search_documents", "entry_numbers")
"""What ``copbot.web.queries`` reads (search documents: lists and the sitemap; entry numbers: 410 or 404)."""
MEMBER_COLUMNS = "capture_opt_out, web_opt_out, display_name"
"""Members' consent and names (``/privacy stop``, ``/privacy web off``, a rename); other member writes are not
shown and do not empty the cache."""
SQLITE_STATEMENTS = [
    VERSION_TABLE,
    "INSERT INTO web_content_version (id, version) VALUES (1, 0)",
    *(
        f"CREATE TRIGGER web_content_version_{table}_{event[0].lower()} AFTER {event} ON {table} BEGIN {BUMP}; END"
        for table in TABLES
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
    f"CREATE TRIGGER web_content_version_members_u AFTER UPDATE OF {MEMBER_COLUMNS} ON members BEGIN {BUMP}; END",
    f"CREATE TRIGGER web_content_version_members_d AFTER DELETE ON members BEGIN {BUMP}; END",
]
"""SQLite: row triggers (one single-row UPDATE each)."""
POSTGRES_STATEMENTS = [
    VERSION_TABLE,
    "INSERT INTO web_content_version (id, version) VALUES (1, 0)",
    f"""CREATE FUNCTION web_content_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {BUMP};
        RETURN NULL;
    END $$""",
    *(
        f"""CREATE TRIGGER web_content_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION web_content_version_bump()"""
        for table in TABLES
    ),
    f"""CREATE TRIGGER web_content_version_bump AFTER UPDATE OF {MEMBER_COLUMNS} OR DELETE OR TRUNCATE ON members
        FOR EACH STATEMENT EXECUTE FUNCTION web_content_version_bump()""",
]
"""PostgreSQL: statement triggers, so a bulk import bumps the counter once per statement, not once per row."""


def upgrade() -> None:
    statements = SQLITE_STATEMENTS if op.get_bind().dialect.name == "sqlite" else POSTGRES_STATEMENTS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for event in "iud":
                op.execute(f"DROP TRIGGER IF EXISTS web_content_version_{table}_{event}")
        for event in "ud":
            op.execute(f"DROP TRIGGER IF EXISTS web_content_version_members_{event}")
    else:
        for table in (*TABLES, "members"):
            op.execute(f"DROP TRIGGER IF EXISTS web_content_version_bump ON {table}")
        op.execute("DROP FUNCTION IF EXISTS web_content_version_bump()")
    op.execute("DROP TABLE IF EXISTS web_content_version")
