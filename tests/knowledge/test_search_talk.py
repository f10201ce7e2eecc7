"""SQLite: the discussion's bm25 computed from the candidates' own text equals FTS5's bm25() of the whole index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from copbot.knowledge.interchange.jsonl import import_lines
from copbot.knowledge.search import talk, words
from copbot.knowledge.search.backend import search
from copbot.knowledge.search.filters import SearchFilters
from copbot.knowledge.search.sqlite import NARROW_MAX, SqliteSearch
from copbot.knowledge.search.stats import text_statistics
from copbot.knowledge.search.words import stems
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory

WORDS = ["soil", "water", "tomato", "dry", "pruning"]


def _line(number: int) -> str:
    talk_ = [{"author": "a", "text": " ".join(WORDS[(number + k) % 5] for k in range(number % 7))},
             {"author": "b", "text": "water water and more water" if number % 3 else "nothing here"}]  # fmt: skip
    return json.dumps({"id": f"e{number}", "title": f"bed {number}", "question": "my soil", "messages": talk_})


def test_varints_read_sqlite_format() -> None:
    assert talk.varints(bytes([0x05, 0x81, 0x00, 0x7F])) == [5, 128, 127]


async def test_discussion_score_equals_fts5_bm25(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'talk.sqlite3'}")
    try:
        await migrate.upgrade(engine)
        sessions = session_factory(engine)
        assert (await import_lines(sessions, [_line(n) for n in range(40)])).created == 40
        query = '"water" OR "tomato" OR "water" OR "pruning"'
        words = ["water", "tomato", "water", "pruning"]
        async with sessions() as session:
            expected = {int(row[0]): float(row[1]) for row in await session.execute(
                text("SELECT rowid, bm25(search_fts_discussion) FROM search_fts_discussion"
                     " WHERE search_fts_discussion MATCH :q"), {"q": query})}  # fmt: skip
            ids = sorted(expected)
            _, _, extra = await text_statistics(session, SqliteSearch(), [])
            query_stems = [stem for stem in stems(session, words) if stem]
            _, counts, lengths = talk.read_candidates(session, await talk.texts(session, ids), query, query_stems)
            rows, average, docs = await talk.index_figures(session, "search_fts_discussion", query_stems, extra)
        assert rows == 40 and len(ids) > 10
        for entry in ids:
            spoken = talk.weighted(counts.get(entry, {}), {"discussion": 1.0})
            ours = talk.bm25(rows, average, query_stems, docs, spoken, lengths[entry].get("discussion", 0))
            assert ours == pytest.approx(expected[entry], rel=1e-9)
    finally:
        await engine.dispose()


async def test_named_entries_rank_as_the_index_ranks_them(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'named.sqlite3'}")
    try:
        await migrate.upgrade(engine)
        sessions = session_factory(engine)
        lines = [_line(n) for n in range(40)]
        lines += [json.dumps({"id": "t1", "title": "tomato pruning", "question": "when to prune tomato"})]
        assert (await import_lines(sessions, lines)).created == 41
        named = ("t1", "e1", "e2", "e3", "e4", "e5", "e6", "e9")
        async with sessions() as session:
            through_index = await search(session, "pruning tomato water", SearchFilters(public_ids=named), limit=10)
            many = (*(f"e{n}" for n in range(40)), "t1", *(f"x{n}" for n in range(NARROW_MAX)))
            beyond = await search(session, "pruning tomato water", SearchFilters(public_ids=many), limit=10)
            everything = await search(session, "pruning tomato water", limit=10)
        assert through_index[0].public_id == "t1" and "**tomato**" in through_index[0].snippet.lower()
        assert {hit.public_id for hit in through_index} <= set(named)
        by_index = {hit.public_id: hit.score for hit in everything}
        for hit in through_index:  # named entries get the score the index gives them
            if hit.public_id in by_index:
                assert hit.score == pytest.approx(by_index[hit.public_id], rel=1e-9)
        assert [hit.public_id for hit in beyond] == [hit.public_id for hit in everything]
    finally:
        await engine.dispose()


async def test_snippets_cut_only_for_the_hits_returned_are_the_same(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'cut.sqlite3'}")
    try:
        await migrate.upgrade(engine)
        sessions = session_factory(engine)
        assert (await import_lines(sessions, [_line(n) for n in range(40)])).created == 40
        named = tuple(f"e{n}" for n in range(40))
        async with sessions() as session:
            for filters in (SearchFilters(), SearchFilters(public_ids=named)):
                wide = await search(session, "tomato pruning water", filters, limit=30)
                narrow = await search(session, "tomato pruning water", filters, limit=3)
                assert len(wide) > 3 and len(narrow) == 3
                assert [(h.public_id, h.score, h.snippet) for h in narrow] == [
                    (h.public_id, h.score, h.snippet) for h in wide[:3]
                ]
                assert all("**" in hit.snippet for hit in narrow)
    finally:
        await engine.dispose()


async def test_each_application_keeps_its_own_tokenizers(tmp_path: Path) -> None:
    """The stemmer, the scratch table and the remembered word counts live in an application's scope, not the process."""
    engines = [create_engine(f"sqlite+aiosqlite:///{tmp_path / f'{name}.sqlite3'}") for name in ("a", "b")]
    try:
        first, second = (session_factory(engine) for engine in engines)
        async with first() as one, first() as same, second() as other:
            assert talk._scratch(one) is talk._scratch(same)
            assert talk._scratch(one) is not talk._scratch(other)
            assert words._stemmer(one) is words._stemmer(same)
            assert words._stemmer(one) is not words._stemmer(other)
            assert words._remembered(one) is not words._remembered(other)
            assert stems(one, ["watering", "soils"]) == stems(other, ["watering", "soils"]) == ["water", "soil"]
    finally:
        for engine in engines:
            await engine.dispose()
