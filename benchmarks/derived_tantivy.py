"""The derived index of ``derived_index.py``: tantivy built from ``search_documents``, its ids, its write costs."""

from __future__ import annotations

import sqlite3
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tantivy_reference

FIELDS = tantivy_reference.FIELDS


def rss_mb() -> float:
    """This process's resident memory, MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def folder_mb(path: Path) -> float:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file()) / 2**20


def _schema() -> Any:
    import tantivy

    builder: Any = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    for name in FIELDS:
        builder.add_text_field(name, stored=False, tokenizer_name="en_stem")
    return builder.build()


def _document(row: Sequence[Any]) -> Any:
    import tantivy

    texts = {name: str(value or "") for name, value in zip(FIELDS, row[1:], strict=True)}
    return tantivy.Document(id=int(row[0]), **texts)


def build(database: Path, folder: Path) -> tuple[Any, float, int]:
    """A tantivy index of every row of ``search_documents`` (read straight from the file): (index, seconds, rows)."""
    import tantivy

    started = time.perf_counter()
    index: Any = tantivy.Index(_schema(), path=str(folder))
    writer = index.writer(heap_size=200_000_000, num_threads=1)
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    count = 0
    try:
        rows = db.execute("SELECT entry_id, title, question, answers, tags, discussion FROM search_documents")
        while batch := rows.fetchmany(5_000):
            for row in batch:
                writer.add_document(_document(row))
            count += len(batch)
    finally:
        db.close()
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index, time.perf_counter() - started, count


class Derived:
    """Candidate ids from the derived index, every word of the question OR-ed over the five columns."""

    def __init__(self, index: Any) -> None:
        self.index, self.searcher = index, index.searcher()

    def top(self, question: str, k: int) -> list[int]:
        words = tantivy_reference.query_text(question)
        if not words:
            return []
        hits = self.searcher.search(self.index.parse_query(words, list(FIELDS)), k).hits
        return [int(value) for value in self.searcher.fast_field_values("id", [address for _, address in hits])]


def write_costs(index: Any, database: Path) -> str:
    """What a write costs the derived index: one entry added and committed, an update (delete + add), 1,000 adds."""
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    rows = db.execute("SELECT entry_id, title, question, answers, tags, discussion FROM search_documents LIMIT 1000")
    sample = rows.fetchall()
    db.close()
    writer = index.writer(heap_size=50_000_000, num_threads=1)
    one, update = [], []
    for row in sample[:20]:
        started = time.perf_counter()
        writer.add_document(_document((10**9 + int(row[0]), *row[1:])))
        writer.commit()
        one.append(1000 * (time.perf_counter() - started))
    for row in sample[20:40]:
        started = time.perf_counter()
        writer.delete_documents_by_term("id", int(row[0]))
        writer.add_document(_document(row))
        writer.commit()
        update.append(1000 * (time.perf_counter() - started))
    started = time.perf_counter()
    for row in sample:
        writer.add_document(_document((2 * 10**9 + int(row[0]), *row[1:])))
    writer.commit()
    batch = time.perf_counter() - started
    writer.wait_merging_threads()
    return (f"write: add+commit p50 {statistics.median(one):.1f} ms, update (delete+add+commit) p50 "
            f"{statistics.median(update):.1f} ms, 1,000 adds + one commit {1000 * batch:.0f} ms")  # fmt: skip
