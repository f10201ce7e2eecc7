"""Search work per hit is bounded: a flooded thread and a 50 MB imported entry keep every search under budget."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.knowledge.entries import DraftMessage, EntryDraft, save_entry
from copbot.knowledge.interchange.jsonl import import_lines
from copbot.knowledge.search.backend import search
from copbot.knowledge.search.excerpt import INDEXED_CHARS, excerpt
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory
from copbot.store.models import EntryMessage, SearchDocument

SEARCH_BUDGET_SECONDS = 1.0
"""One search on this 2-core machine, worst case. A normal search takes 5-60 ms here (benchmarks/README.md); before
the bound the flooded thread took 204 s on SQLite and the 50 MB entry 23 s on PostgreSQL, so 1 s leaves a wide
margin for a loaded CI machine while any return of the quadratic cost (or an unbounded column) breaks it."""
WORD = "sprocket"
FLOOD = ((WORD + " ") * (2000 // (len(WORD) + 1))).strip()
"""One Discord message at its 2,000 character limit, repeating one word."""


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def timed_search(sessions: async_sessionmaker[AsyncSession], text: str) -> tuple[float, list[str], list[str]]:
    async with sessions() as session:
        started = time.perf_counter()
        hits = await search(session, text)
        return time.perf_counter() - started, [hit.public_id for hit in hits], [hit.snippet for hit in hits]


async def test_a_flooded_thread_and_a_50_mb_entry_stay_under_the_budget(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    flood = [DraftMessage("flooder", FLOOD) for _ in range(400)]
    draft = EntryDraft("help please", "my machine makes a noise", [DraftMessage("b", "oil it")], flood,
                       public_id="flood")  # fmt: skip
    async with sessions.begin() as session:
        await save_entry(session, draft)
    huge = {"id": "huge", "title": "huge", "question": (WORD + " ") * (50_000_000 // (len(WORD) + 1))}
    report = await import_lines(sessions, [json.dumps(huge), json.dumps({"id": "p", "title": "gear", "question": "x"})])
    assert report.created == 2 and not report.errors
    for text in (WORD, f"{WORD} gear", f"noise {WORD}"):
        await timed_search(sessions, text)
        elapsed, found, snippets = await timed_search(sessions, text)
        assert elapsed < SEARCH_BUDGET_SECONDS, (text, elapsed)
        assert {"flood", "huge"} <= set(found)
        assert all("**" in snippet and len(snippet) < 1000 for snippet in snippets), snippets
    async with sessions() as session:
        longest = await session.scalar(select(func.max(func.length(SearchDocument.question))))
        kept = await session.scalar(select(func.max(func.length(EntryMessage.text))))
    assert longest == INDEXED_CHARS and kept is not None and kept > 49_000_000


def test_the_excerpt_is_cut_around_the_first_highlight_of_the_best_column() -> None:
    words = " ".join(f"w{i}" for i in range(40))
    text = f"{words} **pip** then **proxy** {words}"
    cut = excerpt(["nothing here", text, "only **pip**"], "**")
    assert cut.startswith("…w37 w38 w39 **pip** then **proxy**") and cut.endswith("…")
    assert excerpt(["plain words", ""], "**") == "plain words"
    assert excerpt([None, ""], "**") == ""


def test_a_word_without_spaces_is_cut_in_the_excerpt() -> None:
    cut = excerpt(["**" + "a" * 30_000 + "** tail"], "**")
    assert len(cut) < 100 and cut.startswith("**aaa")
