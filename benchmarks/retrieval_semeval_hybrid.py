"""SemEval-2016 Task 3 subtask B, lexical vs hybrid in the same run, with a grid over the fusion weight.

Needs the semantic extra. The model comes from semantic.model's default or --model PATH (a local directory).
Run: python benchmarks/retrieval_semeval_hybrid.py [--model PATH] [--weights 0.3,0.5,0.7]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from retrieval_semeval import DATA, Question, load, scores
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.knowledge import hooks
from copbot.knowledge.interchange.jsonl import import_lines
from copbot.knowledge.search.backend import search
from copbot.knowledge.search.filters import SearchFilters
from copbot.semantic.embedder import Embedder
from copbot.semantic.hybrid import HybridRanker
from copbot.semantic.indexer import embed_missing
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory

DEFAULT_WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)


async def rank_all(sessions: async_sessionmaker[AsyncSession], questions: dict[str, Question]) -> list[list[bool]]:
    """Each question's candidates as copbot search orders them (unfound ones after, in the original order)."""
    rankings: list[list[bool]] = []
    async with sessions() as session:
        for question in questions.values():
            relevant = {rid: flag for _, rid, flag in question.candidates}
            order = [rid for _, rid, _ in question.candidates]
            hits = await search(session, question.text, SearchFilters(public_ids=tuple(order)), limit=10)
            found = [hit.public_id for hit in hits]
            rankings.append([relevant[rid] for rid in found + [rid for rid in order if rid not in found]])
    return rankings


async def run(path: Path, model: str, weights: Sequence[float]) -> None:
    """Import, embed, then score the original order, lexical search and hybrid at every weight."""
    questions, lines = load(path)
    embedder = Embedder(model)
    with tempfile.TemporaryDirectory() as directory:
        engine = create_engine(f"sqlite+aiosqlite:///{directory}/bench.sqlite3")
        try:
            await migrate.upgrade(engine)
            sessions = session_factory(engine)
            await import_lines(sessions, lines)
            started = time.perf_counter()
            count = await embed_missing(sessions, embedder)
            elapsed = time.perf_counter() - started
            print(f"embedded {count} entries in {elapsed:.1f}s ({count / elapsed:.1f} entries/s, model load included)")
            original = [[flag for _, _, flag in q.candidates] for q in questions.values()]
            print(f"{len(questions)} questions, {sum(len(q.candidates) for q in questions.values())} candidates")
            rows = [("search engine (original order)", original), ("lexical (copbot FTS5 bm25)", None)]
            for name, rankings in rows:
                hooks.uninstall(sessions)
                found = rankings if rankings is not None else await rank_all(sessions, questions)
                print(
                    f"{name:34s} MAP {scores(found)[0]:6.2f}  MRR {scores(found)[1]:6.2f}  P@1 {scores(found)[2]:6.2f}"
                )
            for weight in weights:
                hooks.install(sessions, HybridRanker(embedder, weight), None)
                try:
                    mean_ap, mrr, p_at_1 = scores(await rank_all(sessions, questions))
                finally:
                    hooks.uninstall(sessions)
                label = f"hybrid w={weight:.2f}"
                print(f"{label:34s} MAP {mean_ap:6.2f}  MRR {mrr:6.2f}  P@1 {p_at_1:6.2f}")
        finally:
            await engine.dispose()


def main(argv: Sequence[str]) -> int:
    """Run the benchmark if the data set is present."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="all-MiniLM-L6-v2")
    parser.add_argument("--weights", default=",".join(map(str, DEFAULT_WEIGHTS)))
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"SemEval-2016 Task 3 data not found at {args.data}; nothing to benchmark.")
        return 0
    asyncio.run(run(args.data, args.model, [float(w) for w in args.weights.split(",")]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
