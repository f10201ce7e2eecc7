"""SQLite through aiosqlite: one trip per statement to the driver's thread, what SQLAlchemy reads, the pragmas."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from copbot.store.engine import WAL_CHECKPOINT_PAGES, create_engine
from copbot.store.sqlite_driver import OneTripCursor


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A SQLite file's engine, as the bot makes it."""
    made = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.sqlite3'}")
    yield made
    await made.dispose()


class Trips:
    """Counts the calls aiosqlite runs on its thread."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = aiosqlite.Connection._execute

        async def counted(connection: aiosqlite.Connection, fn: object, *args: object, **kwargs: object) -> object:
            self.count += 1
            return await original(connection, fn, *args, **kwargs)  # type: ignore[no-untyped-call]

        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)


async def test_a_statement_is_one_trip_and_reads_as_before(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips = Trips(monkeypatch)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
        before = trips.count
        inserted = await connection.execute(text("INSERT INTO t (name) VALUES ('a')"))
        assert trips.count == before + 1  # the stock adapter: cursor, execute, close
        assert inserted.rowcount == 1 and inserted.lastrowid == 1
        many = await connection.execute(text("INSERT INTO t (name) VALUES (:name)"), [{"name": "b"}, {"name": "c"}])
        assert many.rowcount == 2 and trips.count == before + 2
        rows = await connection.execute(text("SELECT id, name FROM t ORDER BY id"))
        assert trips.count == before + 3  # the stock adapter: cursor, execute, fetchall, close
        assert list(rows.keys()) == ["id", "name"]
        assert rows.all() == [(1, "a"), (2, "b"), (3, "c")]
        returned = await connection.execute(text("INSERT INTO t (name) VALUES ('d') RETURNING id, name"))
        assert returned.one() == (4, "d")
        updated = await connection.execute(text("UPDATE t SET name = name || '!' WHERE id > 2"))
        assert updated.rowcount == 2


async def test_a_failed_statement_raises_as_sqlalchemy_says_and_the_connection_goes_on(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (name TEXT UNIQUE)"))
        await connection.execute(text("INSERT INTO t VALUES ('a')"))
    async with engine.connect() as connection:
        with pytest.raises(IntegrityError, match="UNIQUE constraint failed"):
            await connection.execute(text("INSERT INTO t VALUES ('a')"))
        await connection.rollback()
        assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar() == 1


async def test_streamed_results_still_come_in_chunks(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (n INTEGER)"))
        await connection.execute(text("INSERT INTO t VALUES (:n)"), [{"n": n} for n in range(500)])
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, aiosqlite.Connection)
        streamed = await connection.stream(text("SELECT n FROM t ORDER BY n"))
        # A server-side cursor, fetched lazily in chunks, not one trip for everything:
        assert not isinstance(cast(Any, streamed)._real_result.cursor, OneTripCursor)
        seen = [row.n async for row in streamed]
    assert seen == list(range(500))


async def test_every_connection_is_set_for_a_long_running_bot(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        settings = {
            name: (await connection.execute(text(f"PRAGMA {name}"))).scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout", "wal_autocheckpoint")
        }
    assert settings == {
        "journal_mode": "wal", "synchronous": 1, "foreign_keys": 1, "busy_timeout": 10000,
        "wal_autocheckpoint": WAL_CHECKPOINT_PAGES,
    }  # fmt: skip
