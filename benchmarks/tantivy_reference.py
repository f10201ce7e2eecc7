"""tantivy (a Rust BM25 library, the `bench` extra) as the reference engine: the same entries, the same questions."""

from __future__ import annotations

import importlib.util
import json
import tempfile
import time
from collections.abc import Iterable, Sequence
from typing import Any

from copbot.core.words import content_words

FIELDS = ("title", "question", "answers", "tags", "discussion")


def available() -> bool:
    """Whether tantivy is installed (``pip install -e '.[bench]'``)."""
    return importlib.util.find_spec("tantivy") is not None


def _document(line: str) -> dict[str, str]:
    record = json.loads(line)
    return {"title": record.get("title", ""), "question": record.get("question", ""),
            "answers": " ".join(record.get("answers", [])), "tags": " ".join(record.get("tags", [])),
            "discussion": " ".join(message["text"] for message in record.get("messages", []))}  # fmt: skip


def query_text(question: str) -> str | None:
    """Every word of the question as a disjunction in tantivy's query language (nothing left out: it skips)."""
    words = [word for word in content_words(question) if word.isalnum()]
    return " ".join(words) or None


def timed(lines: Iterable[str], queries: Sequence[str]) -> tuple[str, list[float]]:
    """Index ``lines`` (JSONL entries) with English stemming, then milliseconds per top-10 query."""
    import tantivy

    builder: Any = tantivy.SchemaBuilder()
    for name in FIELDS:
        builder.add_text_field(name, stored=False, tokenizer_name="en_stem")
    with tempfile.TemporaryDirectory() as folder:
        index: Any = tantivy.Index(builder.build(), path=folder)
        started = time.perf_counter()
        writer = index.writer(heap_size=200_000_000, num_threads=1)
        count = 0
        for line in lines:
            writer.add_document(tantivy.Document(**_document(line)))
            count += 1
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        built = f"tantivy index {count:,} in {time.perf_counter() - started:.1f}s"
        searcher = index.searcher()
        parsed = [index.parse_query(text, list(FIELDS)) for text in map(query_text, queries) if text]
        for query in parsed[:20]:
            searcher.search(query, 10)
        times: list[float] = []
        for query in parsed:
            started = time.perf_counter()
            assert len(searcher.search(query, 10).hits) <= 10
            times.append(1000 * (time.perf_counter() - started))
    return built, times
