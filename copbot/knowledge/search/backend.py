"""Search over the knowledge base: the backend chosen by dialect, re-ranking, coverage and suggestions."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from copbot.knowledge import hooks
from copbot.knowledge.search.filters import SearchBackend, SearchFilters, SearchHit
from copbot.knowledge.search.stats import word_statistics

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 10
MAX_LIMIT = 100


def backend_for(dialect: str) -> SearchBackend:
    """The search backend for a SQL dialect name."""
    if dialect == "sqlite":
        from copbot.knowledge.search.sqlite import SqliteSearch

        return SqliteSearch()
    if dialect == "postgresql":
        from copbot.knowledge.search.postgres import PostgresSearch

        return PostgresSearch()
    raise NotImplementedError(f"no search backend for {dialect} (SQLite and PostgreSQL are supported)")


def _backend(session: AsyncSession) -> SearchBackend:
    return backend_for(session.get_bind().dialect.name)


async def search(
    session: AsyncSession, text: str, filters: SearchFilters | None = None, *, limit: int = DEFAULT_LIMIT
) -> list[SearchHit]:
    """Search the knowledge base with any text; best first, at most ``limit`` hits."""
    limit = max(1, min(limit, MAX_LIMIT))
    filters = filters or SearchFilters()
    reranker = hooks.reranker(session)
    if reranker is None:
        return await _backend(session).search(session, text, filters, limit)
    hits = await _backend(session).search(session, text, filters, max(limit, reranker.candidates))
    return await reranker.rerank(session, text, filters, limit, hits)


COVERAGE_COLLECTION = 100
"""The fewest entries coverage weighs words by: below it, how many entries hold a word says little about how telling
the word is, so the words of a question weigh nearly alike."""


async def coverage(session: AsyncSession, tokens: Sequence[str], entry_ids: Sequence[int]) -> dict[int, float]:
    """How much of the query each entry covers, 0..1: the IDF-weighted share of query words it contains.

    Words no entry contains count fully against every entry, so a question about something new scores low. A small
    repository is weighed as if it held COVERAGE_COLLECTION entries: in a community's first entries every word of
    an entry is "in all of them", and raw counts would make the words it shares with a question nearly weightless.
    """
    if not tokens or not entry_ids:
        return {entry_id: 0.0 for entry_id in entry_ids}
    backend = _backend(session)
    total, frequency = await word_statistics(session, backend, tokens)
    contains = await backend.containing(session, tokens, entry_ids)
    collection = max(total, COVERAGE_COLLECTION)
    weights = {t: math.log(1 + (collection - frequency[t] + 0.5) / (frequency[t] + 0.5)) for t in tokens}
    whole = sum(weights.values()) or 1.0
    return {
        entry_id: sum(weights[token] for token in tokens if entry_id in contains[token]) / whole
        for entry_id in entry_ids
    }


async def suggest(
    session: AsyncSession, text: str, *, limit: int, min_score: float, filters: SearchFilters | None = None
) -> list[tuple[SearchHit, float]]:
    """Entries that answer ``text`` well enough to suggest: searched, then kept if coverage >= ``min_score``."""
    from copbot.core.words import content_words

    hits = await search(session, text, filters or SearchFilters(solved_only=True), limit=max(limit * 3, 10))
    if not hits:
        return []
    covered = await coverage(session, content_words(text), [hit.entry_id for hit in hits])
    reranker = hooks.reranker(session)
    if reranker is not None:
        meaning = await reranker.relevance(session, text, list(covered))
        covered = {entry_id: max(score, meaning.get(entry_id, 0.0)) for entry_id, score in covered.items()}
    good = [(hit, covered[hit.entry_id]) for hit in hits if covered[hit.entry_id] >= min_score]
    return good[:limit]
