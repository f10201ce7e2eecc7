"""``search_words`` (migration 0012) keeps each lexeme's entries exact through inserts, updates and deletes."""

from __future__ import annotations

import json

from sqlalchemy import text

from copbot.knowledge.interchange.jsonl import import_lines
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory
from tests.pg_support import TestDatabase

RECOUNT = text(
    "SELECT u.lexeme, count(*), count(*) FILTER (WHERE u.weights && '{A,B,C}'::text[]),"
    " count(*) FILTER (WHERE 'D' = ANY(u.weights)) FROM search_documents AS r"
    " CROSS JOIN LATERAL unnest(r.search_vector) AS u GROUP BY u.lexeme"
    " UNION ALL SELECT '', count(*), count(*), count(*) FROM search_documents"
)
KEPT = text("SELECT lexeme, held, main, talk FROM search_words WHERE held > 0 OR lexeme = ''")


def _entry(number: int, question: str) -> str:
    comments = [{"author": "u1", "text": f"try the valve {number}"}] if number % 2 else []
    return json.dumps({"id": f"w{number}", "title": "pump", "question": question, "messages": comments})


async def test_the_counts_follow_every_write(postgres_database: TestDatabase) -> None:
    postgres_database.empty()
    engine = create_engine(postgres_database.url)
    try:
        await migrate.upgrade(engine)
        sessions = session_factory(engine)

        async def agree() -> dict[str, tuple[int, int, int]]:
            async with sessions() as session:
                recount = {str(row[0]): tuple(map(int, row[1:])) for row in (await session.execute(RECOUNT)).all()}
                kept = {str(row[0]): tuple(map(int, row[1:])) for row in (await session.execute(KEPT)).all()}
            assert kept == recount
            return kept

        assert (await agree())[""] == (0, 0, 0)
        report = await import_lines(sessions, [_entry(n, f"heater fuse {n % 3}") for n in range(6)])
        assert report.errors == []
        counts = await agree()
        assert counts["pump"] == (6, 6, 0) and counts["valv"] == (3, 0, 3) and counts[""] == (6, 6, 6)
        async with sessions.begin() as session:
            await session.execute(text("UPDATE search_documents SET question = 'frost cloth' WHERE entry_id <= 2"))
            await session.execute(text("DELETE FROM search_documents WHERE entry_id = 6"))
        counts = await agree()
        assert counts["frost"] == (2, 2, 0) and counts["heater"] == (3, 3, 0) and counts[""] == (5, 5, 5)
        async with sessions.begin() as session:
            await session.execute(text("TRUNCATE search_documents"))
        assert await agree() == {"": (0, 0, 0)}
    finally:
        await engine.dispose()
