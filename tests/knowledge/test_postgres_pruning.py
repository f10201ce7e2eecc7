"""PostgreSQL search leaves out words so common that ranking their matches would cost too much."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from copbot.knowledge.interchange.jsonl import import_lines
from copbot.knowledge.search.backend import search
from copbot.knowledge.search.filters import SearchFilters
from copbot.knowledge.search.postgres import selective_websearch_text
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory
from tests.pg_support import TestDatabase

ENTRIES = 6_000


def _entry(number: int) -> str:
    words = "alpha beta" + (" gamma" if number % 2 else "") + (" zebra" if number == 7 else "")
    return json.dumps({"id": f"e{number}", "title": f"note {number}", "question": words})


async def test_words_no_entry_holds_are_kept(fresh_postgres: TestDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = create_engine(fresh_postgres.url)
    try:
        await migrate.upgrade(engine)
        async with session_factory(engine)() as session:
            assert await selective_websearch_text(session, "alpha beta gamma") == "alpha or beta or gamma"
    finally:
        await engine.dispose()


async def test_common_words_leave_a_big_query_and_rare_ones_still_find(
    fresh_postgres: TestDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(fresh_postgres.url)
    try:
        await migrate.upgrade(engine)
        sessions = session_factory(engine)
        report = await import_lines(sessions, (_entry(n) for n in range(ENTRIES)))
        assert report.errors == []
        async with sessions() as session:
            analysed = await session.scalar(
                text("SELECT count(*) FROM pg_stats WHERE tablename = 'search_documents' AND attname = 'search_vector'")
            )
        assert analysed == 1, "a large import refreshes PostgreSQL's statistics itself"
        async with sessions() as session:
            assert await selective_websearch_text(session, "alpha beta gamma zebra") == "gamma or zebra"
            hits = await search(session, "alpha beta gamma zebra", SearchFilters(), limit=3)
        assert hits and hits[0].public_id == "e7"
    finally:
        await engine.dispose()
