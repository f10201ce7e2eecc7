"""SQLite search in two stages: the rarest words find the candidates, every word of the question scores them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.knowledge.interchange.jsonl import import_lines
from copbot.knowledge.search import sqlite as search_sqlite
from copbot.knowledge.search.backend import search
from copbot.knowledge.search.filters import SearchFilters
from copbot.members.visibility import Audience
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory

SOIL = 40
"""Entries holding only the common word "soil", more than the first stage's (patched) budget."""
OTHER = 80
"""Entries without either word (so "soil" weighs something in bm25)."""


@pytest.fixture
async def beds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """``SOIL`` soil entries, ``OTHER`` others, three zebra entries (one private to a room); first-stage budget 5."""
    monkeypatch.setattr(search_sqlite, "STAGE_BUDGET", 5)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'stages.sqlite3'}")
    try:
        await migrate.upgrade(engine)
        sessions = session_factory(engine)
        lines = [json.dumps({"id": f"s{n}", "title": f"bed {n}", "question": "soil soil soil soil"}) for n in
                 range(SOIL)]  # fmt: skip
        lines += [json.dumps({"id": f"o{n}", "title": f"pond {n}", "question": "fish and frogs"}) for n in range(OTHER)]
        lines += [json.dumps({"id": "z1", "title": "zebra", "question": "a zebra"}),
                  json.dumps({"id": "z2", "title": "zebra soil", "question": "zebra in the soil, soil again"}),
                  json.dumps({"id": "z3", "title": "zebra soil", "question": "private zebra soil soil"})]  # fmt: skip
        assert (await import_lines(sessions, lines)).created == SOIL + OTHER + 3
        async with sessions.begin() as session:
            await session.execute(text("UPDATE knowledge_entries SET source_public = 0, source_platform = 'matrix',"
                                       " source_room = '!secret' WHERE public_id = 'z3'"))  # fmt: skip
        yield sessions
    finally:
        await engine.dispose()


async def test_every_word_scores_the_candidates_the_rarest_found(beds: async_sessionmaker[AsyncSession]) -> None:
    async with beds() as session:
        hits = await search(session, "zebra soil")
        everything = '"zebra" OR "soil"'
        index = {str(row[0]): -float(row[1]) for row in await session.execute(text(
            "SELECT k.public_id, bm25(search_fts) FROM search_fts JOIN knowledge_entries AS k"
            " ON k.id = search_fts.rowid WHERE search_fts MATCH :q"), {"q": everything})}  # fmt: skip
    # The first stage ranks only "zebra" (soil's postings are over the budget): the zebra entries, not a soil bed.
    assert sorted(hit.public_id for hit in hits) == ["z1", "z2", "z3"]
    assert [hit.public_id for hit in hits] == sorted(["z1", "z2", "z3"], key=lambda public_id: -index[public_id])
    for hit in hits:  # ... and each is scored with both words, as FTS5's bm25 of the whole question scores it
        assert hit.score == pytest.approx(index[hit.public_id], rel=1e-9)
    assert "**soil**" in hits[0].snippet.lower() and "**zebra**" in hits[0].snippet.lower()


async def test_the_first_stage_applies_the_visibility_rule(beds: async_sessionmaker[AsyncSession]) -> None:
    async with beds() as session:
        elsewhere = await search(session, "zebra soil", SearchFilters(audience=Audience("matrix", "!other")))
        inside = await search(session, "zebra soil", SearchFilters(audience=Audience("matrix", "!secret")))
    assert sorted(hit.public_id for hit in elsewhere) == ["z1", "z2"]
    assert sorted(hit.public_id for hit in inside) == ["z1", "z2", "z3"]
