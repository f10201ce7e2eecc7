"""SQLite: the discussion's bm25 and the snippets of a search's candidates, from the candidates' own text.

FTS5's ``bm25()`` over ``search_fts_discussion`` counts, for every query word, every entry whose discussion holds
it (a walk of the word's whole doclist) each time a search runs, and a ``MATCH`` for each snippet walks the index
again. Here the same bm25 formula (FTS5's: k1 1.2, b 0.75, idf never below 1e-6) takes the row count and average
length from FTS5's own averages record and each word's entries from the discussion vocabulary, remembered per
version of the text (``stats``); the occurrences and lengths come from the candidates' (bounded) text, tokenized
by the same tokenizer in a private in-memory FTS5 table, which also gives the ``highlight()`` a snippet is cut from.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.knowledge.search.scratch import ScratchTable
from copbot.knowledge.search.words import TOKENIZE
from copbot.store.scope import scope_of

K1 = 1.2
B = 0.75
COLUMNS = ("title", "question", "answers", "tags", "discussion")
SNIPPET_COLUMNS = (1, 2, 0, 3, 4)
"""The columns a snippet is cut from, in order of preference (question, answers, title, tags), then the discussion
(for an entry only its discussion matches)."""
HIGHLIGHT = "**"

_TEXTS = text(
    "SELECT entry_id, title, question, answers, tags, discussion FROM search_documents WHERE entry_id IN :ids"
).bindparams(bindparam("ids", expanding=True))
TABLES = ("search_fts", "search_fts_discussion")
_AVERAGES = {table: text(f"SELECT block FROM {table}_data WHERE id = 1") for table in TABLES}
"""FTS5's averages record: the row count, then the tokens of each column over all rows."""
_DOCS = {
    table: text(f"SELECT term, doc FROM {table}_terms WHERE term IN :terms").bindparams(
        bindparam("terms", expanding=True)
    )
    for table in TABLES
}


def varints(blob: bytes) -> list[int]:
    """The varints of an FTS5 record (SQLite's format: big-endian 7-bit groups, a ninth byte of 8 bits)."""
    values: list[int] = []
    position = 0
    while position < len(blob):
        value = 0
        for count in range(9):
            byte = blob[position]
            position += 1
            if count == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        values.append(value)
    return values


def _scratch(session: AsyncSession) -> ScratchTable:
    """The application's scratch table, made on first use."""
    return scope_of(session).slot("search.scratch", functools.partial(ScratchTable, COLUMNS, TOKENIZE))


_HIGHLIGHTS = ", ".join(f"highlight(docs, {column}, '{HIGHLIGHT}', '{HIGHLIGHT}')" for column in SNIPPET_COLUMNS)
_HIGHLIGHTED = f"SELECT rowid, {_HIGHLIGHTS} FROM docs WHERE docs MATCH ?"


def _rows(rows: Sequence[Sequence[object]]) -> list[tuple[object, ...]]:
    return [tuple(str(value or "") if index else value for index, value in enumerate(row)) for row in rows]


def read_candidates(
    session: AsyncSession, rows: Sequence[Sequence[object]], query: str, stems: Sequence[str], *, snippets: bool = True
) -> tuple[dict[int, list[str]], dict[int, dict[tuple[str, str], int]], dict[int, dict[str, int]]]:
    """For (id, title, question, answers, tags, discussion) rows: each one's highlighted snippet columns (none
    unless ``snippets``: ``highlights`` cuts them for the rows a search returns), the occurrences of each of
    ``stems`` per (column, stem), and each column's length in tokens."""
    marks = ", ".join("?" for _ in stems)
    found: dict[int, dict[tuple[str, str], int]] = {}
    lengths: dict[int, dict[str, int]] = {}
    highlighted: dict[int, list[str]] = {}
    with _scratch(session).holding(_rows(rows)) as db:
        if snippets:
            highlighted = {int(row[0]): list(row[1:]) for row in db.execute(_HIGHLIGHTED, (query,))}
        # Each row's tokens per column, from the scratch table's own docsize record (no walk of its tokens).
        for doc, sizes in db.execute("SELECT id, sz FROM docs_docsize"):
            lengths[int(doc)] = dict(zip(COLUMNS, varints(bytes(sizes)), strict=False))
        if stems:
            sql = f"SELECT doc, col, term, count(*) FROM terms WHERE term IN ({marks}) GROUP BY 1, 2, 3"
            for doc, column, term, count in db.execute(sql, list(stems)):
                found.setdefault(int(doc), {})[(str(column), str(term))] = int(count)
    return highlighted, found, lengths


def highlights(session: AsyncSession, rows: Sequence[Sequence[object]], query: str) -> dict[int, list[str]]:
    """Each row's snippet columns with ``query``'s words highlighted (the rows a search returns, after scoring)."""
    with _scratch(session).holding(_rows(rows)) as db:
        return {int(row[0]): list(row[1:]) for row in db.execute(_HIGHLIGHTED, (query,))}


async def index_figures(
    session: AsyncSession, table: str, stems: Sequence[str], extra: dict[str, object]
) -> tuple[int, float, dict[str, int]]:
    """(rows ``table`` indexes, their average length in tokens over all columns, rows per stem), from FTS5's
    averages record and the table's vocabulary; remembered in ``extra`` (one version of the searchable text)."""
    averages = extra.get(f"{table}.averages")
    if not isinstance(averages, tuple):
        block = await session.scalar(_AVERAGES[table])
        values = varints(bytes(block)) if block else [0]
        rows, tokens = values[0], sum(values[1:])
        averages = extra[f"{table}.averages"] = (rows, tokens / rows if rows else 1.0)
    known = extra.setdefault(f"{table}.docs", {})
    assert isinstance(known, dict)
    missing = [stem for stem in dict.fromkeys(stems) if stem not in known]
    if missing:
        counted = {str(term): int(doc) for term, doc in await session.execute(_DOCS[table], {"terms": missing})}
        known.update({stem: counted.get(stem, 0) for stem in missing})
    return int(averages[0]), float(averages[1]), {stem: int(known[stem]) for stem in stems}


def weighted(counts: dict[tuple[str, str], int], columns: dict[str, float]) -> dict[str, float]:
    """Occurrences per stem in the given columns, each column's count times its weight (FTS5's bm25 weights)."""
    total: dict[str, float] = {}
    for (column, stem), count in counts.items():
        if column in columns:
            total[stem] = total.get(stem, 0.0) + columns[column] * count
    return total


def bm25(
    rows: int, average: float, stems: Sequence[str], docs: dict[str, int], counts: dict[str, float], length: int
) -> float:
    """FTS5's bm25 for one row (negative: smaller is better): ``counts`` weighted occurrences per stem, ``length``
    the row's tokens over the table's columns; each query phrase counts, a repeated word too."""
    score = 0.0
    for stem in stems:
        hits = docs.get(stem, 0)
        frequency = counts.get(stem, 0)
        if not frequency:
            continue
        idf = math.log((rows - hits + 0.5) / (hits + 0.5))
        idf = idf if idf > 0 else 1e-6
        score += idf * frequency * (K1 + 1) / (frequency + K1 * (1 - B + B * length / (average or 1.0)))
    return -score


async def texts(session: AsyncSession, ids: Sequence[int]) -> list[Sequence[object]]:
    """The candidates' indexed text (each column at most ``INDEXED_CHARS``), one statement."""
    return [tuple(row) for row in await session.execute(_TEXTS, {"ids": list(ids)})]
