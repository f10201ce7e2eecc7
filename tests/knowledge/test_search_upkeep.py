"""PostgreSQL: the running bot counts the search lexemes again as the repository grows past the last count."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.config.settings import parse_settings
from copbot.knowledge.interchange.jsonl import ANALYZE_AFTER, import_lines
from copbot.knowledge.search import pg_lexemes, upkeep
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory
from tests.pg_support import TestDatabase

FIRST = upkeep.AT_LEAST + 100
assert FIRST < ANALYZE_AFTER, "an import this small must not count the lexemes itself"


def _lines(start: int, count: int) -> list[str]:
    return [json.dumps({"id": f"e{n}", "title": f"bed {n}", "question": "compost heap"}) for n in range(start, count)]


async def _compost(sessions: async_sessionmaker[AsyncSession]) -> tuple[int | None, str | None]:
    """The counted entries holding "compost", and the entries recorded at the last count."""
    async with sessions() as session:
        held = await session.scalar(text("SELECT outside FROM search_fts_lexemes WHERE lexeme = 'compost'"))
        recorded = await session.scalar(
            text("SELECT value FROM kv_state WHERE key = :k"), {"k": pg_lexemes.COUNTED_KEY}
        )
    return held, recorded


async def test_counts_follow_the_growth_of_the_repository(fresh_postgres: TestDatabase) -> None:
    engine = create_engine(fresh_postgres.url)
    try:
        await migrate.upgrade(engine)
        sessions = session_factory(engine)
        assert (await import_lines(sessions, _lines(0, FIRST))).created == FIRST
        assert await _compost(sessions) == (None, None), "nothing counted yet: every search counts its words live"
        assert await upkeep.refresh_if_stale(sessions)
        assert await _compost(sessions) == (FIRST, str(FIRST))
        assert not await upkeep.refresh_if_stale(sessions), "counted once, not at every look"
        grown = FIRST + upkeep.AT_LEAST - 1
        await import_lines(sessions, _lines(FIRST, grown))
        assert not await upkeep.refresh_if_stale(sessions), "a few new entries change little"
        await import_lines(sessions, _lines(grown, grown + 1))
        assert await upkeep.refresh_if_stale(sessions)
        assert await _compost(sessions) == (grown + 1, str(grown + 1))
        async with sessions.begin() as session:  # a record without its counts (as a copied kv_state would be)
            await session.execute(text("DELETE FROM search_fts_lexemes"))
        assert await upkeep.refresh_if_stale(sessions)
        assert await _compost(sessions) == (grown + 1, str(grown + 1))
    finally:
        await engine.dispose()


async def test_one_process_counts_at_a_time(fresh_postgres: TestDatabase) -> None:
    engine = create_engine(fresh_postgres.url)
    try:
        await migrate.upgrade(engine)
        sessions = session_factory(engine)
        await import_lines(sessions, _lines(0, FIRST))
        async with engine.connect() as other:
            await other.execute(text("SELECT pg_advisory_lock(:lock)"), {"lock": upkeep.LOCK})
            assert not await upkeep.refresh_if_stale(sessions), "another process is counting"
            await other.execute(text("SELECT pg_advisory_unlock(:lock)"), {"lock": upkeep.LOCK})
        assert await upkeep.refresh_if_stale(sessions)
    finally:
        await engine.dispose()


async def test_the_running_bot_counts_them(fresh_postgres: TestDatabase) -> None:
    engine = create_engine(fresh_postgres.url)
    try:
        await migrate.upgrade(engine)
        await import_lines(session_factory(engine), _lines(0, FIRST))
    finally:
        await engine.dispose()
    app = Application(parse_settings(f'[database]\nurl = "{fresh_postgres.url}"\n', source="t.toml"),
                      adapters=[MemoryAdapter()])  # fmt: skip
    await app.start()
    try:
        assert app.services is not None
        for _ in range(100):
            if (await _compost(app.services.sessions))[0] is not None:
                break
            await asyncio.sleep(0.1)
        assert await _compost(app.services.sessions) == (FIRST, str(FIRST))
    finally:
        await app.stop()


async def test_sqlite_has_nothing_to_count(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'kb.sqlite3'}")
    try:
        await migrate.upgrade(engine)
        sessions = session_factory(engine)
        await import_lines(sessions, _lines(0, FIRST))
        assert not await upkeep.refresh_if_stale(sessions)
    finally:
        await engine.dispose()
