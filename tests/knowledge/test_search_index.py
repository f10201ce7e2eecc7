"""SQLite search index: bulk import keeps FTS5 consistent, discussion scored apart, common words left out of queries."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.knowledge.entries import DraftMessage, EntryDraft, save_entry
from copbot.knowledge.interchange import bulk
from copbot.knowledge.interchange.jsonl import import_lines
from copbot.knowledge.search import words as search_terms
from copbot.knowledge.search.backend import search
from copbot.knowledge.search.words import keep_rarest, selective_query, stems
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory

WORDS = ["apple", "bridge", "candle", "dragon", "engine", "falcon", "garden", "harbor", "island", "jungle", "kettle"]


def lines(count: int, *, version: str = "") -> list[str]:
    """Entries each with a unique made-up word (``zq<n>x``) in its title and a shared word in its question."""
    return [
        json.dumps({"id": f"e{n}", "title": f"zq{n}x {WORDS[n % len(WORDS)]}{version}", "question": "common words",
                    "answers": [f"answer {n}"], "messages": [{"text": f"talk yq{n}w"}]})
        for n in range(count)
    ]  # fmt: skip


@pytest.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'kb.sqlite3'}")
    await migrate.upgrade(engine)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def found(sessions: async_sessionmaker[AsyncSession], word: str) -> list[str]:
    async with sessions() as session:
        return [hit.public_id for hit in await search(session, word)]


async def index_state(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int, int]:
    """(rows in search_fts, rows in search_fts_discussion, insert triggers), after FTS5's own integrity check."""
    async with sessions.begin() as session:
        for name in ("search_fts", "search_fts_discussion"):
            await session.execute(text(f"INSERT INTO {name}({name}) VALUES ('integrity-check')"))
        main = await session.scalar(text("SELECT count(*) FROM search_fts"))
        talk = await session.scalar(text("SELECT count(*) FROM search_fts_discussion"))
        triggers = await session.scalar(
            text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'search_fts_ai'")
        )
    return int(main or 0), int(talk or 0), int(triggers or 0)


async def test_bulk_import_indexes_every_entry_and_restores_the_trigger(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    report = await import_lines(sessions, lines(23), batch_size=5)
    assert report.created == 23 and not report.errors
    assert await index_state(sessions) == (23, 23, 1)
    for n in range(23):
        assert await found(sessions, f"zq{n}x") == [f"e{n}"]
        assert await found(sessions, f"yq{n}w") == [f"e{n}"]
    async with sessions.begin() as session:
        await save_entry(session, EntryDraft("Saved later", "qq9v question", [], [], [], public_id="later"))
    assert await found(sessions, "qq9v") == ["later"]


async def test_import_twice_changes_nothing_and_an_update_replaces_the_indexed_text(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await import_lines(sessions, lines(12), batch_size=5)
    again = await import_lines(sessions, lines(12), batch_size=5)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 12)
    assert await index_state(sessions) == (12, 12, 1)
    changed = await import_lines(sessions, lines(12, version="rewritten"), batch_size=5)
    assert changed.updated == 12
    assert await index_state(sessions) == (12, 12, 1)
    assert await found(sessions, "bridgerewritten") == ["e1"] and await found(sessions, "bridge") == []


async def test_a_failed_batch_rolls_back_with_the_trigger_and_can_be_run_again(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    await import_lines(sessions, lines(5), batch_size=5)

    async def broken(session: AsyncSession, ids: list[int], trigger: str) -> None:
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(bulk, "_index_batch", broken)
        with pytest.raises(RuntimeError):
            await import_lines(sessions, lines(10), batch_size=10)
    assert await index_state(sessions) == (5, 5, 1)
    report = await import_lines(sessions, lines(10), batch_size=10)
    assert (report.created, report.unchanged) == (5, 5)
    assert await index_state(sessions) == (10, 10, 1)
    assert await found(sessions, "zq9x") == ["e9"]


async def test_a_long_discussion_does_not_dilute_the_entry_and_alone_still_matches(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    chatter = [DraftMessage("m", f"unrelated remark number {n} about lunch and weather") for n in range(40)]
    async with sessions.begin() as session:
        for word in WORDS:
            await save_entry(session, EntryDraft(f"About {word}", "filler", [], [], [], public_id=word))
        await save_entry(session, EntryDraft("Pruning tomatoes", "how far back", [], [], [], public_id="quiet"))
        await save_entry(session, EntryDraft("Pruning tomatoes", "how far back", [], chatter, [], public_id="long"))
        await save_entry(session, EntryDraft("Compost", "turning it", [], [DraftMessage("m", "tomato")], [],
                                             public_id="talk"))  # fmt: skip
    async with sessions() as session:
        hits = {hit.public_id: hit for hit in await search(session, "pruning")}
        tomato = [hit.public_id for hit in await search(session, "tomato")]
    assert hits["quiet"].score == pytest.approx(hits["long"].score)
    assert sorted(tomato) == ["long", "quiet", "talk"]


def test_rarest_words_are_kept_within_the_budget() -> None:
    assert keep_rarest([5, 900, 20, 0, 400], budget=500) == [0, 2, 3, 4]
    assert keep_rarest([9000, 8000, 7000], budget=100) == [1, 2]
    assert keep_rarest([1, 2], budget=0, at_least=0) == []


async def test_query_words_are_stemmed_as_the_index_stems_them(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        assert stems(session, ["Pruning", "tomatoes", "running", "x" * 3]) == ["prune", "tomato", "run", "xxx"]


async def test_the_most_common_words_are_left_out_of_big_queries(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    await import_lines(sessions, lines(30))
    async with sessions() as session:
        assert await selective_query(session, "common apple zq3x") == '"common" OR "apple" OR "zq3x"'
        monkeypatch.setattr(search_terms, "POSTINGS_BUDGET", 5)
        assert await selective_query(session, "common apple zq3x") == '"apple" OR "zq3x"'
        assert await selective_query(session, "the and of") is None
