"""A derived index for SQLite search, measured: tantivy built from ``search_documents`` gives candidate ids, copbot
finishes the search; beside it a two-stage FTS5 query (the rarest words with a LIMIT, then every word).

The database stays the source of truth: the derived index is built from ``search_documents`` (the text FTS5
indexes; an entry has a document exactly when its content is visible) and can be rebuilt from it at any time.
Both candidate sources end in the product's search within the candidates' ids (``SearchFilters.entry_ids``, so
the visibility rule and every other filter apply as on every read path, and the scores and snippets are copbot's,
from every word of the question). Timed per question, interleaved, in one run: copbot's search, bare tantivy (top
10), derived (tantivy top k, then copbot), two-stage FTS5. With ``--haystack N`` the SemEval dev questions are asked
among N train-part2 distractors (retrieval_haystack.py's) and MAP is computed over everything (the 10 best hits;
the candidates not among them follow in SemEval's order) and within the candidates (the `kb search` path).
Run: python benchmarks/derived_index.py --db /tmp/copbot-bench/kb-100000.sqlite3 | --haystack 100000 --keep DIR
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import corpus  # noqa: E402
import tantivy_reference  # noqa: E402
from derived_tantivy import Derived, build, folder_mb, rss_mb, write_costs  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession  # noqa: E402

from copbot.core.words import content_words  # noqa: E402
from copbot.knowledge.search.backend import search  # noqa: E402
from copbot.knowledge.search.filters import SearchFilters, SearchHit  # noqa: E402
from copbot.knowledge.search.query import quote  # noqa: E402
from copbot.knowledge.search.words import keep_rarest, stems  # noqa: E402
from copbot.store.engine import create_engine, session_factory  # noqa: E402

STAGE_BUDGET = 5_000
"""Two-stage: the rarest words are kept until their postings reach this (at least one word that finds)."""
_TERMS = text("SELECT term, doc FROM search_fts_terms WHERE term IN (SELECT value FROM json_each(:terms))")
_STAGE = text("SELECT rowid FROM search_fts WHERE search_fts MATCH :q ORDER BY bm25(search_fts) LIMIT :k")


async def derived(session: AsyncSession, index: Derived, question: str, k: int) -> list[SearchHit]:
    """tantivy's top ``k``, then copbot's search within them (visibility and scores as the product computes them)."""
    ids = index.top(question, k)
    return await search(session, question, SearchFilters(entry_ids=tuple(ids))) if ids else []


async def two_stage(
    session: AsyncSession, question: str, k: int, budget: int = STAGE_BUDGET, at_least: int = 1
) -> list[SearchHit]:
    """FTS5 ranks only the matches of the question's rarest words (LIMIT k), then copbot scores those with all."""
    words = content_words(question)
    stemmed = stems(session, words)
    wanted = sorted({stem for stem in stemmed if stem})
    counts = {str(t): int(d) for t, d in await session.execute(_TERMS, {"terms": json.dumps(wanted)})}
    kept = keep_rarest([counts.get(stem, 0) if stem else 0 for stem in stemmed], budget=budget, at_least=at_least)
    match = " OR ".join(quote(words[index]) for index in kept)
    ids = [int(row[0]) for row in await session.execute(_STAGE, {"q": match, "k": k})] if match else []
    return await search(session, question, SearchFilters(entry_ids=tuple(ids))) if ids else []


def _derived(session: AsyncSession, question: str, *, index: Derived, k: int) -> Awaitable[list[SearchHit]]:
    return derived(session, index, question, k)


def _two_stage(
    session: AsyncSession, question: str, *, k: int, budget: int, at_least: int
) -> Awaitable[list[SearchHit]]:
    return two_stage(session, question, k, budget, at_least)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


Method = Callable[[AsyncSession, str], Awaitable[list[Any]]]


async def timed(session: AsyncSession, methods: dict[str, Method], questions: Sequence[str]) -> dict[str, Any]:
    """Milliseconds per question per method (interleaved), and each method's hits."""
    for question in questions[:20]:
        for method in methods.values():
            await method(session, question)
    times: dict[str, list[float]] = {name: [] for name in methods}
    found: dict[str, list[list[Any]]] = {name: [] for name in methods}
    for question in questions:
        for name, method in methods.items():
            started = time.perf_counter()
            hits = await method(session, question)
            times[name].append(1000 * (time.perf_counter() - started))
            found[name].append(hits)
    return {"times": times, "found": found}


def overlap(reference: list[list[SearchHit]], other: list[list[SearchHit]]) -> float:
    """Share of copbot's top-10 entries the other method also returns (its top 10), over every question."""
    same = sum(len({h.entry_id for h in a} & {h.entry_id for h in b}) for a, b in zip(reference, other, strict=True))
    return same / max(1, sum(len(a) for a in reference))


Judge = Callable[[dict[str, Any]], str]
Stages = Sequence[tuple[int, int]]


async def measure(
    database: Path, questions: Sequence[str], ks: Sequence[int], stages: Stages, judge: Judge | None
) -> None:
    """Build the derived index from ``database``, time every method on ``questions``, report."""
    scratch = Path(tempfile.mkdtemp(prefix="derived-", dir=os.environ.get("TMPDIR")))
    kept = database.with_suffix(".tantivy")
    try:
        if kept.is_dir():
            shutil.copytree(kept, scratch, dirs_exist_ok=True)
            seconds, count = float("nan"), int(__import__("tantivy").Index.open(str(scratch)).searcher().num_docs)
        else:
            built, seconds, count = build(database, scratch)
            del built
            shutil.copytree(scratch, kept)
        before = rss_mb()
        index = Derived(__import__("tantivy").Index.open(str(scratch)))
        engine = create_engine(f"sqlite+aiosqlite:///{database}")
        try:
            async with session_factory(engine)() as session:
                methods: dict[str, Method] = {
                    "copbot": lambda s, q: search(s, q),
                    "tantivy": lambda s, q: asyncio.sleep(0, index.top(q, 10)),
                }
                for size in ks:
                    methods[f"derived k={size}"] = functools.partial(_derived, index=index, k=size)
                for size in ks:
                    for budget, at_least in stages:
                        name = f"two-stage k={size} {budget // 1000}k/{at_least}"
                        methods[name] = functools.partial(_two_stage, k=size, budget=budget, at_least=at_least)
                result = await timed(session, methods, questions)
        finally:
            await engine.dispose()
        grown = rss_mb() - before
        megabytes = database.stat().st_size / 2**20  # noqa: ASYNC240 (a benchmark, between timings)
        print(f"derived index: {count:,} documents in {seconds:.1f}s, {folder_mb(scratch):.0f} MB on disk "
              f"(database {megabytes:.0f} MB); RSS +{grown:.0f} MB opened and queried", flush=True)  # fmt: skip
        times = result["times"]
        p50 = {name: statistics.median(values) for name, values in times.items()}
        p95 = {name: percentile(values, 0.95) for name, values in times.items()}
        load = " ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"{len(questions)} questions, load {load}; ms:", flush=True)
        for name in times:
            same = overlap(result["found"]["copbot"], result["found"][name]) if name != "tantivy" else None
            print(f"  {name:24s} p50 {p50[name]:7.2f} p95 {p95[name]:7.2f} |"
                  f" vs copbot p50 x{p50[name] / p50['copbot']:.2f}"
                  f" p95 x{p95[name] / p95['copbot']:.2f} | vs tantivy p50 x{p50[name] / p50['tantivy']:.1f}"
                  f" p95 x{p95[name] / p95['tantivy']:.1f}"
                  + (f" | copbot's top 10 kept {100 * same:.1f}%" if same is not None else ""), flush=True)  # fmt: skip
        if judge is not None:
            print(judge(result), flush=True)
        print(write_costs(index.index, database), flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


async def haystack(size: int, keep: Path, ks: Sequence[int], stages: Stages) -> None:
    """The SemEval dev candidates among ``size`` distractors (kept in ``keep``), then ``measure`` with MAP."""
    from retrieval_haystack import distractors
    from retrieval_semeval import load, scores
    from retrieval_semeval_hybrid import DEV, TRAIN, ranked

    from copbot.knowledge.interchange.jsonl import import_lines
    from copbot.store import migrate

    questions, candidates = load(DEV)
    path = keep / f"hay-{size}.sqlite3"
    if not path.exists():
        keep.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        try:
            await migrate.upgrade(engine)
            started = time.perf_counter()
            report = await import_lines(session_factory(engine), [*distractors(TRAIN, size), *candidates])
            print(f"haystack N={size:,}: imported {report.created:,} in {time.perf_counter() - started:.0f}s")
        finally:
            await engine.dispose()
    ordered = list(questions.values())
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    dev = "SELECT id, public_id FROM knowledge_entries WHERE public_id NOT LIKE 'hay%'"
    ids = {int(entry_id): str(public_id) for entry_id, public_id in db.execute(dev)}
    db.close()

    def judge(result: dict[str, Any]) -> str:
        parts = []
        for name, found in result["found"].items():
            if name == "tantivy":
                found = [[type("H", (), {"public_id": ids.get(i, "")}) for i in hits] for hits in found]
            rankings = [ranked(q, [h.public_id for h in hits if h.public_id in {r for _, r, _ in q.candidates}])
                        for q, hits in zip(ordered, found, strict=True)]  # fmt: skip
            parts.append(f"{name} {scores(rankings)[0]:.2f}")
        return "MAP over everything (top 10): " + ", ".join(parts)

    await measure(path, [q.text for q in ordered], ks, stages, judge)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with session_factory(engine)() as session:
            within = [ranked(q, [h.public_id for h in await search(session, q.text, SearchFilters(
                public_ids=tuple(r for _, r, _ in q.candidates)))]) for q in ordered]  # fmt: skip
        print(f"MAP within the candidates (kb search --queries path, no index walk): {scores(within)[0]:.2f}")
    finally:
        await engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, help="a kept knowledge base (search.py --keep)")
    parser.add_argument("--haystack", type=int, help="distractor count: the SemEval dev set in a haystack, with MAP")
    parser.add_argument("--keep", type=Path, default=Path(tempfile.gettempdir()) / "copbot-derived")
    parser.add_argument(
        "--stages", default=f"{STAGE_BUDGET}:1", help="two-stage budget:at_least pairs, e.g. 5000:1,5000:2"
    )
    parser.add_argument("--k", default="10,30", help="candidates the first stage hands to copbot (comma-separated)")
    args = parser.parse_args()
    ks = [int(size) for size in args.k.split(",")]
    stages = [(int(b), int(a)) for b, a in (pair.split(":") for pair in args.stages.split(","))]
    if not tantivy_reference.available():
        print("tantivy not installed (the bench extra: pip install -e '.[bench]'); nothing to measure.")
        return 0
    if args.haystack is not None:
        from retrieval_semeval_hybrid import DEV, TRAIN

        if not TRAIN.is_file() or not DEV.is_file():
            print(f"SemEval-2016 Task 3 data not found in {TRAIN.parent}; nothing to measure.")
            return 0
        asyncio.run(haystack(args.haystack, args.keep, ks, stages))
        return 0
    if args.db is None or not args.db.is_file() or corpus.missing():
        print("no knowledge base (--db, from search.py --keep) or data sets; nothing to measure.")
        return 0
    asyncio.run(measure(args.db, corpus.load().queries, ks, stages, None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
