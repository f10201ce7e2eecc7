"""What a SQLite search adds to FTS5: the scratch table, remembered stems, one pass, candidates not materialized."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.knowledge.interchange.jsonl import import_lines
from copbot.knowledge.search import scratch, words
from copbot.knowledge.search.backend import search
from copbot.knowledge.search.filters import SearchFilters
from copbot.knowledge.search.scratch import ScratchTable
from copbot.knowledge.search.sqlite import _ranked
from copbot.knowledge.search.words import TOKENIZE
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """(rows, columns) of every pass through a scratch table from here on."""
    seen: list[tuple[int, int]] = []
    holding = ScratchTable.holding

    def counted(
        self: ScratchTable, rows: Iterable[Sequence[object]]
    ) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        rows = list(rows)
        seen.append((len(rows), len(rows[0]) - 1 if rows else 0))
        return holding(self, rows)

    monkeypatch.setattr(scratch.ScratchTable, "holding", counted)
    return seen


def _count(table: ScratchTable) -> int:
    with table.holding([]) as db:
        return int(db.execute("SELECT count(*) FROM docs").fetchone()[0])


def test_rows_are_there_for_the_block_and_gone_after_it() -> None:
    table = ScratchTable(["title", "body"], TOKENIZE)
    with table.holding([(1, "Watering tomatoes", "dry soil"), (2, "pruning", "")]) as db:
        assert db.execute("SELECT count(*) FROM docs").fetchone()[0] == 2
        terms = {row[0] for row in db.execute("SELECT term FROM terms")}
        assert {"water", "tomato", "dry", "soil", "prune"} <= terms
    assert _count(table) == 0
    with pytest.raises(ZeroDivisionError), table.holding([(3, "soil", "soil")]):
        raise ZeroDivisionError
    assert _count(table) == 0
    with table.holding([(1, "again the same rowid", "")]) as db:  # nothing left behind to collide with
        assert db.execute("SELECT rowid FROM docs").fetchall() == [(1,)]


def test_threads_take_turns_and_see_only_their_own_rows() -> None:
    table = ScratchTable(["text"], TOKENIZE)
    seen: list[int] = []
    errors: list[BaseException] = []

    def use(number: int) -> None:
        try:
            for _ in range(50):
                with table.holding([(number, f"word{number}")]) as db:
                    seen.extend(int(row[0]) for row in db.execute("SELECT rowid FROM docs"))
        except BaseException as error:  # pragma: no cover - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=use, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and sorted(seen) == sorted(n for n in range(4) for _ in range(50))


def test_stems_are_remembered_and_the_memory_is_bounded(
    monkeypatch: pytest.MonkeyPatch, passes: list[tuple[int, int]]
) -> None:
    stemmer = words._Stemmer()
    assert stemmer.stems(["Pruning", "tomatoes", "Pruning", "a-b"]) == ["prune", "tomato", "prune", None]
    assert passes == [(3, 1)]
    assert stemmer.stems(["tomatoes", "a-b", "running"]) == ["tomato", None, "run"]
    assert passes == [(3, 1), (1, 1)]  # only the word not seen before is tokenized
    monkeypatch.setattr(words, "STEMS_KEPT", 4)
    assert stemmer.stems(["soils", "watering"]) == ["soil", "water"]
    assert len(stemmer._known) == 2  # full: forgotten, then these two remembered


@pytest.fixture
async def beds(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A migrated SQLite file with 30 entries about tomato beds and pruning."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'beds.sqlite3'}")
    try:
        await migrate.upgrade(engine)
        sessions = session_factory(engine)
        lines = [json.dumps({"id": f"e{n}", "title": f"tomato bed {n}", "question": "pruning"}) for n in range(30)]
        assert (await import_lines(sessions, lines)).created == 30
        yield sessions
    finally:
        await engine.dispose()


async def test_a_search_with_no_more_candidates_than_its_limit_passes_through_the_table_once(
    beds: async_sessionmaker[AsyncSession], passes: list[tuple[int, int]]
) -> None:
    async with beds() as session:
        hits = await search(session, "tomato pruning", limit=10)
        candidates = [rows for rows, columns in passes if columns == 5]  # not the stemmer's one column
        assert len(hits) == 10 and candidates == [10]
        assert all("**" in hit.snippet for hit in hits)
        passes.clear()
        assert len(await search(session, "tomato pruning", limit=3)) == 3
        candidates = [rows for rows, columns in passes if columns == 5]
        assert candidates == [10, 3]  # ten scored, then the three returned highlighted


async def test_the_ranked_candidates_are_read_as_they_come_and_a_stray_index_row_is_dropped(
    beds: async_sessionmaker[AsyncSession],
) -> None:
    async with beds() as session:
        for filters in (SearchFilters(), SearchFilters(solved_only=True)):
            compiled = _ranked(filters, 10).compile(dialect=sqlite_dialect.dialect())
            values = compiled.construct_params({"query": '"tomato"'})
            arguments = tuple(values[name] for name in compiled.positiontup or ())
            connection = await session.connection()
            explained = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", arguments)
            plan = [str(row[-1]) for row in explained]
            assert "CO-ROUTINE main" in plan and not any(step.startswith("MATERIALIZE") for step in plan)
        # An index row with no entry behind it (a damaged index) is not a hit, as an inner join would have it.
        await session.execute(text("INSERT INTO search_fts(rowid, title) VALUES (424242, 'tomato tomato tomato')"))
        hits = await search(session, "tomato", limit=40)
        assert sorted(hit.public_id for hit in hits) == sorted(f"e{n}" for n in range(30))
