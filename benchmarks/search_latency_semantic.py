"""Search latency over a large knowledge base, lexical vs hybrid, plus embedding throughput and resident memory.

Embedding 100,000 entries on a small shared CPU takes hours, so the base is built from BASE real SemEval-2016
texts whose embeddings are computed for real, recombined: entry i = title of text a + body of text b, with
embedding normalise(v_a + v_b). Lexical and hybrid run on the same database in the same run.
Run: python benchmarks/search_latency_semantic.py [--model PATH] [--entries 100000] [--base 300] [--queries 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import insert

from copbot.knowledge import hooks
from copbot.knowledge.interchange.jsonl import import_lines
from copbot.knowledge.search.backend import search
from copbot.semantic.embedder import Embedder
from copbot.semantic.hybrid import HybridRanker
from copbot.semantic.store import document_text, to_blob
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory
from copbot.store.models import EntryEmbedding

DATA = Path(__file__).resolve().parent.parent.parent / "shared/data/semeval2016-task3"


def texts(limit: int) -> tuple[list[tuple[str, str]], list[str]]:
    """(subject, body) of related questions, and original questions to use as queries."""
    pairs: list[tuple[str, str]] = []
    queries: list[str] = []
    for name in ("SemEval2016-Task3-CQA-QL-train-part2.xml", "SemEval2016-Task3-CQA-QL-dev.xml"):
        for element in ET.parse(DATA / name).getroot().iter():
            if element.tag == "RelQuestion" and len(pairs) < limit:
                pairs.append((element.findtext("RelQSubject", ""), element.findtext("RelQBody", "")))
            elif element.tag == "OrgQuestion":
                queries.append(f"{element.findtext('OrgQSubject', '')} {element.findtext('OrgQBody', '')}")
    return pairs, list(dict.fromkeys(queries))


def percentile(values: Sequence[float], share: float) -> float:
    """The value below which ``share`` of ``values`` fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


async def run(args: argparse.Namespace) -> None:
    """Build the base, time both modes, print the figures."""
    import numpy as np

    pairs, queries = texts(args.base)
    embedder = Embedder(args.model)
    started = time.perf_counter()
    embedder.embed(["warm up"])
    print(f"model loaded in {time.perf_counter() - started:.1f}s; max resident memory {rss_mb():.0f} MB")
    documents = [document_text(subject, body, "") for subject, body in pairs]
    started = time.perf_counter()
    base = embedder.embed(documents)
    elapsed = time.perf_counter() - started
    print(
        f"embedding throughput: {len(documents)} entries in {elapsed:.1f}s = {len(documents) / elapsed:.1f} entries/s"
    )
    print(f"max resident memory with the model loaded and used: {rss_mb():.0f} MB")
    rng = random.Random(7)
    combos = [(rng.randrange(len(pairs)), rng.randrange(len(pairs))) for _ in range(args.entries)]
    lines = (
        json.dumps({"id": f"e{i}", "title": pairs[a][0], "question": pairs[b][1], "answers": ["ok"], "solved": True})
        for i, (a, b) in enumerate(combos)
    )
    with tempfile.TemporaryDirectory() as directory:
        engine = create_engine(f"sqlite+aiosqlite:///{directory}/latency.sqlite3")
        try:
            await migrate.upgrade(engine)
            sessions = session_factory(engine)
            started = time.perf_counter()
            await import_lines(sessions, lines)
            print(f"imported {args.entries} entries in {time.perf_counter() - started:.0f}s")
            name = embedder.name
            for start in range(0, args.entries, 5000):
                rows = []
                for i in range(start, min(args.entries, start + 5000)):
                    a, b = combos[i]
                    vector = base[a] + base[b]
                    rows.append({"entry_id": i + 1, "model": name, "dim": 384,
                                 "vector": to_blob(vector / np.linalg.norm(vector))})  # fmt: skip
                async with sessions.begin() as session:
                    await session.execute(insert(EntryEmbedding), rows)
            chosen = queries[: args.queries]
            for mode in ("lexical", "hybrid"):
                hooks.install(sessions, HybridRanker(embedder, args.weight) if mode == "hybrid" else None, None)
                times: list[float] = []
                async with sessions() as session:
                    for query in chosen:
                        started = time.perf_counter()
                        await search(session, query, limit=10)
                        times.append(time.perf_counter() - started)
                hooks.uninstall(sessions)
                p50, p95 = (1000 * percentile(times, share) for share in (0.5, 0.95))
                print(f"{mode:8s} {len(times)} queries over {args.entries} entries: p50 {p50:.1f} ms  p95 {p95:.1f} ms")
        finally:
            await engine.dispose()
    print(f"max resident memory at the end: {rss_mb():.0f} MB")


def rss_mb() -> float:
    """Peak resident set size of this process in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: Sequence[str]) -> int:
    """Parse options and run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="all-MiniLM-L6-v2")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--base", type=int, default=300)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--weight", type=float, default=0.5)
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"SemEval-2016 Task 3 data not found at {DATA}; nothing to benchmark.")
        return 0
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
