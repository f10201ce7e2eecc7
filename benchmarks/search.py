"""Search at scale: import 10k/100k/1M entries of real text, then time copbot search against a raw full-text query."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import corpus
import tantivy_reference
from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.core.words import content_words
from copbot.knowledge.interchange.jsonl import import_lines
from copbot.knowledge.search.backend import search
from copbot.knowledge.search.query import fts_query
from copbot.knowledge.search.words import selective_query
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory

SIZES = (10_000, 100_000, 1_000_000)
RAW = {
    "sqlite": text(
        "SELECT rowid, bm25(search_fts) FROM search_fts WHERE search_fts MATCH :q ORDER BY bm25(search_fts) LIMIT 10"
    ),
    "postgresql": text(
        "SELECT entry_id FROM search_documents, to_tsquery('english', :q) AS q WHERE search_vector @@ q"
        " ORDER BY ts_rank_cd(search_vector, q) DESC LIMIT 10"
    ),
}
"""The plain engine query copbot's search is measured against, per store."""


async def match_strings(session: AsyncSession, store: str, question: str) -> tuple[str | None, str | None]:
    """(every word of the question, the words copbot's search keeps) as the raw query's match expression."""
    if store == "sqlite":
        return fts_query(question), await selective_query(session, question)
    words = " | ".join(word for word in content_words(question) if word.isalnum()) or None
    return words, words


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` percentile (0..1) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def fresh_file(keep: Path, size: int) -> Path:
    """``keep/kb-<size>.sqlite3``, with any earlier copy removed."""
    keep.mkdir(parents=True, exist_ok=True)
    path = keep / f"kb-{size}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


@contextlib.asynccontextmanager
async def database(store: str, size: int, keep: Path | None, reuse: bool) -> AsyncIterator[tuple[str, bool]]:
    """(URL, whether it still needs importing): a kept SQLite file under ``keep``, or a throw-away database."""
    if store == "sqlite" and keep is not None:
        path = keep / f"kb-{size}.sqlite3"
        if reuse and path.exists():
            yield f"sqlite+aiosqlite:///{path}", False
            return
        yield f"sqlite+aiosqlite:///{fresh_file(keep, size)}", True
        return
    from retrieval_semeval import temporary_store

    async with temporary_store(store) as url:
        yield url, True


async def timed_queries(
    sessions: async_sessionmaker[AsyncSession], store: str, queries: Sequence[str]
) -> dict[str, list[float]]:
    """Milliseconds per query for copbot search and the raw query (same words, all words), interleaved."""
    times: dict[str, list[float]] = {"copbot": [], "raw": [], "raw, all words": []}
    statement: TextClause = RAW[store]
    # The match strings come from a factory of their own (its own caches), so they warm nothing copbot's search uses.
    strings = session_factory(sessions.kw["bind"])
    async with strings() as session:
        matches = [await match_strings(session, store, question) for question in queries]
    async with sessions() as session:
        for question in queries[:20]:
            await search(session, question)
        for question, (every, kept) in zip(queries, matches, strict=True):
            if every is None or kept is None:
                continue
            for name, match in (("raw", kept), ("raw, all words", every)):
                started = time.perf_counter()
                (await session.execute(statement, {"q": match})).all()
                times[name].append(1000 * (time.perf_counter() - started))
            started = time.perf_counter()
            await search(session, question)
            times["copbot"].append(1000 * (time.perf_counter() - started))
    return times


async def build(sessions: async_sessionmaker[AsyncSession], texts: corpus.Corpus, size: int) -> str:
    """Write ``size`` entries to a JSONL file and import it through copbot's import path; returns the rate line."""
    with tempfile.TemporaryDirectory() as scratch:
        lines = Path(scratch) / "entries.jsonl"
        with lines.open("w", encoding="utf-8") as out:
            for line in corpus.entry_lines(texts, size):
                out.write(line + "\n")
        started = time.perf_counter()
        with lines.open(encoding="utf-8") as handle:
            report = await import_lines(sessions, handle)
        took = time.perf_counter() - started
    return f"import {report.created:,} in {took:6.1f}s = {report.created / took:6,.0f}/s"


async def run_size(store: str, size: int, texts: corpus.Corpus, keep: Path | None, reuse: bool) -> float:
    """Build one knowledge base (or reuse a kept one), time the searches, print a line; returns copbot's p95."""
    async with database(store, size, keep, reuse) as (url, empty):
        engine = create_engine(url)
        try:
            await migrate.upgrade(engine)
            sessions = session_factory(engine)
            imported = await build(sessions, texts, size) if empty else "reused"
            times = await timed_queries(sessions, store, texts.queries)
        finally:
            await engine.dispose()
    p95 = {name: percentile(values, 0.95) for name, values in times.items()}
    columns = " | ".join(
        f"{name} p50 {statistics.median(values):7.1f} p95 {p95[name]:7.1f}" for name, values in times.items()
    )
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{store} {size:>9,}: {imported} | {len(times['copbot'])} queries, ms: {columns} | "
          f"p95 overhead x{p95['copbot'] / p95['raw']:.2f} | load {load}", flush=True)  # fmt: skip
    if tantivy_reference.available():
        built, reference = tantivy_reference.timed(corpus.entry_lines(texts, size), texts.queries)
        print(f"  {built} | {len(reference)} queries, ms: p50 {statistics.median(reference):.2f} "
              f"p95 {percentile(reference, 0.95):.2f} | copbot / tantivy: p50 "
              f"x{statistics.median(times['copbot']) / statistics.median(reference):.1f} "
              f"p95 x{p95['copbot'] / percentile(reference, 0.95):.1f}", flush=True)  # fmt: skip
    else:
        print("  tantivy not installed (the bench extra): no reference engine timed", flush=True)
    return p95["copbot"]


async def run(store: str, sizes: Sequence[int], keep: Path | None, reuse: bool) -> None:
    """Every size in turn, then how p95 grew from the smallest to the largest."""
    texts = corpus.load()
    print(f"texts: {corpus.SOURCES}; {len(texts.titles)} titles, {len(texts.replies)} replies, "
          f"{len(texts.queries)} queries")  # fmt: skip
    p95s = [await run_size(store, size, texts, keep, reuse) for size in sizes]
    if len(sizes) > 1:
        print(f"{store}: p95 at {sizes[-1]:,} is x{p95s[-1] / p95s[0]:.2f} the p95 at {sizes[0]:,}")


def main() -> int:
    """Parse the options and run, if the data sets are present."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated entry counts")
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--keep", type=Path, help="keep the SQLite files here (kb-<size>.sqlite3), e.g. for memory.py")
    parser.add_argument("--reuse", action="store_true", help="search the kept files again instead of rebuilding")
    args = parser.parse_args()
    if absent := corpus.missing():
        print(f"data sets not found ({', '.join(map(str, absent))}); nothing to benchmark.")
        return 0
    asyncio.run(run(args.store, [int(size) for size in args.sizes.split(",")], args.keep, args.reuse))
    return 0


if __name__ == "__main__":
    sys.exit(main())
