"""Search: any text is a safe query (hypothesis), filters narrow, snippets highlight, suggestions need coverage."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.core.words import MAX_TOKENS, content_words
from copbot.knowledge.entries import DraftMessage, EntryDraft, save_entry
from copbot.knowledge.search.backend import search, suggest
from copbot.knowledge.search.filters import SearchFilters
from copbot.knowledge.search.query import fts_query
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory

NASTY = [
    '"', '""', "'", "AND", "OR", "NOT", "NEAR", "NEAR(pip proxy, 2)", "*", "pip*", "^pip", "title:pip", "a:b",
    "(((", ")", "{title}:x", "-pip", "+", "😀🔥", "\x00\x01\x1f", "x" * 10_000, "pip AND", "OR OR", "\u202e",
    "SELECT * FROM members; --", "\\", "%", "_", "[", "]",
]  # fmt: skip
HOSTILE = st.one_of(
    st.text(),
    st.sampled_from(NASTY),
    st.lists(st.sampled_from([*NASTY, "pip", "proxy", "python"]), max_size=8).map(" ".join),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=12_000),
)


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(a, b, tokenize='porter unicode61 remove_diacritics 2')")
    connection.execute("INSERT INTO t VALUES ('pip proxy firewall', 'python near and or not')")
    return connection


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE)
def test_any_text_makes_a_valid_fts5_query(fts: sqlite3.Connection, text: str) -> None:
    query = fts_query(text)
    if query is None:
        assert content_words(text) == []
        return
    rows = fts.execute("SELECT rowid, bm25(t) FROM t WHERE t MATCH ?", (query,)).fetchall()
    assert isinstance(rows, list)
    assert query.count(" OR ") < MAX_TOKENS


def test_query_words_are_quoted_stop_words_dropped() -> None:
    assert fts_query('How do I use "pip" AND the proxy?') == '"use" OR "pip" OR "proxy"'
    assert fts_query("the and of") is None
    assert len(content_words(" ".join(f"word{i}" for i in range(500)))) == MAX_TOKENS


@pytest.fixture
async def empty(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A migrated database with nothing in it."""
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def sessions(empty: async_sessionmaker[AsyncSession]) -> async_sessionmaker[AsyncSession]:
    factory = empty
    async with factory.begin() as session:
        drafts = [
            EntryDraft("Pip behind a proxy", "How do I use pip behind a proxy?", [DraftMessage("bob", "HTTPS_PROXY")],
                       [], ["python"], activity="problem_solving", source_room="help", public_id="e1",
                       created_at=datetime(2024, 1, 5, tzinfo=UTC)),
            EntryDraft("Proxy for npm", "npm ignores my proxy", [], [], ["javascript"], solved=False,
                       source_room="web", public_id="e2", created_at=datetime(2025, 1, 5, tzinfo=UTC)),
            EntryDraft("Pizza night", "Where do we order pizza?", [DraftMessage("c", "Luigi's")], [], [],
                       activity="coordination", public_id="e3", created_at=datetime(2025, 6, 1, tzinfo=UTC)),
        ]  # fmt: skip
        for draft in drafts:
            await save_entry(session, draft)
    return factory


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE)
async def test_search_never_raises_nor_logs_an_error(
    sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture, text: str
) -> None:
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        async with sessions() as session:
            hits = await search(session, text, limit=5)
    assert isinstance(hits, list) and len(hits) <= 5
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def ids(sessions: async_sessionmaker[AsyncSession], text: str, filters: SearchFilters) -> list[str]:
    async with sessions() as session:
        return [hit.public_id for hit in await search(session, text, filters)]


async def test_filters_narrow_the_results(sessions: async_sessionmaker[AsyncSession]) -> None:
    assert sorted(await ids(sessions, "proxy", SearchFilters())) == ["e1", "e2"]
    assert await ids(sessions, "proxy", SearchFilters(tags=("#Python",))) == ["e1"]
    assert await ids(sessions, "proxy", SearchFilters(solved_only=True)) == ["e1"]
    assert await ids(sessions, "proxy", SearchFilters(channel="web")) == ["e2"]
    assert await ids(sessions, "proxy pizza", SearchFilters(activity="coordination")) == ["e3"]
    assert await ids(sessions, "proxy", SearchFilters(since=datetime(2025, 1, 1, tzinfo=UTC))) == ["e2"]
    assert await ids(sessions, "proxy", SearchFilters(until=datetime(2025, 1, 1, tzinfo=UTC))) == ["e1"]
    assert await ids(sessions, "proxy", SearchFilters(public_ids=("e2", "e3"))) == ["e2"]
    assert await ids(sessions, "proxy", SearchFilters(entry_ids=())) == []


async def test_hits_are_ranked_and_highlighted(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        hits = await search(session, "pip proxy")
    assert hits[0].public_id == "e1" and hits[0].score > hits[1].score
    assert "**pip**" in hits[0].snippet.lower() or "**proxy**" in hits[0].snippet.lower()


async def test_suggestions_need_enough_of_the_question(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        good = await suggest(session, "using pip behind a proxy", limit=3, min_score=0.35)
        weak = await suggest(session, "proxy settings for my gradle kotlin android build", limit=3, min_score=0.35)
    assert [hit.public_id for hit, _ in good] == ["e1"] and good[0][1] > 0.9
    assert weak == []


async def test_a_first_entry_is_suggested_for_the_same_question_in_other_words(
    empty: async_sessionmaker[AsyncSession],
) -> None:
    async with empty.begin() as session:
        answer = DraftMessage("bob", "Use a cheap pH kit: mix soil with distilled water, compare the colour.")
        await save_entry(session, EntryDraft("How do I test soil pH at home?", "How do I test soil pH at home?",
                                             [answer], [], [], public_id="soil"))  # fmt: skip
    async with empty() as session:
        close = await suggest(session, "Has anyone dealt with testing soil pH in heavy clay?", limit=3, min_score=0.35)
        apart = await suggest(session, "Has anyone dealt with aphids on broad beans?", limit=3, min_score=0.35)
        little = await suggest(session, "soil for raised beds, compost or topsoil mix?", limit=3, min_score=0.35)
    assert [hit.public_id for hit, _ in close] == ["soil"], "half the question's topic words, in a one-entry repository"
    assert 0.35 <= close[0][1] < 0.9
    assert apart == [] and little == [], "no shared word, or one shared word of five, is not enough"
