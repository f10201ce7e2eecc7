"""PostgreSQL full-text search backend: candidates from the RUM index (or GIN), ranked by BM25; ts_headline snippets."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, bindparam, func, literal_column, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnClause

from copbot.knowledge.search import pg_rank
from copbot.knowledge.search.filters import SearchFilters, SearchHit, filter_conditions
from copbot.knowledge.search.pg_rank import average_lengths, field_idfs, lexemes
from copbot.knowledge.search.query import tsquery_terms
from copbot.knowledge.search.stats import text_statistics
from copbot.knowledge.search.words import keep_rarest
from copbot.store.models import KnowledgeEntry, SearchDocument
from copbot.store.scope import scope_of

log = logging.getLogger(__name__)

CONFIG = "english"
"""The text search configuration the migration's generated column uses."""
RANK_WEIGHTS = "{0.1, 0.25, 0.5, 1.0}"
"""ts_rank_cd weights of D (discussion), C (answers), B (question, tags), A (title): the SQLite bm25 ratios."""
RANK_NORMALISATION = 1
"""Divide the rank by 1 + log(document length), so long threads do not win on length alone."""
HEADLINE_OPTIONS = (
    'StartSel="**", StopSel="**", MaxWords=16, MinWords=6, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "'
)

_VECTOR: ColumnClause[Any] = literal_column("search_documents.search_vector")
_CONFIG: ColumnClause[Any] = literal_column(f"'{CONFIG}'::regconfig")
_WEIGHTS: ColumnClause[Any] = literal_column(f"'{RANK_WEIGHTS}'::real[]")


ROWS_BUDGET = 5_000
"""GIN path: words are kept rarest first while the entries they match (exact: ``search_words``) stay within this;
ranking a match there reads its tsvector from the table."""
RUM_BUDGET = 10_000
"""RUM path: the same for the postings the RUM index ranks itself (no table read per match, about 10x cheaper at
10,000 entries). A fixed number of postings bounds the cost at any size; more words do not find better
candidates (the index's distance has no idf: at 10,000 entries, 30,000 and 100,000 postings found fewer of the
relevant entries than 10,000)."""
RUM_INDEX = "ix_search_documents_rum"
"""The RUM index of migration 0012 (created only where the server has the extension)."""
PATH_SLOT = "search.pg_path"
"""Per database: whether the RUM index is there, read once per application."""
_RUM = text(
    "SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
    " WHERE c.relname = :name AND i.indisvalid AND i.indisready)"
)


def websearch_text(text_: str) -> str | None:
    """The safe words of any user text joined with ``or`` for websearch_to_tsquery (any match counts), or None."""
    terms = tsquery_terms(text_)
    if not terms:
        return None
    return " or ".join(terms)


async def ranks_inside(session: AsyncSession) -> bool:
    """Whether the RUM index (migration 0012) is there to choose the candidates, remembered per database."""
    paths: dict[str, bool] = scope_of(session).slot(PATH_SLOT, dict)
    database = str(session.get_bind().engine.url)
    if database not in paths:
        paths[database] = bool(await session.scalar(_RUM, {"name": RUM_INDEX}))
    return paths[database]


async def selective_websearch_text(session: AsyncSession, text_: str, budget: int = ROWS_BUDGET) -> str | None:
    """Like ``websearch_text``, without the words so common that ranking their matches would cost too much: a
    word costs the entries holding it (exact, from ``search_words``), rarest first while the sum stays in
    ``budget`` (a word no entry holds costs nothing)."""
    terms = tsquery_terms(text_)
    if not terms:
        return None
    _, frequency, _ = await text_statistics(session, PostgresSearch(), terms)
    costs = [frequency.get(term, 0) for term in terms]
    return " or ".join(terms[index] for index in keep_rarest(costs, budget=budget))


CANDIDATES = 30
"""Entries (or the limit, if larger) the GIN index proposes, by ``ts_rank_cd`` over the finding words, for BM25."""


def _candidates(filters: SearchFilters, count: int, inside: bool) -> Select[Any]:
    """The first ``count`` matches: by the RUM index's own distance (``inside``), else by ``ts_rank_cd``."""
    query = func.websearch_to_tsquery(_CONFIG, bindparam("q"))
    entry = KnowledgeEntry
    # The RUM index returns its matches in distance order only when that is the whole ORDER BY (no tie-break).
    order = (
        [_VECTOR.op("<=>")(query)]
        if inside
        else [func.ts_rank_cd(_WEIGHTS, _VECTOR, query, RANK_NORMALISATION).desc(), entry.id]
    )
    return (
        select(entry.id)
        .select_from(SearchDocument.__table__.join(entry, entry.id == SearchDocument.entry_id))
        .where(_VECTOR.op("@@")(query), *filter_conditions(filters))
        .order_by(*order)
        .limit(count)
    )


class PostgresSearch:
    """Searches ``search_documents.search_vector`` (a generated, GIN-indexed tsvector with weights A-D)."""

    async def search(self, session: AsyncSession, text_: str, filters: SearchFilters, limit: int) -> list[SearchHit]:
        """The best entries for any user text, best first: candidates from the GIN index, ranked by BM25."""
        if filters.entry_ids == () or filters.public_ids == ():
            return []
        words = tsquery_terms(text_)
        if not words:
            return []
        narrowed = filters.entry_ids is not None or filters.public_ids is not None
        try:
            inside = not narrowed and await ranks_inside(session)
            total, frequency, extra = await text_statistics(session, self, words)
            # A word's cost is the entries it matches: the candidates come from the words cheap enough (all of them
            # when the filter names the entries); every word of the question counts in the ranking.
            costs = [0 if narrowed else frequency.get(word, 0) for word in words]
            kept = keep_rarest(costs, budget=RUM_BUDGET if inside else ROWS_BUDGET)
            finding = " or ".join(words[index] for index in kept)
            forms = await lexemes(session, words)
            found_lexemes = list(dict.fromkeys(lexeme for word in words for lexeme in forms[word]))
            main_idfs, talk_idfs = await field_idfs(session, total, found_lexemes, extra)
            found = await session.scalars(_candidates(filters, max(CANDIDATES, limit), inside), {"q": finding})
            ids = list(found.all())
            if not ids:
                return []
            avg_main, avg_talk = await average_lengths(session, extra)
            parameters = {"lexemes": found_lexemes, "idfs": main_idfs, "talk_idfs": talk_idfs, "ids": ids,
                          "limit": limit, "avg_main": avg_main, "avg_talk": avg_talk, "words": finding,
                          "options": HEADLINE_OPTIONS}  # fmt: skip
            rows = (await session.execute(pg_rank.SCORED, parameters)).all()
        except DBAPIError:
            log.exception("full-text search failed for %r", text_)
            await session.rollback()
            scope_of(session).slot(PATH_SLOT, dict).clear()  # the RUM index may have gone: look again next time
            return []
        return [
            SearchHit(
                entry_id=row.id,
                public_id=row.public_id,
                title=row.title,
                score=float(row.rank),
                snippet=" ".join(str(row.snippet or "").split()),
                url=row.source_url or row.resource_url,
                solved=bool(row.solved),
                kind=row.kind,
            )
            for row in rows
        ]

    async def document_count(self, session: AsyncSession) -> int:
        """Searchable entries (kept on write in ``search_words`` under the empty lexeme: migration 0012)."""
        return int(await session.scalar(_TOTAL) or 0)

    async def word_frequencies(self, session: AsyncSession, tokens: Sequence[str], total: int) -> dict[str, int]:
        """Entries holding each token anywhere (the most of its lexemes), exact, kept on write in ``search_words``."""
        found = await session.execute(_FREQUENCIES, {"words": list(tokens)})
        return {str(token): int(count or 0) for token, count in found}

    async def containing(
        self, session: AsyncSession, tokens: Sequence[str], entry_ids: Sequence[int]
    ) -> dict[str, set[int]]:
        """Which of ``entry_ids`` hold each token, in one statement."""
        contains: dict[str, set[int]] = {token: set() for token in tokens}
        for token, entry_id in await session.execute(_CONTAINING, {"words": list(tokens), "ids": list(entry_ids)}):
            contains[str(token)].add(int(entry_id))
        return contains


_TOTAL = text("SELECT held FROM search_words WHERE lexeme = ''")
_FREQUENCIES = text(
    "SELECT w, (SELECT max(held) FROM search_words WHERE lexeme = ANY(ts_lexize('english_stem', w)))"
    " FROM unnest(CAST(:words AS text[])) AS t(w)"
)
"""Each word's entries: of its lexemes (stop words have none), the one the most entries hold."""
_CONTAINING = text(
    "SELECT t.w, d.entry_id FROM unnest(CAST(:words AS text[])) AS t(w) JOIN search_documents AS d"
    " ON d.entry_id = ANY(CAST(:ids AS bigint[])) AND d.search_vector @@ plainto_tsquery('english', t.w)"
)
