"""SQLite FTS5 search backend: bm25 on what an entry is about plus a weighted bm25 of its discussion, with snippets."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.core.words import content_words
from copbot.knowledge.search import talk
from copbot.knowledge.search.excerpt import excerpt
from copbot.knowledge.search.filters import SearchFilters, SearchHit, filter_conditions
from copbot.knowledge.search.query import quote
from copbot.knowledge.search.stats import either, text_statistics
from copbot.knowledge.search.words import held_stems, selective_words, stems
from copbot.store.models import KnowledgeEntry, SearchDocument

log = logging.getLogger(__name__)

COLUMN_WEIGHTS = {"title": 1.0, "question": 1.0, "answers": 1.0, "tags": 1.0}
"""bm25 weight of each column of ``search_fts``, in the order the table declares them."""
DISCUSSION_WEIGHT = 0.7
"""How much the discussion's own bm25 (``search_fts_discussion``) adds to an entry's score."""
MIN_CANDIDATES = 10
"""The best this many entries by ``search_fts`` (or the limit, if larger) are re-scored with their discussion."""
HIGHLIGHT = "**"
TALK_COLUMN = {"discussion": 1.0}
NARROW_MAX = 1_000
"""A search among at most this many named entries scores them from their own text instead of through the index."""
SNIPPET_COLUMNS = {"search_fts": (1, 2, 0, 3), "search_fts_discussion": (0,)}
"""Columns a snippet is cut from, per table, in order of preference (question, answers, title, tags)."""

_MAIN = table("search_fts", column("rowid"))
_TALK = table("search_fts_discussion", column("rowid"))
_QUERY: BindParameter[str] = bindparam("query")
_ENTRY = KnowledgeEntry
_COLUMNS = (_ENTRY.id, _ENTRY.public_id, _ENTRY.title, _ENTRY.source_url, _ENTRY.resource_url, _ENTRY.solved,
            _ENTRY.kind)  # fmt: skip
_DOC = SearchDocument
_TEXT_COLUMNS = (_DOC.title.label("t_title"), _DOC.question.label("t_question"), _DOC.answers.label("t_answers"),
                 _DOC.tags.label("t_tags"), _DOC.discussion.label("t_discussion"))  # fmt: skip
"""The candidates' indexed text, read in the statement that finds them (no second round trip)."""


def _match(name: str) -> ColumnElement[bool]:
    return literal_column(name).op("MATCH")(_QUERY)


def _bm25(name: str, *weights: float) -> ColumnElement[float]:
    """bm25 with the weights written into the SQL, so ORDER BY on its label reuses the one computed value."""
    return func.bm25(literal_column(name), *(literal_column(repr(float(weight))) for weight in weights))


def _snippet(name: str) -> ColumnElement[str]:
    """The table's snippet columns highlighted, as a JSON array: ``highlight()`` is linear in the (bounded) column,
    where ``snippet()`` grows with the square of a word's occurrences; ``excerpt`` cuts the snippet from it."""
    table_: ColumnElement[Any] = literal_column(name)
    return func.json_array(*(func.highlight(table_, index, HIGHLIGHT, HIGHLIGHT) for index in SNIPPET_COLUMNS[name]))


def _ranked(filters: SearchFilters, candidates: int) -> Select[*tuple[Any, ...]]:
    """One statement: the best ``candidates`` by ``search_fts`` (LIMIT inside the FTS query) with entry columns;
    their discussion score and snippets are computed from their own text (``talk``), not by more FTS queries."""
    rank = _bm25("search_fts", *COLUMN_WEIGHTS.values())
    conditions = filter_conditions(filters)
    best = select(_MAIN.c.rowid.label("id"), rank.label("score")).where(_match("search_fts"))
    if conditions:
        best = best.join(_ENTRY, _ENTRY.id == _MAIN.c.rowid).where(*conditions)
    main = best.order_by(literal_column("score")).limit(candidates).subquery("main")
    # LEFT joins keep the ranked candidates the outer loop, which SQLite then reads as a co-routine: an inner JOIN
    # makes it materialize them first, and that costs 5% of the whole FTS5 query. ``search`` drops a candidate
    # whose entry is missing, as an inner join would.
    return (
        select(*_COLUMNS, main.c.score.label("rank"), *_TEXT_COLUMNS, _version())
        .select_from(
            main.join(_ENTRY, _ENTRY.id == main.c.id, isouter=True).join(_DOC, _DOC.entry_id == main.c.id, isouter=True)
        )
        .order_by(main.c.score, _ENTRY.id)
    )


def _version() -> ColumnElement[int]:
    """The searchable text's version (``stats``), read with the candidates instead of by a statement of its own."""
    return literal_column("(SELECT version FROM search_fts_version WHERE id = 1)").label("text_version")


_NO_FILTERS = SearchFilters()
_unfiltered = functools.lru_cache(maxsize=16)(functools.partial(_ranked, _NO_FILTERS))
"""The statement for a search without filters, built once per candidate count."""


def _discussion_only(filters: SearchFilters, exclude: Sequence[int], limit: int) -> Select[*tuple[Any, ...]]:
    """Entries whose discussion alone matches: asked only when ``search_fts`` finds fewer than the limit."""
    score = (DISCUSSION_WEIGHT * _bm25("search_fts_discussion")).label("rank")
    return (
        select(*_COLUMNS, score, _snippet("search_fts_discussion").label("snippet"))
        .select_from(_TALK.join(_ENTRY, _ENTRY.id == _TALK.c.rowid))
        .where(_match("search_fts_discussion"), _TALK.c.rowid.not_in(list(exclude)), *filter_conditions(filters))
        .order_by(score, _ENTRY.id)
        .limit(limit)
    )


def _hit(row: Any) -> SearchHit:
    return SearchHit(
        entry_id=row.id,
        public_id=row.public_id,
        title=row.title,
        score=-float(row.rank),
        snippet=excerpt(json.loads(row.snippet) if row.snippet else [], HIGHLIGHT),
        url=row.source_url or row.resource_url,
        solved=bool(row.solved),
        kind=row.kind,
    )


class SqliteSearch:
    """Searches ``search_fts`` and ``search_fts_discussion`` (FTS5, external content over ``search_documents``)."""

    async def search(self, session: AsyncSession, text_: str, filters: SearchFilters, limit: int) -> list[SearchHit]:
        """The best entries for any user text, best first."""
        if filters.entry_ids == () or filters.public_ids == ():
            return []
        candidates = max(MIN_CANDIDATES, limit)
        named = filters.entry_ids if filters.entry_ids is not None else filters.public_ids
        narrowed = named is not None and len(named) <= NARROW_MAX
        query: str | None = None
        try:
            # Named entries are scored from their own text: no word walks the index, so none is left out.
            words = content_words(text_) if narrowed else await selective_words(session, text_)
            if not words:
                return []
            query = " OR ".join(quote(word) for word in words)
            if narrowed:
                named_rows = select(*_COLUMNS, *_TEXT_COLUMNS, _version()).join(_DOC, _DOC.entry_id == _ENTRY.id)
                rows = list(await session.execute(named_rows.where(*filter_conditions(filters))))
            else:
                ranked = _unfiltered(candidates) if filters == _NO_FILTERS else _ranked(filters, candidates)
                rows = [row for row in await session.execute(ranked, {"query": query}) if row.id is not None]
            hits = await self._scored(session, rows, query, words, narrowed, limit)
            if len(hits) < limit and not narrowed:
                extra = _discussion_only(filters, [hit.entry_id for hit in hits], limit - len(hits))
                hits += [_hit(row) for row in await session.execute(extra, {"query": query})]
        except OperationalError:
            log.exception("full-text search failed for query %r", query)
            return []
        hits.sort(key=lambda hit: (-hit.score, hit.entry_id))
        return hits

    async def _scored(
        self, session: AsyncSession, rows: list[Any], query: str, words: list[str], own: bool, limit: int
    ) -> list[SearchHit]:
        """The best ``limit`` candidates with their discussion's bm25 added (and, when ``own``, their main bm25
        computed here too), best first, each with its snippet (highlighted only for those returned); a candidate no
        query word is in is dropped."""
        if not rows:
            return []
        _, _, extra = await text_statistics(session, self, [], version=int(rows[0].text_version or 0))
        query_stems = [stem for stem in stems(session, words) if stem]
        documents = {row.id: (row.id, row.t_title, row.t_question, row.t_answers, row.t_tags, row.t_discussion)
                     for row in rows}  # fmt: skip
        # Every candidate may be returned when there are no more than the limit: their snippets are cut now, with
        # no second pass through the scratch table.
        every = len(rows) <= limit
        highlighted, counts, lengths = talk.read_candidates(
            session, list(documents.values()), query, query_stems, snippets=every
        )
        # Only the words some candidate holds count in its bm25: the others' entries are never looked up.
        spoken_stems = {stem for found in counts.values() for column, stem in found if column == "discussion"}
        about_stems = {stem for found in counts.values() for column, stem in found if column in COLUMN_WEIGHTS}
        talk_figures = await talk.index_figures(session, "search_fts_discussion", sorted(spoken_stems), extra)
        main_figures = await talk.index_figures(session, "search_fts", sorted(about_stems), extra) if own else None
        ranked: list[tuple[float, Any]] = []
        for row in rows:
            found, length = counts.get(row.id, {}), lengths.get(row.id, {})
            spoken = talk.weighted(found, TALK_COLUMN)
            rank = 0.0 if own else float(row.rank)
            if main_figures is not None:
                about = talk.weighted(found, COLUMN_WEIGHTS)
                if not about and not spoken:
                    continue
                main_length = sum(length.get(column, 0) for column in COLUMN_WEIGHTS)
                rank = talk.bm25(*main_figures[:2], query_stems, main_figures[2], about, main_length) if about else 0.0
            talk_length = length.get("discussion", 0)
            rank += DISCUSSION_WEIGHT * talk.bm25(*talk_figures[:2], query_stems, talk_figures[2], spoken, talk_length)
            ranked.append((rank, row))
        ranked.sort(key=lambda pair: (pair[0], pair[1].id))
        best = ranked[:limit]
        snippets = highlighted if every else talk.highlights(session, [documents[row.id] for _, row in best], query)
        scored = []
        for rank, row in best:
            columns = snippets.get(row.id, [])
            about_matched = any(HIGHLIGHT in (column or "") for column in columns[:4])
            snippet = excerpt(columns[:4] if about_matched else columns[4:], HIGHLIGHT)
            url = row.source_url or row.resource_url
            scored.append(SearchHit(entry_id=row.id, public_id=row.public_id, title=row.title, score=-rank,
                                    snippet=snippet, url=url, solved=bool(row.solved), kind=row.kind))  # fmt: skip
        return scored

    async def document_count(self, session: AsyncSession) -> int:
        """Searchable entries (counted only when the searchable text has changed: see ``stats``)."""
        return int(await session.scalar(text("SELECT count(*) FROM search_documents")) or 0)

    async def word_frequencies(self, session: AsyncSession, tokens: Sequence[str], total: int) -> dict[str, int]:
        """Entries holding each token, from both FTS5 vocabularies in one statement (the two tables' counts
        combined as if independent: entries with the word in the question or in the discussion)."""
        stemmed = dict(zip(tokens, stems(session, tokens), strict=True))
        wanted = sorted({stem for stem in stemmed.values() if stem})
        rows = (await session.execute(_FREQUENCIES, {"terms": json.dumps(wanted)})).all() if wanted else []
        both = {str(row.term): (int(row.main), int(row.talk)) for row in rows}
        union = {term: either(main, talk, total) for term, (main, talk) in both.items()}
        return {token: union.get(stem, 0) if stem else 0 for token, stem in stemmed.items()}

    async def containing(
        self, session: AsyncSession, tokens: Sequence[str], entry_ids: Sequence[int]
    ) -> dict[str, set[int]]:
        """Which of ``entry_ids`` hold each token in any column: their indexed text read in one statement and
        tokenized here as ``search_fts`` tokenizes it (at most 32,000 characters a column)."""
        stemmed = dict(zip(tokens, stems(session, tokens), strict=True))
        rows = (await session.execute(_TEXTS, {"ids": list(entry_ids)})).all()
        held = held_stems(session, [(int(row[0]), " ".join(str(part or "") for part in row[1:])) for row in rows],
                          sorted({stem for stem in stemmed.values() if stem}))  # fmt: skip
        return {token: {entry for entry, found in held.items() if stem in found} if stem else set()
                for token, stem in stemmed.items()}  # fmt: skip


_FREQUENCIES = text(
    "SELECT t.value AS term, coalesce(m.doc, 0) AS main, coalesce(d.doc, 0) AS talk"
    " FROM json_each(:terms) AS t LEFT JOIN search_fts_terms AS m ON m.term = t.value"
    " LEFT JOIN search_fts_discussion_terms AS d ON d.term = t.value"
)
_TEXTS = text(
    "SELECT entry_id, title, question, answers, tags, discussion FROM search_documents WHERE entry_id IN :ids"
).bindparams(bindparam("ids", expanding=True))
