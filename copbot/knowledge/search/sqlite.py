"""SQLite FTS5 search backend: bm25 on what an entry is about plus a weighted bm25 of its discussion, with snippets."""

from __future__ import annotations

import functools
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

from copbot.knowledge.search.filters import SearchFilters, SearchHit, filter_conditions
from copbot.knowledge.search.query import quote
from copbot.knowledge.search.words import selective_query
from copbot.store.models import KnowledgeEntry

log = logging.getLogger(__name__)

COLUMN_WEIGHTS = {"title": 1.0, "question": 1.0, "answers": 1.0, "tags": 1.0}
"""bm25 weight of each column of ``search_fts``, in the order the table declares them."""
DISCUSSION_WEIGHT = 0.7
"""How much the discussion's own bm25 (``search_fts_discussion``) adds to an entry's score."""
MIN_CANDIDATES = 10
"""The best this many entries by ``search_fts`` (or the limit, if larger) are re-scored with their discussion."""
SNIPPET_TOKENS = 16
HIGHLIGHT = "**"

_MAIN = table("search_fts", column("rowid"))
_TALK = table("search_fts_discussion", column("rowid"))
_QUERY: BindParameter[str] = bindparam("query")
_ENTRY = KnowledgeEntry
_COLUMNS = (_ENTRY.id, _ENTRY.public_id, _ENTRY.title, _ENTRY.source_url, _ENTRY.resource_url, _ENTRY.solved,
            _ENTRY.kind)  # fmt: skip


def _match(name: str) -> ColumnElement[bool]:
    return literal_column(name).op("MATCH")(_QUERY)


def _bm25(name: str, *weights: float) -> ColumnElement[float]:
    """bm25 with the weights written into the SQL, so ORDER BY on its label reuses the one computed value."""
    return func.bm25(literal_column(name), *(literal_column(repr(float(weight))) for weight in weights))


def _snippet(name: str) -> ColumnElement[str]:
    return func.snippet(literal_column(name), -1, HIGHLIGHT, HIGHLIGHT, "…", SNIPPET_TOKENS)


def _ranked(filters: SearchFilters, candidates: int, limit: int) -> Select[*tuple[Any, ...]]:
    """One statement: the best ``candidates`` by ``search_fts`` (LIMIT inside the FTS query), plus their discussion
    score, the best ``limit`` of those with entry columns, then a snippet for just those (looked up by rowid)."""
    rank = _bm25("search_fts", *COLUMN_WEIGHTS.values())
    conditions = filter_conditions(filters)
    best = select(_MAIN.c.rowid.label("id"), rank.label("score")).where(_match("search_fts"))
    if conditions:
        best = best.join(_ENTRY, _ENTRY.id == _MAIN.c.rowid).where(*conditions)
    main = best.order_by(literal_column("score")).limit(candidates).cte("main").prefix_with("MATERIALIZED")
    talk_rank = _bm25("search_fts_discussion")
    talk = (
        select(_TALK.c.rowid.label("id"), talk_rank.label("score"))
        .where(_match("search_fts_discussion"), _TALK.c.rowid.in_(select(main.c.id)))
        .cte("talk")
        .prefix_with("MATERIALIZED")
    )
    score = (main.c.score + DISCUSSION_WEIGHT * func.coalesce(talk.c.score, 0.0)).label("rank")
    top = (
        select(*_COLUMNS, score)
        .select_from(main.join(_ENTRY, _ENTRY.id == main.c.id).outerjoin(talk, talk.c.id == main.c.id))
        .order_by(score, _ENTRY.id)
        .limit(limit)
        .subquery("top")
    )
    snippet = select(_snippet("search_fts")).where(_match("search_fts"), _MAIN.c.rowid == top.c.id).scalar_subquery()
    return select(top, snippet.label("snippet")).order_by(top.c.rank, top.c.id)


_NO_FILTERS = SearchFilters()
_unfiltered = functools.lru_cache(maxsize=16)(functools.partial(_ranked, _NO_FILTERS))
"""The statement for a search without filters, built once per (candidates, limit)."""


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
        snippet=" ".join(str(row.snippet or "").split()),
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
        query: str | None = None
        try:
            query = await selective_query(session, text_)
            if query is None:
                return []
            ranked = _unfiltered(candidates, limit) if filters == _NO_FILTERS else _ranked(filters, candidates, limit)
            rows = list(await session.execute(ranked, {"query": query}))
            if len(rows) < limit:
                extra = _discussion_only(filters, [row.id for row in rows], limit - len(rows))
                rows += list(await session.execute(extra, {"query": query}))
        except OperationalError:
            log.exception("full-text search failed for query %r", query)
            return []
        rows.sort(key=lambda row: (row.rank, row.id))
        return [_hit(row) for row in rows]

    async def term_matches(
        self, session: AsyncSession, tokens: Sequence[str], entry_ids: Sequence[int]
    ) -> tuple[int, dict[str, int], dict[str, set[int]]]:
        """(searchable entries, entries per token, which of ``entry_ids`` contain each token), in any column."""
        total = int(await session.scalar(text("SELECT count(*) FROM search_documents")) or 0)
        frequency: dict[str, int] = {}
        contains: dict[str, set[int]] = {}
        main, talk = (
            "search_fts WHERE search_fts MATCH :q",
            "search_fts_discussion WHERE search_fts_discussion MATCH :q",
        )
        match_count = text(f"SELECT count(*) FROM (SELECT rowid FROM {main} UNION SELECT rowid FROM {talk})")
        match_in = text(
            f"SELECT rowid FROM {main} AND rowid IN :ids UNION SELECT rowid FROM {talk} AND rowid IN :ids"
        ).bindparams(bindparam("ids", expanding=True))
        for token in tokens:
            frequency[token] = int(await session.scalar(match_count, {"q": quote(token)}) or 0)
            rows = await session.execute(match_in, {"q": quote(token), "ids": list(entry_ids)})
            contains[token] = {int(row[0]) for row in rows}
        return total, frequency, contains
