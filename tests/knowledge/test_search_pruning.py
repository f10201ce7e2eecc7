"""Search pruning: words no entry holds do not count toward the kept minimum, so the common word still finds."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.knowledge.interchange.jsonl import import_lines
from copbot.knowledge.search import postgres as search_postgres
from copbot.knowledge.search import words as search_words
from copbot.knowledge.search.backend import search
from copbot.knowledge.search.words import keep_rarest
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory

ENTRIES = 60
BUDGET = 10
"""Smaller than the entries holding "soil", as 200,000 entries are against the real budgets."""


def test_words_without_postings_do_not_count_toward_the_minimum() -> None:
    assert keep_rarest([200_000, 0, 0], budget=50_000, at_least=2) == [0, 1, 2]
    assert keep_rarest([200_000, 5, 0, 300_000], budget=50_000, at_least=2) == [0, 1, 2]
    assert keep_rarest([10, 20, 30], budget=15, at_least=2) == [0, 1]


@pytest.fixture
async def soil(database_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """ENTRIES entries that all hold "soil", statistics fresh, and search budgets below ENTRIES."""
    monkeypatch.setattr(search_words, "POSTINGS_BUDGET", BUDGET)
    monkeypatch.setattr(search_postgres, "ROWS_BUDGET", BUDGET)
    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        sessions = session_factory(engine)
        lines = [json.dumps({"id": f"e{n}", "title": f"bed {n}", "question": f"my soil is dry {n}"}) for n in
                 range(ENTRIES)]  # fmt: skip
        assert (await import_lines(sessions, lines)).created == ENTRIES
        async with sessions.begin() as session:
            if session.get_bind().dialect.name == "postgresql":
                await session.execute(text("ANALYZE search_documents"))
        yield sessions
    finally:
        await engine.dispose()


async def test_soil_xyzzy_plugh_still_finds_the_soil_entries(soil: async_sessionmaker[AsyncSession]) -> None:
    async with soil() as session:
        alone = await search(session, "soil")
        padded = await search(session, "soil xyzzy plugh")
    assert len(alone) == 10
    assert [hit.public_id for hit in padded] == [hit.public_id for hit in alone]
