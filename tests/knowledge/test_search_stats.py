"""Word statistics for suggestions: remembered between calls, dropped as soon as the searchable text changes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.knowledge.entries import EntryDraft, save_entry
from copbot.knowledge.search.backend import backend_for, coverage
from copbot.knowledge.search.stats import word_statistics
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory


class Counting:
    """A backend that counts its calls: the statistics must be reused, not recounted."""

    def __init__(self, dialect: str) -> None:
        self.inner = backend_for(dialect)
        self.totals = self.words = 0

    async def document_count(self, session: AsyncSession) -> int:
        self.totals += 1
        return await self.inner.document_count(session)

    async def word_frequencies(self, session: AsyncSession, tokens: Sequence[str], total: int) -> dict[str, int]:
        self.words += len(tokens)
        return await self.inner.word_frequencies(session, tokens, total)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    factory = session_factory(engine)
    async with factory.begin() as session:
        for number in range(3):
            await save_entry(session, EntryDraft(f"Proxy {number}", "pip behind a proxy", [], [], []))
        await save_entry(session, EntryDraft("Pizza", "where to order pizza", [], [], []))
    try:
        yield factory
    finally:
        await engine.dispose()


async def test_statistics_are_reused_until_an_entry_is_written(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        counter = Counting(session.get_bind().dialect.name)
        assert await word_statistics(session, counter, ["proxy", "pizza"]) == (4, {"proxy": 3, "pizza": 1})
        assert await word_statistics(session, counter, ["pizza", "proxy"]) == (4, {"pizza": 1, "proxy": 3})
        assert (counter.totals, counter.words) == (1, 2)
    async with sessions.begin() as session:
        await save_entry(session, EntryDraft("Pizza again", "pizza toppings", [], [], []))
    async with sessions() as session:
        assert await word_statistics(session, counter, ["pizza"]) == (5, {"pizza": 2})
        assert (counter.totals, counter.words) == (2, 3)
    async with sessions.begin() as session:
        await session.execute(text("DELETE FROM search_documents"))
    async with sessions() as session:
        assert await word_statistics(session, counter, ["pizza"]) == (0, {"pizza": 0})


async def test_coverage_weighs_rare_words_and_sees_new_entries(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        ids = [int(row[0]) for row in await session.execute(text("SELECT entry_id FROM search_documents ORDER BY 1"))]
        scores = await coverage(session, ["proxy", "pizza"], ids)
    assert scores[ids[0]] < scores[ids[3]] < 1.0  # pizza (in 1 of 4) weighs more than proxy (in 3 of 4)
    async with sessions.begin() as session:
        await save_entry(session, EntryDraft("Proxy and pizza", "proxy pizza", [], [], []))
    async with sessions() as session:
        new = int(await session.scalar(text("SELECT max(entry_id) FROM search_documents")) or 0)
        assert (await coverage(session, ["proxy", "pizza"], [new]))[new] == pytest.approx(1.0)
