"""SQLite FTS5 search backend: bm25 ranking with column weights and highlighted snippets."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import bindparam, column, func, literal_column, select, table, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.knowledge.query import fts_query, quote
from copbot.knowledge.search import SearchFilters, SearchHit, filter_conditions
from copbot.store.models import KnowledgeEntry

log = logging.getLogger(__name__)

COLUMN_WEIGHTS = {"title": 4.0, "question": 2.0, "answers": 1.0, "discussion": 0.4, "tags": 2.0}
"""bm25 weight of each indexed column, in the order the FTS5 table declares them."""
SNIPPET_TOKENS = 16
HIGHLIGHT = "**"

_FTS = table("search_fts", column("rowid"))
_MATCH = text("search_fts MATCH :query")


class SqliteSearch:
    """Searches the ``search_fts`` FTS5 table (external content over ``search_documents``)."""

    async def search(self, session: AsyncSession, text_: str, filters: SearchFilters, limit: int) -> list[SearchHit]:
        """The best entries for any user text, best first."""
        query = fts_query(text_)
        if query is None or filters.entry_ids == () or filters.public_ids == ():
            return []
        rank = func.bm25(literal_column("search_fts"), *COLUMN_WEIGHTS.values()).label("rank")
        snippet = func.snippet(literal_column("search_fts"), -1, HIGHLIGHT, HIGHLIGHT, "…", SNIPPET_TOKENS)
        entry = KnowledgeEntry
        statement = (
            select(
                entry.id,
                entry.public_id,
                entry.title,
                entry.source_url,
                entry.resource_url,
                entry.solved,
                entry.kind,
                rank,
                snippet.label("snippet"),
            )
            .select_from(_FTS.join(entry, entry.id == _FTS.c.rowid))
            .where(_MATCH.bindparams(query=query), *filter_conditions(filters))
            .order_by(rank, entry.id)
            .limit(limit)
        )
        try:
            rows = (await session.execute(statement)).all()
        except OperationalError:
            log.exception("full-text search failed for query %r", query)
            return []
        return [
            SearchHit(
                entry_id=row.id,
                public_id=row.public_id,
                title=row.title,
                score=-float(row.rank),
                snippet=" ".join(str(row.snippet or "").split()),
                url=row.source_url or row.resource_url,
                solved=bool(row.solved),
                kind=row.kind,
            )
            for row in rows
        ]

    async def term_matches(
        self, session: AsyncSession, tokens: Sequence[str], entry_ids: Sequence[int]
    ) -> tuple[int, dict[str, int], dict[str, set[int]]]:
        """(searchable entries, entries per token, which of ``entry_ids`` contain each token)."""
        total = int(await session.scalar(text("SELECT count(*) FROM search_documents")) or 0)
        frequency: dict[str, int] = {}
        contains: dict[str, set[int]] = {}
        wanted = set(entry_ids)
        match_count = text("SELECT count(*) FROM search_fts WHERE search_fts MATCH :q")
        match_in = text("SELECT rowid FROM search_fts WHERE search_fts MATCH :q AND rowid IN :ids").bindparams(
            bindparam("ids", expanding=True)
        )
        for token in tokens:
            frequency[token] = int(await session.scalar(match_count, {"q": quote(token)}) or 0)
            rows = await session.execute(match_in, {"q": quote(token), "ids": list(wanted)})
            contains[token] = {int(row[0]) for row in rows}
        return total, frequency, contains
