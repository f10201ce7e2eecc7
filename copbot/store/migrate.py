"""Apply Alembic migrations from inside copbot, sharing the app's async engine."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from copbot.store import search_index

log = logging.getLogger(__name__)

SEARCH_INDEX_PREFIX = "search_fts"
SEARCH_INDEX_OBJECTS = {"search_vector", "ix_search_documents_search_vector", "ix_search_documents_rum", "pg_vector"}
TRIGGER_TABLES = {"web_content_version"}
"""Counters only triggers write (migration 0011_web_version): no model, so the comparison skips them."""


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave the full-text index objects and trigger counters to the migrations: the model comparison skips them."""
    if name is None:
        return True
    if type_ == "table" and (name.startswith(SEARCH_INDEX_PREFIX) or name in TRIGGER_TABLES):
        return False
    return name not in SEARCH_INDEX_OBJECTS


def migrations_directory() -> Path:
    """Where the migration scripts live (shipped inside the package as ``copbot/migrations``)."""
    return Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at copbot's migrations, optionally bound to a live connection."""
    config = Config()
    config.set_main_option("script_location", str(migrations_directory()))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest migration revision."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


MIGRATION_LOCK = 0x636F70626F74
"""PostgreSQL advisory lock key held while a process checks and upgrades the schema ("copbot" in ASCII)."""


async def _serialise(connection: AsyncConnection) -> None:
    """Make this transaction the only one checking and upgrading the schema until it ends.

    PostgreSQL: a transaction-scoped advisory lock, so concurrent starts wait and then find the schema at head.
    SQLite: ``BEGIN IMMEDIATE`` takes the write lock before the revision is read (Python's sqlite3 would otherwise
    run the first ``CREATE TABLE`` outside any transaction); the others wait up to the busy timeout.
    """
    if connection.dialect.name == "postgresql":
        await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    elif connection.dialect.name == "sqlite":
        await connection.exec_driver_sql("BEGIN IMMEDIATE")


async def upgrade(engine: AsyncEngine, revision: str = "head", *, restore_index: bool = True) -> str | None:
    """Bring the database to ``revision`` (default: the newest); returns the revision it is at. With
    ``restore_index`` it also builds a RUM index an interrupted import left missing (``search_index.restore``)."""

    def run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), revision)

    async with engine.begin() as connection:
        await _serialise(connection)
        before = await connection.run_sync(_current)
        await connection.run_sync(run)
        after = await connection.run_sync(_current)
    if before != after:
        log.info("database migrated from %s to %s", before or "empty", after)
    if restore_index:
        await search_index.restore(engine)
    return after


async def downgrade(engine: AsyncEngine, revision: str) -> str | None:
    """Take the database back to ``revision`` (``base`` empties it)."""

    def run(connection: Connection) -> None:
        command.downgrade(alembic_config(connection), revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)
        return await connection.run_sync(_current)
