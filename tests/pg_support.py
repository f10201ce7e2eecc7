"""A throw-away PostgreSQL database for one test session, emptied (not re-migrated) before each test."""

from __future__ import annotations

import os
import secrets

import psycopg
from psycopg import sql

from copbot.store import migrate
from copbot.store.schema import METADATA

SERVER = os.environ.get("COPBOT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
"""The PostgreSQL server the tests use (a libpq URL without a database name)."""
STORES = tuple(os.environ.get("COPBOT_TEST_STORES", "sqlite,postgresql").replace(" ", "").split(","))
"""Which stores the shared fixtures run each test against (CI: both)."""


class TestDatabase:
    """``copbot_test_<random>`` on the server: created once, emptied between tests, dropped at the end."""

    __test__ = False

    def __init__(self, server: str = SERVER) -> None:
        self.server = server.rstrip("/")
        self.name = f"copbot_test_{secrets.token_hex(4)}"
        self.created = False

    @property
    def libpq_url(self) -> str:
        """The database for psycopg and other libpq clients."""
        return f"{self.server}/{self.name}"

    @property
    def url(self) -> str:
        """The database as copbot's ``database.url``."""
        return "postgresql+asyncpg://" + self.libpq_url.split("://", 1)[1]

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(f"{self.server}/postgres", autocommit=True)

    def create(self) -> None:
        """Create the empty database (copbot migrates it on first use)."""
        with self._admin() as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        self.created = True

    def drop(self) -> None:
        """Drop the database, closing any connection a test left open."""
        if not self.created:
            return
        with self._admin() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))
        self.created = False

    def empty(self) -> None:
        """Delete every row and restart every sequence; the schema (and its migration revision) stays.

        DELETE in reverse foreign-key order takes ~8 ms here; TRUNCATE ... RESTART IDENTITY CASCADE ~440 ms and
        dropping the schema and migrating again ~800 ms. A schema that is not at head is dropped instead.
        """
        with psycopg.connect(self.libpq_url, autocommit=True) as connection:
            connection.execute("SET lock_timeout = '10s'")
            present = {
                row[0] for row in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            }
            wanted = {table.name for table in METADATA.sorted_tables}
            at_head = "alembic_version" in present and connection.execute(
                "SELECT version_num FROM alembic_version"
            ).fetchall() == [(migrate.head_revision(),)]
            if not (wanted <= present and at_head):
                connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
                return
            sequences = [
                row[0]
                for row in connection.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
            ]
            statements = [
                sql.SQL("DELETE FROM {}").format(sql.Identifier(table.name))
                for table in reversed(METADATA.sorted_tables)
            ]
            statements += [sql.SQL("ALTER SEQUENCE {} RESTART").format(sql.Identifier(name)) for name in sequences]
            with connection.transaction():
                connection.execute(sql.SQL("; ").join(statements))
