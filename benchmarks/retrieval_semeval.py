"""Retrieval on SemEval-2016 Task 3 subtask B: rerank each question's 10 candidates, SQLite and PostgreSQL search."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import secrets
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from copbot.knowledge.interchange.jsonl import import_lines
from copbot.knowledge.search.backend import search
from copbot.knowledge.search.filters import SearchFilters
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory

log = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent.parent.parent / "shared/data/semeval2016-task3/SemEval2016-Task3-CQA-QL-dev.xml"
RELEVANT = {"PerfectMatch", "Relevant"}
POSTGRES = os.environ.get("COPBOT_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
"""The PostgreSQL server for --store postgresql (a database is created and dropped there)."""


@dataclass
class Question:
    """An original question with its candidates in the search engine's order."""

    id: str
    text: str
    candidates: list[tuple[int, str, bool]] = field(default_factory=list)
    """(original rank, related question id, relevant)."""


def load(path: Path) -> tuple[dict[str, Question], list[str]]:
    """Original questions and the JSON lines of every related question (with its comments)."""
    questions: dict[str, Question] = {}
    lines: list[str] = []
    for original in ET.parse(path).getroot().iter("OrgQuestion"):
        qid = original.attrib["ORGQ_ID"]
        text = f"{original.findtext('OrgQSubject', '')} {original.findtext('OrgQBody', '')}"
        question = questions.setdefault(qid, Question(qid, text))
        thread = original.find("Thread")
        assert thread is not None
        related = thread.find("RelQuestion")
        assert related is not None
        rid = related.attrib["RELQ_ID"]
        label = related.attrib["RELQ_RELEVANCE2ORGQ"]
        question.candidates.append((int(related.attrib["RELQ_RANKING_ORDER"]), rid, label in RELEVANT))
        comments = [{"author": c.attrib.get("RELC_USERNAME", ""), "text": c.findtext("RelCText", "")}
                    for c in thread.iter("RelComment")]  # fmt: skip
        record = {"id": rid, "title": related.findtext("RelQSubject", ""), "question": related.findtext("RelQBody", ""),
                  "messages": comments, "source": {"platform": "qatarliving"}}  # fmt: skip
        lines.append(json.dumps(record))
    for question in questions.values():
        question.candidates.sort()
    return questions, lines


def average_precision(ranked: Sequence[bool]) -> float:
    """Official AP over the top 10: mean precision at each relevant position; 0 when nothing is relevant."""
    hits, total = 0, 0.0
    for position, relevant in enumerate(ranked[:10], start=1):
        if relevant:
            hits += 1
            total += hits / position
    return total / hits if hits else 0.0


def reciprocal_rank(ranked: Sequence[bool]) -> float:
    """1/rank of the first relevant candidate, 0 when none is."""
    return next((1.0 / position for position, relevant in enumerate(ranked[:10], start=1) if relevant), 0.0)


def scores(rankings: list[list[bool]]) -> tuple[float, float, float]:
    """(MAP, MRR, P@1) in percent."""
    count = len(rankings) or 1
    return (
        100 * sum(map(average_precision, rankings)) / count,
        100 * sum(map(reciprocal_rank, rankings)) / count,
        100 * sum(1 for ranked in rankings if ranked and ranked[0]) / count,
    )


@contextlib.asynccontextmanager
async def temporary_store(store: str) -> AsyncIterator[str]:
    """A throw-away database URL: a SQLite file in a temporary directory, or a new PostgreSQL database."""
    if store == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite+aiosqlite:///{directory}/bench.sqlite3"
        return
    name = f"copbot_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(POSTGRES + "/postgres")
    try:
        await admin.execute(f"CREATE DATABASE {name}")
        try:
            yield "postgresql+asyncpg://" + POSTGRES.split("://", 1)[1] + "/" + name
        finally:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await admin.close()


async def rerank(store: str, questions: dict[str, Question], lines: list[str]) -> list[list[bool]]:
    """Import the candidates into ``store`` and rerank each question's candidates with copbot search."""
    async with temporary_store(store) as url:
        engine = create_engine(url)
        try:
            await migrate.upgrade(engine)
            sessions = session_factory(engine)
            started = time.perf_counter()
            report = await import_lines(sessions, lines)
            elapsed = time.perf_counter() - started
            print(f"{store}: imported {report.created} entries in {elapsed:.2f}s ({len(report.errors)} errors)")
            ours: list[list[bool]] = []
            started = time.perf_counter()
            async with sessions() as session:
                for question in questions.values():
                    relevant = {rid: flag for _, rid, flag in question.candidates}
                    order = [rid for _, rid, _ in question.candidates]
                    hits = await search(session, question.text, SearchFilters(public_ids=tuple(order)), limit=10)
                    found = [hit.public_id for hit in hits]
                    ranked = found + [rid for rid in order if rid not in found]
                    ours.append([relevant[rid] for rid in ranked])
            per_query = 1000 * (time.perf_counter() - started) / max(1, len(questions))
            print(f"{store}: {len(questions)} searches, {per_query:.1f} ms each")
        finally:
            await engine.dispose()
    return ours


async def run(path: Path, stores: Sequence[str]) -> None:
    """Rerank on each store and print every system's scores side by side."""
    questions, lines = load(path)
    original = [[flag for _, _, flag in question.candidates] for question in questions.values()]
    results = [("search engine (original order)", original)]
    for store in stores:
        results.append((f"copbot search ({store})", await rerank(store, questions, lines)))
    print(f"{len(questions)} questions, {sum(len(q.candidates) for q in questions.values())} candidates")
    for name, rankings in results:
        mean_ap, mrr, p_at_1 = scores(rankings)
        print(f"{name:36s} MAP {mean_ap:6.2f}  MRR {mrr:6.2f}  P@1 {p_at_1:6.2f}")


def main() -> int:
    """Run the benchmark if the data set is present."""
    if not DATA.exists():
        print(f"SemEval-2016 Task 3 data not found at {DATA}; nothing to benchmark.")
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    where = f"where to run copbot search (PostgreSQL: a temporary database on {POSTGRES})"
    parser.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="both", help=where)
    args = parser.parse_args()
    asyncio.run(run(DATA, ["sqlite", "postgresql"] if args.store == "both" else [args.store]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
