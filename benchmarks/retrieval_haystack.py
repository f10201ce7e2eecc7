"""SemEval-2016 Task 3 subtask B in a haystack: the dev candidates hidden among N entries built from train-part2.

The 500 dev candidates (50 questions x 10 related questions with their comments) and N distractors recombined from
train-part2 (a real subject, a real body and as many real comments as a real thread of it has; never a text of dev)
go into one JSONL file, imported with `copbot kb import`; each dev question is searched with `copbot kb search
--queries` within its 10 candidates (MAP, MRR, P@1 as in retrieval_semeval.py), then timed through
`copbot.knowledge.search.search` (what `kb search` and /search call) within its candidates and over everything.
Run: python benchmarks/retrieval_haystack.py [--store sqlite|postgresql|both] [--sizes 0,10000,100000]
``--keep NAME`` imports each size once into a database kept between runs (PostgreSQL: ``NAME_<size>``; SQLite:
``/tmp/NAME_<size>.sqlite3``) and reuses it when it already holds every entry; ``--paths gin,rum`` times PostgreSQL
with each candidate path in the same run (``rum`` needs the RUM index of migration 0012).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import asyncpg  # noqa: E402
from retrieval_semeval import POSTGRES, Question, load, scores, temporary_store  # noqa: E402
from retrieval_semeval_hybrid import DEV, TRAIN, ranked, run_cli  # noqa: E402
from sqlalchemy import text  # noqa: E402

from copbot.knowledge.search.backend import search  # noqa: E402
from copbot.knowledge.search.filters import SearchFilters  # noqa: E402
from copbot.store.engine import create_engine, session_factory  # noqa: E402
from copbot.store.scope import factory_scope  # noqa: E402

SIZES = (0, 10_000, 100_000)
"""1,000,000 runs too (``--sizes 1000000``), outside CI: about 10 minutes of import on SQLite."""


def distractors(path: Path, count: int, *, seed: int = 21) -> Iterator[str]:
    """``count`` JSON lines recombined from the threads of ``path`` (train-part2): same forum, same shape."""
    root = ET.parse(path).getroot()
    subjects, bodies, comments, lengths = [], [], [], []
    for thread in root.iter("Thread"):
        related = thread.find("RelQuestion")
        if related is None:
            continue
        subjects.append(related.findtext("RelQSubject", ""))
        bodies.append(related.findtext("RelQBody", ""))
        texts = [comment.findtext("RelCText", "") for comment in thread.iter("RelComment")]
        comments.extend(texts)
        lengths.append(len(texts))
    rng = random.Random(seed)
    for number in range(count):
        messages = [{"author": f"u{rng.randrange(3000)}", "text": rng.choice(comments)}
                    for _ in range(rng.choice(lengths))]  # fmt: skip
        record = {"id": f"hay{number}", "title": rng.choice(subjects), "question": rng.choice(bodies),
                  "messages": messages, "source": {"platform": "qatarliving"}}  # fmt: skip
        yield json.dumps(record)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


PATH_SLOT = "search.pg_path"
"""The scope slot in which the PostgreSQL backend remembers its candidate path (``postgres.PATH_SLOT``)."""


async def latencies(
    url: str, questions: Sequence[Question], path: str | None, rounds: int = 3
) -> tuple[dict[str, list[float]], float]:
    """Milliseconds per search, within the question's candidates and over the whole knowledge base; and the share
    of the relevant candidates the unfiltered top 10 holds (recall at 10). ``path`` forces PostgreSQL's
    candidate path ("gin" or "rum"; None: what the backend detects)."""
    engine = create_engine(url)
    times: dict[str, list[float]] = {"within": [], "all": []}
    found = relevant = 0
    try:
        sessions = session_factory(engine)
        if path is not None:
            paths: dict[str, tuple[bool, float]] = factory_scope(sessions).slot(PATH_SLOT, dict)
            paths[str(engine.url)] = (path == "rum", math.inf)  # read "forever ago": never looked up again
        async with sessions() as session:
            for question in questions[:10]:
                await search(session, question.text)
            for round_ in range(rounds):
                for question in questions:
                    within = SearchFilters(public_ids=tuple(rid for _, rid, _ in question.candidates))
                    for name, filters in (("within", within), ("all", SearchFilters())):
                        started = time.perf_counter()
                        hits = await search(session, question.text, filters)
                        times[name].append(1000 * (time.perf_counter() - started))
                        if name == "all" and round_ == 0:
                            wanted = {rid for _, rid, flag in question.candidates if flag}
                            found += len(wanted & {hit.public_id for hit in hits})
                            relevant += len(wanted)
    finally:
        await engine.dispose()
    return times, 100 * found / (relevant or 1)


@contextlib.asynccontextmanager
async def kept_store(store: str, name: str) -> AsyncIterator[str]:
    """A database kept between runs: created when missing, never dropped."""
    if store == "sqlite":
        yield f"sqlite+aiosqlite:////tmp/{name}.sqlite3"
        return
    admin = await asyncpg.connect(POSTGRES + "/postgres")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    yield "postgresql+asyncpg://" + POSTGRES.split("://", 1)[1] + "/" + name


async def held(url: str) -> int:
    """Searchable entries already in the database (0 when it is new)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return int(await connection.scalar(text("SELECT count(*) FROM search_documents")) or 0)
    except Exception:  # a new database has no tables yet
        return 0
    finally:
        await engine.dispose()


async def one(
    store: str,
    size: int,
    questions: dict[str, Question],
    candidates: list[str],
    keep: str | None,
    paths: list[str],
    only_import: bool = False,
) -> list[str]:
    """Import candidates and ``size`` distractors into a database, search, and describe the result (the CLI
    runs in a worker thread: it starts an event loop of its own)."""
    store_context = kept_store(store, f"{keep}_{size}") if keep else temporary_store(store)
    async with store_context as url:
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch)
            config = folder / "copbot.toml"
            config.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
            imported = 0.0
            if await held(url) != size + len(candidates):
                entries = folder / "entries.jsonl"
                with entries.open("w", encoding="utf-8") as out:
                    for line in [*distractors(TRAIN, size), *candidates]:
                        out.write(line + "\n")
                started = time.perf_counter()
                await asyncio.to_thread(run_cli, ["kb", "import", str(entries), "--config", str(config)])
                imported = time.perf_counter() - started
            if only_import:
                return [f"{store:10s} N={size:>9,}  imported in {imported:.1f}s"]
            queries = folder / "queries.jsonl"
            with queries.open("w", encoding="utf-8") as out:
                for q in questions.values():
                    out.write(json.dumps({"id": q.id, "query": q.text, "within": [r for _, r, _ in q.candidates]}))
                    out.write("\n")
            search_cli = ["kb", "search", "--queries", str(queries), "--limit", "10", "--config", str(config)]
            output = await asyncio.to_thread(run_cli, search_cli)  # the CLI runs its own event loop
        found = {record["id"]: [hit["id"] for hit in record["hits"]] for record in map(json.loads, output.splitlines())}
        mean_ap, mrr, p_at_1 = scores([ranked(q, found[q.id]) for q in questions.values()])
        lines = []
        for path in paths if store == "postgresql" else ["auto"]:
            times, recall = await latencies(url, list(questions.values()), None if path == "auto" else path)
            timing = "  ".join(
                f"{name} p50 {statistics.median(values):6.1f} p95 {percentile(values, 0.95):6.1f} ms"
                for name, values in times.items()
            )
            load = "/".join(f"{figure:.1f}" for figure in os.getloadavg())
            lines.append(f"{store:10s} N={size:>9,}  {path:4s}  import {imported:6.1f}s  MAP {mean_ap:6.2f}  "
                         f"MRR {mrr:6.2f}  P@1 {p_at_1:6.2f}  all R@10 {recall:5.1f}  {timing}"
                         f"  load {load}")  # fmt: skip
    return lines


def main(argv: Sequence[str]) -> int:
    """Every store and size in turn, one line each."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated distractor counts")
    parser.add_argument("--keep", help="import each size once into databases of this name, kept between runs")
    parser.add_argument("--import-only", action="store_true", help="with --keep: import, do not search")
    parser.add_argument("--paths", default="auto", help="PostgreSQL candidate paths to time: auto, gin, rum")
    args = parser.parse_args(argv)
    if not TRAIN.is_file() or not DEV.is_file():
        print(f"SemEval-2016 Task 3 data not found in {TRAIN.parent}; nothing to benchmark.")
        return 0
    questions, candidates = load(DEV)
    stores = ["sqlite", "postgresql"] if args.store == "both" else [args.store]
    print(f"dev: {len(questions)} questions, {len(candidates)} candidates; distractors from {TRAIN.name}")
    for store in stores:
        for size in (int(size) for size in args.sizes.split(",")):
            paths = args.paths.split(",")
            print(
                "\n".join(asyncio.run(one(store, size, questions, candidates, args.keep, paths, args.import_only))),
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
