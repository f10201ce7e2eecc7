"""PostgreSQL: a large import counts every lexeme once; searches read those counts and count only new words."""

from __future__ import annotations

import json

from sqlalchemy import event, text

from copbot.knowledge.interchange.jsonl import ANALYZE_AFTER, import_lines
from copbot.knowledge.search.backend import search
from copbot.knowledge.search.filters import SearchFilters
from copbot.knowledge.search.postgres import PostgresSearch
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory
from tests.pg_support import TestDatabase

ENTRIES = ANALYZE_AFTER + 200
ADD_WORD = text(
    "UPDATE search_documents SET question = question || ' bokashi'"
    " WHERE entry_id IN (SELECT id FROM knowledge_entries WHERE public_id = 'e4')"
)


def _entry(number: int) -> str:
    """Every entry says "compost"; every third "mulch" in its question; every fifth "mulch" only in a reply."""
    question = "compost heap" + (" mulch" if number % 3 == 0 else "")
    messages = [{"author": "ann", "text": "try mulch"}] if number % 5 == 0 else []
    return json.dumps({"id": f"e{number}", "title": f"bed {number}", "question": question, "messages": messages})


async def test_counts_come_from_the_table_after_an_import_and_new_words_are_counted_live(
    fresh_postgres: TestDatabase,
) -> None:
    engine = create_engine(fresh_postgres.url)
    try:
        await migrate.upgrade(engine)
        sessions = session_factory(engine)
        report = await import_lines(sessions, (_entry(n) for n in range(ENTRIES)))
        assert report.errors == [] and report.created == ENTRIES
        async with sessions() as session:
            rows = dict(
                (str(r[0]), (int(r[1]), int(r[2])))
                for r in await session.execute(text("SELECT lexeme, outside, inside FROM search_fts_lexemes"))
            )
        thirds = len(range(0, ENTRIES, 3))
        fifths = len(range(0, ENTRIES, 5))
        assert rows["compost"] == (ENTRIES, 0)
        assert rows["mulch"] == (thirds, fifths), "split as the ranking weighs it: question, and discussion"
        async with sessions.begin() as session:  # an entry written after the count: its rare word is counted live
            await session.execute(ADD_WORD)
        statements: list[str] = []
        event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(str(a[2])))
        async with sessions() as session:
            counts = await PostgresSearch().word_frequencies(session, ["compost", "bokashi", "mulch"], ENTRIES)
            hits = await search(session, "bokashi compost", SearchFilters(), limit=3)
        assert counts["compost"] == ENTRIES
        assert counts["bokashi"] == 1
        both = thirds + fifths - thirds * fifths // ENTRIES
        assert counts["mulch"] == both
        assert hits and hits[0].public_id == "e4"
        assert sum("search_fts_lexemes" in s for s in statements) >= 1
    finally:
        await engine.dispose()
