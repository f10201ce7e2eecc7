"""SQLite: the discussion's bm25 computed from the candidates' own text equals FTS5's bm25() of the whole index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from copbot.knowledge.interchange.jsonl import import_lines
from copbot.knowledge.search import talk
from copbot.knowledge.search.sqlite import SqliteSearch
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
            query_stems = [stem for stem in stems(words) if stem]
            _, counts, lengths = talk.read_candidates(await talk.texts(session, ids), query, query_stems)
            rows, average, docs = await talk.discussion_figures(session, query_stems, extra)
        assert rows == 40 and len(ids) > 10
        for entry in ids:
            ours = talk.bm25(rows, average, query_stems, docs, counts.get(entry, {}), lengths.get(entry, 0))
            assert ours == pytest.approx(expected[entry], rel=1e-9)
    finally:
        await engine.dispose()
