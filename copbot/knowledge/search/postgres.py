"""PostgreSQL full-text search backend: candidates from the RUM index (or GIN), ranked by BM25; ts_headline snippets."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, bindparam, func, literal_column, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnClause

from copbot.knowledge.search import pg_lexemes, pg_rank
from copbot.knowledge.search.filters import SearchFilters, SearchHit, filter_conditions
from copbot.knowledge.search.pg_rank import average_lengths, field_idfs, lexemes
from copbot.knowledge.search.query import tsquery_terms
from copbot.knowledge.search.stats import either, text_statistics
from copbot.knowledge.search.words import keep_rarest
from copbot.store.models import KnowledgeEntry, SearchDocument
from copbot.store.scope import scope_of
from copbot.store.search_index import RUM_INDEX, VALID

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
"""GIN path: words are kept rarest first while the entries they match stay within this (estimated from
PostgreSQL's own statistics); ranking a match there reads its tsvector from the table, so the budget is small."""
RUM_BUDGET = 10_000
"""RUM path: the same for the postings the RUM index ranks itself (no table read per match, about 10x cheaper at
10,000 entries). A fixed number of postings bounds the cost at any size; chosen for latency (at 100,000 entries
30,000 postings found 30% of the relevant entries against 23%, at twice the p95; 100,000 postings found 25%:
the index's distance has no idf, so more common words do not make better candidates)."""
PATH_SLOT = "search.pg_path"
"""Per database: whether the RUM index is there and when that was read (again after ``PATH_SECONDS``)."""
PATH_SECONDS = 600.0
"""A large import sets the index aside and builds it again (``copbot.store.search_index``): look again this often."""


STATS_SECONDS = 600.0
"""How long the lexeme statistics are reused; they only steer which words are left out."""
_STATS = text(
    "SELECT s.most_common_elems::text::text[] AS elems, s.most_common_elem_freqs AS freqs, c.reltuples AS rows"
    " FROM pg_class c LEFT JOIN pg_stats s ON s.schemaname = current_schema()"
    " AND s.tablename = 'search_documents' AND s.attname = 'search_vector'"
    " WHERE c.oid = 'search_documents'::regclass"
)


LexemeStats = dict[str, tuple[float, dict[str, float], float, float]]
"""Per database: when read, lexeme -> share of entries holding it, the share of any untracked lexeme, rows."""


async def _lexeme_stats(session: AsyncSession) -> tuple[dict[str, float], float, float]:
    database = str(session.get_bind().engine.url)
    now = time.monotonic()
    cache: LexemeStats = scope_of(session).slot("search.lexeme_stats", dict)
    cached = cache.get(database)
    if cached is not None and now - cached[0] < STATS_SECONDS:
        return cached[1], cached[2], cached[3]
    row = (await session.execute(_STATS)).first()
    shares: dict[str, float] = {}
    floor = 0.0
    rows = float(row.rows) if row is not None and row.rows is not None else -1.0
    if row is not None and row.elems is not None and row.freqs is not None:
        elems, freqs = list(row.elems), [float(f) for f in row.freqs]
        shares = dict(zip(elems, freqs[: len(elems)], strict=False))
        floor = freqs[len(elems)] if len(freqs) > len(elems) else 0.0
    cache[database] = (now, shares, floor, rows)
    return shares, floor, rows


def websearch_text(text_: str) -> str | None:
    """The safe words of any user text joined with ``or`` for websearch_to_tsquery (any match counts), or None."""
    terms = tsquery_terms(text_)
    if not terms:
        return None
    return " or ".join(terms)


async def ranks_inside(session: AsyncSession) -> bool:
    """Whether the RUM index (migration 0012) is there to choose the candidates, remembered per database."""
    paths: dict[str, tuple[bool, float]] = scope_of(session).slot(PATH_SLOT, dict)
    database = str(session.get_bind().engine.url)
    now = time.monotonic()
    known = paths.get(database)
    if known is None or now - known[1] >= PATH_SECONDS:
        known = paths[database] = (bool(await session.scalar(VALID, {"name": RUM_INDEX})), now)
    return known[0]


async def selective_websearch_text(session: AsyncSession, text_: str, budget: int = ROWS_BUDGET) -> str | None:
    """Like ``websearch_text``, without the words so common that ranking their matches would cost too much: a
    word costs the entries holding it (``word_frequencies``, remembered while the text is unchanged), rarest first
    while the sum stays within ``budget`` (a word no entry holds costs nothing)."""
    terms = tsquery_terms(text_)
    if not terms:
        return None
    _, frequency, _ = await text_statistics(session, PostgresSearch(), terms)
    return _finding(terms, frequency, budget)


def _finding(words: list[str], frequency: dict[str, int], budget: int) -> str:
    """The words that find the candidates (a websearch_to_tsquery text): rarest first while the entries they hold
    stay within ``budget``, the rarest always; when even it is over the budget, the entries holding both of the two
    rarest words (an index reads a common word's postings at about a microsecond each: at a million entries two
    words each in a fifth of them would cost half a second, their intersection a tenth of that)."""
    costs = [frequency.get(word, 0) for word in words]
    kept = keep_rarest(costs, budget=budget, at_least=1)
    held = sorted((cost, index) for index, cost in enumerate(costs) if cost > 0)
    if len(held) >= 2 and held[0][0] > budget:
        return " ".join(words[index] for _, index in sorted(held[:2], key=lambda pair: pair[1]))
    return " or ".join(words[index] for index in kept)


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
        """The best entries for any user text, best first: candidates from the RUM (or GIN) index, ranked by BM25."""
        if filters.entry_ids == () or filters.public_ids == ():
            return []
        words = tsquery_terms(text_)
        if not words:
            return []
        narrowed = filters.entry_ids is not None or filters.public_ids is not None
        try:
            inside = not narrowed and await ranks_inside(session)
            # A word's cost is the entries it matches: the candidates come from the words cheap enough (all of them
            # when the filter names the entries); every word of the question counts in the ranking.
            total, frequency, extra = await text_statistics(session, self, words)
            budget = RUM_BUDGET if inside else ROWS_BUDGET
            finding = " or ".join(words) if narrowed else _finding(words, frequency, budget)
            forms = await lexemes(session, words)
            held: dict[str, int] = {}
            for word in words:
                for lexeme in forms[word]:
                    held[lexeme] = max(held.get(lexeme, 0), frequency.get(word, 0))
            found_lexemes = list(held)
            main_idfs, talk_idfs = await field_idfs(session, total, held, extra)
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
        """Searchable entries (counted only when the searchable text has changed: see ``stats``)."""
        return int(await session.scalar(text("SELECT count(*) FROM search_documents")) or 0)

    async def word_frequencies(self, session: AsyncSession, tokens: Sequence[str], total: int) -> dict[str, int]:
        """Entries holding each token, in one statement: the counts of the last refresh (``pg_lexemes``); for a
        word they lack, PostgreSQL's statistics if it is common there, else an exact count from the index."""
        shares, _, rows = await _lexeme_stats(session)
        found = (await session.execute(pg_lexemes.COUNTS, {"words": list(tokens), "common": list(shares)})).all()
        frequency: dict[str, int] = {}
        for token, forms, outside, inside, live in found:
            common = [shares[lexeme] for lexeme in forms or [] if lexeme in shares]
            if outside is not None:
                frequency[str(token)] = either(int(outside), int(inside), int(max(rows, total)))
            else:
                frequency[str(token)] = int(max(common) * max(rows, total)) if common else int(live or 0)
        return frequency

    async def containing(
        self, session: AsyncSession, tokens: Sequence[str], entry_ids: Sequence[int]
    ) -> dict[str, set[int]]:
        """Which of ``entry_ids`` hold each token, in one statement."""
        contains: dict[str, set[int]] = {token: set() for token in tokens}
        for token, entry_id in await session.execute(_CONTAINING, {"words": list(tokens), "ids": list(entry_ids)}):
            contains[str(token)].add(int(entry_id))
        return contains


_CONTAINING = text(
    "SELECT t.w, d.entry_id FROM unnest(CAST(:words AS text[])) AS t(w) JOIN search_documents AS d"
    " ON d.entry_id = ANY(CAST(:ids AS bigint[])) AND d.search_vector @@ plainto_tsquery('english', t.w)"
)
