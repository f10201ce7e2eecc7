"""What a search asks and returns, shared by every backend: filters, hits, the backend protocol, filter SQL."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.core.words import normalise_tag
from copbot.members.visibility import Audience, searchable_entry_visible, web_searchable
from copbot.store.models import EntryTag, KnowledgeEntry, Tag


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
    published: tuple[str, ...] | None = None
    """For the web: only entries the web may show from these ``[web] published_channels`` (None: not the web)."""


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

    async def document_count(self, session: AsyncSession) -> int:
        """Searchable entries."""
        ...

    async def word_frequencies(self, session: AsyncSession, tokens: Sequence[str], total: int) -> dict[str, int]:
        """Entries holding each token in any column (of ``total``), in one statement."""
        ...

    async def containing(
        self, session: AsyncSession, tokens: Sequence[str], entry_ids: Sequence[int]
    ) -> dict[str, set[int]]:
        """Which of ``entry_ids`` hold each token, in one statement."""
        ...


@functools.lru_cache(maxsize=16)
def _web_rule(channels: tuple[str, ...]) -> ColumnElement[bool]:
    """The web's rule for ``channels``, built once: building it costs more than running it."""
    return web_searchable(channels)


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
    if filters.published is not None:
        conditions.append(_web_rule(filters.published))
    return conditions
