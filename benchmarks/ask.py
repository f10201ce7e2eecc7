"""``/ask`` suggestions at scale: ``suggest`` (search, then coverage) against a plain search, same queries, same run."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import corpus
from search import build, database, percentile
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.knowledge.search.backend import search, suggest
from copbot.knowledge.search.filters import SearchFilters
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory

LIMIT, MIN_SCORE = 3, 0.35
"""The ``[knowledge]`` defaults ``suggest_limit`` and ``suggest_min_score``: what ``/ask`` and the bot use."""


async def timed(
    sessions: async_sessionmaker[AsyncSession], queries: Sequence[str], rounds: int
) -> dict[str, list[float]]:
    """Milliseconds per question for a search and for suggestions, interleaved, each in a new session as /ask has."""
    times: dict[str, list[float]] = {"search": [], "suggest": []}
    solved = SearchFilters(solved_only=True)
    for question in queries[:20]:  # warm-up: page cache, statement caches, word statistics
        async with sessions() as session:
            await suggest(session, question, limit=LIMIT, min_score=MIN_SCORE)
    for _ in range(rounds):
        for question in queries:
            async with sessions() as session:
                started = time.perf_counter()
                await search(session, question, solved)
                times["search"].append(1000 * (time.perf_counter() - started))
            async with sessions() as session:
                started = time.perf_counter()
                await suggest(session, question, limit=LIMIT, min_score=MIN_SCORE)
                times["suggest"].append(1000 * (time.perf_counter() - started))
    return times


async def run(store: str, size: int, keep: Path | None, reuse: bool, rounds: int) -> None:
    """Build (or reuse) one knowledge base, time both calls, print p50/p95 and the ratio of the p95s."""
    texts = corpus.load()
    async with database(store, size, keep, reuse) as (url, empty):
        engine = create_engine(url)
        try:
            await migrate.upgrade(engine)
            sessions = session_factory(engine)
            imported = await build(sessions, texts, size) if empty else "reused"
            times = await timed(sessions, texts.queries, rounds)
        finally:
            await engine.dispose()
    line = " | ".join(
        f"{name} p50 {statistics.median(values):6.1f} p95 {percentile(values, 0.95):6.1f} ms"
        for name, values in times.items()
    )
    ratio = percentile(times["suggest"], 0.95) / percentile(times["search"], 0.95)
    print(f"{store} {size:,}: {imported} | {len(times['search'])} questions | {line} | suggest/search p95 x{ratio:.2f}")


def main() -> int:
    """Parse the options and run, if the data sets are present."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--keep", type=Path, help="keep the SQLite file here (kb-<size>.sqlite3, as search.py does)")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept file instead of rebuilding")
    parser.add_argument("--rounds", type=int, default=1, help="times each of the 200 questions is asked")
    args = parser.parse_args()
    if absent := corpus.missing():
        print(f"data sets not found ({', '.join(map(str, absent))}); nothing to benchmark.")
        return 0
    asyncio.run(run(args.store, args.size, args.keep, args.reuse, args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
