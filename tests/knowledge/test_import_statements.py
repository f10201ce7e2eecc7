"""A bulk import sends a batch's rows in a few statements on every store, so per-statement triggers fire a few times."""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.knowledge.interchange.jsonl import import_lines
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory

ENTRIES = 300
COUNTERS = ("search_fts_version", "web_content_version")
"""One-row version counters that triggers bump, and caches of search and web pages key on."""


def lines(count: int) -> list[str]:
    """Entries with an answer, two discussion messages and a tag each."""
    return [
        json.dumps({"id": f"s{n}", "title": f"title {n}", "question": f"question {n}", "tags": ["kiln"],
                    "answers": [f"answer {n}"], "messages": [{"text": f"talk {n}"}, {"text": f"more {n}"}]})
        for n in range(count)
    ]  # fmt: skip


async def versions(session: AsyncSession) -> list[int]:
    return [int(await session.scalar(text(f"SELECT coalesce(max(version), 0) FROM {name}")) or 0) for name in COUNTERS]


async def test_import_bumps_the_version_counters_once_per_statement_not_per_row(database_url: str) -> None:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    try:
        sessions = session_factory(engine)
        async with sessions() as session:
            before = await versions(session)
        report = await import_lines(sessions, lines(ENTRIES))
        assert report.created == ENTRIES
        async with sessions() as session:
            after = await versions(session)
            stored = await session.scalar(text("SELECT count(*) FROM entry_messages"))
        assert stored == ENTRIES * 4  # question, answer and two messages each
        assert all(a > b for a, b in zip(after, before, strict=True))  # the caches see the import
        if engine.dialect.name == "postgresql":
            # statement triggers: a plain executemany runs the INSERT once per row and bumped them per row
            assert all(a - b < 20 for a, b in zip(after, before, strict=True)), (before, after)
    finally:
        await engine.dispose()
