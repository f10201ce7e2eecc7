"""PostgreSQL BM25 constants (k1, b, discussion weight) tuned on SemEval-2016 train-part2 only, never on dev.

The train-part2 questions and their candidates are imported once into a throw-away PostgreSQL database; each
setting ranks every question's candidates through the product's search (``copbot.knowledge.search.search`` with
the candidates named) with ``pg_rank.scored(k1, b, weight)`` in place of the shipped statement, and prints MAP;
with the idf of each part from its own document frequency (``pg_rank.SPLIT_IDF``, the default) or, with
``--joint``, from the entries holding the word anywhere (the shape before 2026-12-02).
Run: PYTHONPATH=. python benchmarks/tune_pg_bm25.py [--joint]
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from retrieval_semeval import Question, load, scores, temporary_store  # noqa: E402
from retrieval_semeval_hybrid import TRAIN, ranked  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession  # noqa: E402

from copbot.knowledge.interchange.jsonl import import_lines  # noqa: E402
from copbot.knowledge.search import pg_rank  # noqa: E402
from copbot.knowledge.search.backend import search  # noqa: E402
from copbot.knowledge.search.filters import SearchFilters  # noqa: E402
from copbot.store import migrate  # noqa: E402
from copbot.store.engine import create_engine, session_factory  # noqa: E402

K1S = (0.6, 0.9, 1.2, 1.5, 2.0, 3.0)
BS = (0.1, 0.3, 0.5, 0.75, 0.9)
WEIGHTS = (0.1, 0.2, 0.3, 0.5, 0.7, 1.0)


async def run(split: bool) -> None:
    """Every (k1, b, weight) of the grid, MAP on train-part2, then the best."""
    pg_rank.SPLIT_IDF = split
    questions, lines = load(TRAIN)
    results: list[tuple[float, float, float, float]] = []
    shipped_statement = pg_rank.SCORED
    async with temporary_store("postgresql") as url:
        engine = create_engine(url)
        try:
            await migrate.upgrade(engine)
            sessions = session_factory(engine)
            await import_lines(sessions, lines)
            for k1, b, weight in itertools.product(K1S, BS, WEIGHTS):
                pg_rank.SCORED = pg_rank.scored(k1, b, weight)
                async with sessions() as session:
                    rankings = [await _ranking(session, question) for question in questions.values()]
                mean_ap = scores(rankings)[0]
                results.append((mean_ap, k1, b, weight))
                print(f"k1 {k1:4.2f} b {b:4.2f} discussion {weight:4.2f}: MAP {mean_ap:6.2f}", flush=True)
        finally:
            pg_rank.SCORED = shipped_statement
            await engine.dispose()
    shipped = next(r for r in results if r[1:] == (pg_rank.K1, pg_rank.B, pg_rank.TALK_WEIGHT))
    best = max(results)
    print(f"train-part2, {len(questions)} questions, split idf {split}: shipped {shipped[0]:.2f}; best {best[0]:.2f}"
          f" at k1 {best[1]}, b {best[2]}, discussion {best[3]}")  # fmt: skip


async def _ranking(session: AsyncSession, question: Question) -> list[bool]:
    order = tuple(rid for _, rid, _ in question.candidates)
    hits = await search(session, question.text, SearchFilters(public_ids=order), limit=10)
    return ranked(question, [hit.public_id for hit in hits])


def main() -> int:
    """Tune, if the data set is present."""
    if not TRAIN.is_file():
        print(f"SemEval-2016 Task 3 train-part2 not found at {TRAIN}; nothing to tune.")
        return 0
    asyncio.run(run("--joint" not in sys.argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
