"""Search over the knowledge base: filters, hits, the backend protocol and the backend chosen by dialect."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.knowledge import hooks
from copbot.knowledge.entries import normalise_tag
from copbot.members.visibility import Audience, searchable_entry_visible
from copbot.store.models import EntryTag, KnowledgeEntry, Tag

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 10
MAX_LIMIT = 100


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Narrow a search; every field left at its default does not filter."""

    tags: tuple[str, ...] = ()
    """Entries carrying every one of these tags."""
    activity: str | None = None
    channel: str | None = None
    """The source room the entry was captured in."""
    since: datetime | None = None
    until: datetime | None = None
    solved_only: bool = False
    kind: str | None = None
    entry_ids: tuple[int, ...] | None = None
    """Only these entries (internal ids); an empty tuple matches nothing."""
    public_ids: tuple[str, ...] | None = None
    """Only these entries (public ids)."""
    audience: Audience | None = None
    """Who searches: only entries the visibility rule lets them see (None: the operator; the index itself never
    holds opted-out or deleted text)."""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One matching entry; ``score`` is larger for better matches."""

    entry_id: int
    public_id: str
    title: str
    score: float
    snippet: str
    url: str | None
    solved: bool
    kind: str


class SearchBackend(Protocol):
    """A full-text engine for one SQL dialect."""

    async def search(self, session: AsyncSession, text: str, filters: SearchFilters, limit: int) -> list[SearchHit]:
        """The best entries for any user ``text``, best first; never raises on odd input."""
        ...

    async def term_matches(
        self, session: AsyncSession, tokens: Sequence[str], entry_ids: Sequence[int]
    ) -> tuple[int, dict[str, int], dict[str, set[int]]]:
        """(searchable entries, entries per token, which of ``entry_ids`` contain each token)."""
        ...


def filter_conditions(filters: SearchFilters) -> list[ColumnElement[bool]]:
    """The filters as dialect-neutral conditions on ``knowledge_entries``."""
    entry = KnowledgeEntry
    conditions: list[ColumnElement[bool]] = []
    for tag in filters.tags:
        tagged = select(EntryTag.entry_id).join(Tag, Tag.id == EntryTag.tag_id).where(Tag.name == normalise_tag(tag))
        conditions.append(entry.id.in_(tagged))
    if filters.activity:
        conditions.append(entry.activity == filters.activity)
    if filters.channel:
        conditions.append(entry.source_room == filters.channel)
    if filters.since is not None:
        conditions.append(entry.created_at >= filters.since)
    if filters.until is not None:
        conditions.append(entry.created_at < filters.until)
    if filters.solved_only:
        conditions.append(entry.solved.is_(True))
    if filters.kind:
        conditions.append(entry.kind == filters.kind)
    if filters.entry_ids is not None:
        conditions.append(entry.id.in_(list(filters.entry_ids)))
    if filters.public_ids is not None:
        conditions.append(entry.public_id.in_(list(filters.public_ids)))
    if filters.audience is not None:
        conditions.append(searchable_entry_visible(filters.audience))
    return conditions


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
    reranker = hooks.reranker()
    if reranker is None:
        return await _backend(session).search(session, text, filters, limit)
    hits = await _backend(session).search(session, text, filters, max(limit, reranker.candidates))
    return await reranker.rerank(session, text, filters, limit, hits)


async def coverage(session: AsyncSession, tokens: Sequence[str], entry_ids: Sequence[int]) -> dict[int, float]:
    """How much of the query each entry covers, 0..1: the IDF-weighted share of query words it contains.

    Words no entry contains count fully against every entry, so a question about something new scores low.
    """
    if not tokens or not entry_ids:
        return {entry_id: 0.0 for entry_id in entry_ids}
    total, frequency, contains = await _backend(session).term_matches(session, tokens, entry_ids)
    weights = {token: math.log(1 + (total - frequency[token] + 0.5) / (frequency[token] + 0.5)) for token in tokens}
    whole = sum(weights.values()) or 1.0
    return {
        entry_id: sum(weights[token] for token in tokens if entry_id in contains[token]) / whole
        for entry_id in entry_ids
    }


async def suggest(
    session: AsyncSession, text: str, *, limit: int, min_score: float, filters: SearchFilters | None = None
) -> list[tuple[SearchHit, float]]:
    """Entries that answer ``text`` well enough to suggest: searched, then kept if coverage >= ``min_score``."""
    from copbot.knowledge.search.query import query_tokens

    hits = await search(session, text, filters or SearchFilters(solved_only=True), limit=max(limit * 3, 10))
    if not hits:
        return []
    covered = await coverage(session, query_tokens(text), [hit.entry_id for hit in hits])
    reranker = hooks.reranker()
    if reranker is not None:
        meaning = await reranker.relevance(session, text, list(covered))
        covered = {entry_id: max(score, meaning.get(entry_id, 0.0)) for entry_id, score in covered.items()}
    good = [(hit, covered[hit.entry_id]) for hit in hits if covered[hit.entry_id] >= min_score]
    return good[:limit]
