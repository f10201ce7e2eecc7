"""Database engine and session factory: SQLite tuned for a long-running bot, or PostgreSQL."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from copbot.core.clock import Clock, SystemClock
from copbot.store.scope import SCOPE_KEY, Scope
from copbot.store.sqlite_driver import one_trip_dbapi
from copbot.store.types import CLOCK_OPTION

log = logging.getLogger(__name__)


def is_sqlite(url: str) -> bool:
    """Whether ``url`` points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


WAL_CHECKPOINT_PAGES = 4000
"""Pages (4 KiB each) the write-ahead log holds before a commit copies them into the database file (SQLite's default
is 1,000). The commit that checkpoints copies and syncs, 5-10 ms against half a millisecond; ingest commits a batch
every few milliseconds, and a page written by several batches is copied once per checkpoint. The log stays under
about 16 MiB."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
    cursor.close()


def ensure_sqlite_directory(url: str) -> None:
    """Create the directory that will hold a SQLite file."""
    database = make_url(url).database
    if is_sqlite(url) and database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout, PostgreSQL no JIT."""
    ensure_sqlite_directory(url)
    if is_sqlite(url):
        module = one_trip_dbapi() if make_url(url).get_driver_name() == "aiosqlite" else None
        engine = create_async_engine(url, echo=echo, module=module)  # None: SQLAlchemy's own adapter
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    arguments: dict[str, Any] = {}
    if make_url(url).get_driver_name() == "asyncpg":
        arguments["connect_args"] = {"server_settings": POSTGRES_SETTINGS}
    return create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=5, **arguments)


POSTGRES_SETTINGS = {"jit": "off"}
"""Per connection. JIT compiles a plan whose estimated cost is high, and the estimates of full-text statements
with a subquery per word are high: compiling cost 20 ms of a 25 ms search at a million entries. The bot's
statements are short; JIT pays only in long analytical queries."""


def session_factory(engine: AsyncEngine, clock: Clock | None = None) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit, sharing one per-application scope and clock."""
    scope = Scope(clock=clock or SystemClock())
    bound = engine.execution_options(**{CLOCK_OPTION: scope.clock})
    return async_sessionmaker(bound, expire_on_commit=False, info={SCOPE_KEY: scope})


def sync_url(url: str) -> str:
    """The same database through a synchronous driver (for APScheduler's job store)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.set(drivername="sqlite").render_as_string(hide_password=False)
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def describe_url(url: str) -> str:
    """The database URL as a person may see it: the password masked, a SQLite file as its path."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite file {parsed.database}" if parsed.database else "SQLite in memory"
    return parsed.render_as_string(hide_password=True)


def sqlite_path(url: str) -> Path | None:
    """The file a SQLite URL names (None for other stores and for in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)
