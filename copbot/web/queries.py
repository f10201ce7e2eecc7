"""Every read the web makes, each through the web's visibility rule (copbot.members.visibility)."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.knowledge.search.backend import search
from copbot.knowledge.search.filters import SearchFilters, SearchHit
from copbot.members.visibility import published, web_entry_visible, web_message_visible, web_searchable
from copbot.store.models import EntryMessage, EntryNumber, EntryTag, KnowledgeEntry, Tag
from copbot.web.site import entry_path

GIVEN_ID = re.compile(r"kb(\d+)")
"""The ids copbot gives (``kbN``, from a counter that never goes back): one not found was deleted, not unknown."""


@dataclass(frozen=True, slots=True)
class Listed:
    """An entry in a list: home, tag and activity pages, the feed and the sitemap."""

    public_id: str
    title: str
    kind: str
    solved: bool
    activity: str | None
    created_at: datetime
    updated_at: datetime
    summary: str = ""

    @property
    def path(self) -> str:
        """The canonical path of its page."""
        return entry_path(self.public_id, self.title)


@dataclass
class Shown:
    """An entry as the web shows it: only messages the web may show."""

    entry: KnowledgeEntry
    question: EntryMessage | None
    answers: list[EntryMessage] = field(default_factory=list)
    others: list[EntryMessage] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        """The canonical path of its page."""
        return entry_path(self.entry.public_id, self.entry.title)


@dataclass(frozen=True, slots=True)
class Gone:
    """The entry was deleted, or its content was withdrawn: 410."""

    public_id: str


_E = KnowledgeEntry
_LISTED = (_E.public_id, _E.title, _E.kind, _E.solved, _E.activity, _E.created_at, _E.updated_at, _E.summary)


def _listed(rows: Sequence[object]) -> list[Listed]:
    return [Listed(*row) for row in rows]  # type: ignore[misc]


async def newest(session: AsyncSession, channels: Sequence[str], limit: int, offset: int = 0) -> list[Listed]:
    """The newest published entries first."""
    query = select(*_LISTED).where(web_searchable(channels))
    query = query.order_by(KnowledgeEntry.created_at.desc(), KnowledgeEntry.id.desc()).offset(offset).limit(limit)
    return _listed((await session.execute(query)).all())


async def in_order(session: AsyncSession, channels: Sequence[str], after: int, limit: int) -> list[tuple[int, Listed]]:
    """Published entries by internal id, after ``after`` (keyset pages for the sitemap and the export)."""
    query = (
        select(KnowledgeEntry.id, *_LISTED)
        .where(web_searchable(channels), KnowledgeEntry.id > after)
        .order_by(KnowledgeEntry.id)
        .limit(limit)
    )
    return [(row[0], Listed(*row[1:])) for row in (await session.execute(query)).all()]


async def count(session: AsyncSession, channels: Sequence[str]) -> int:
    """How many entries are published."""
    return int(
        await session.scalar(select(func.count()).select_from(KnowledgeEntry).where(web_searchable(channels))) or 0
    )


async def tagged(session: AsyncSession, channels: Sequence[str], tag: str, limit: int) -> list[Listed]:
    """Published entries carrying ``tag``, newest first."""
    ids = select(EntryTag.entry_id).join(Tag, Tag.id == EntryTag.tag_id).where(Tag.name == tag)
    query = select(*_LISTED).where(web_searchable(channels), KnowledgeEntry.id.in_(ids))
    query = query.order_by(KnowledgeEntry.created_at.desc(), KnowledgeEntry.id.desc()).limit(limit)
    return _listed((await session.execute(query)).all())


async def of_activity(session: AsyncSession, channels: Sequence[str], activity: str, limit: int) -> list[Listed]:
    """Published entries of one practice activity, newest first."""
    query = select(*_LISTED).where(web_searchable(channels), KnowledgeEntry.activity == activity)
    query = query.order_by(KnowledgeEntry.created_at.desc(), KnowledgeEntry.id.desc()).limit(limit)
    return _listed((await session.execute(query)).all())


async def resources(session: AsyncSession, channels: Sequence[str], limit: int) -> list[Listed]:
    """Published shared resources (``/share``), newest first."""
    query = select(*_LISTED).where(web_searchable(channels), KnowledgeEntry.kind == "resource")
    query = query.order_by(KnowledgeEntry.created_at.desc(), KnowledgeEntry.id.desc()).limit(limit)
    return _listed((await session.execute(query)).all())


async def tag_counts(session: AsyncSession, channels: Sequence[str], limit: int = 60) -> list[tuple[str, int]]:
    """The tags of published entries with how many carry each, most used first."""
    number = func.count(EntryTag.entry_id)
    query = (
        select(Tag.name, number)
        .join(EntryTag, EntryTag.tag_id == Tag.id)
        .join(KnowledgeEntry, KnowledgeEntry.id == EntryTag.entry_id)
        .where(web_searchable(channels))
        .group_by(Tag.name)
        .order_by(number.desc(), Tag.name)
        .limit(limit)
    )
    return [(name, int(n)) for name, n in (await session.execute(query)).all()]


async def activity_counts(session: AsyncSession, channels: Sequence[str]) -> list[tuple[str, int]]:
    """The practice activities of published entries, with counts."""
    number = func.count(KnowledgeEntry.id)
    query = (
        select(KnowledgeEntry.activity, number)
        .where(web_searchable(channels), KnowledgeEntry.activity.is_not(None))
        .group_by(KnowledgeEntry.activity)
        .order_by(number.desc(), KnowledgeEntry.activity)
    )
    return [(str(name), int(n)) for name, n in (await session.execute(query)).all()]


async def find(
    session: AsyncSession, channels: Sequence[str], text: str, filters: SearchFilters, limit: int
) -> list[SearchHit]:
    """The search ``/search`` makes, narrowed to what the web may show."""
    narrowed = SearchFilters(
        tags=filters.tags, activity=filters.activity, solved_only=filters.solved_only, published=tuple(channels)
    )
    return await search(session, text, narrowed, limit=limit)


def _candidates(ident: str) -> list[str]:
    """``kb12-some-title`` may be the id ``kb12-some-title``, ``kb12-some`` or ``kb12``: every prefix at a hyphen."""
    cuts = [index for index, char in enumerate(ident) if char == "-"]
    return [ident, *(ident[:cut] for cut in cuts)]


@functools.lru_cache(maxsize=16)
def _rules(channels: tuple[str, ...]) -> tuple[ColumnElement[bool], ColumnElement[bool], ColumnElement[bool]]:
    """(entry shown, entry published, message shown) for ``channels``: built once, as building them costs more than
    running them (the statements' SQL is cached by SQLAlchemy either way)."""
    return web_entry_visible(channels), published(channels), web_message_visible()


async def lookup(session: AsyncSession, channels: Sequence[str], ident: str) -> Shown | Gone | None:
    """The entry a URL part names as the web shows it, ``Gone`` when deleted or withdrawn, None when unknown.

    A published entry hidden by its content (deleted question, opted-out asker) is gone; an unpublished one unknown.
    """
    candidates = _candidates(ident)[:12]
    shown_rule, published_rule, message_rule = _rules(tuple(channels))
    query = select(KnowledgeEntry, shown_rule.label("shown"), published_rule.label("published")).where(
        KnowledgeEntry.public_id.in_(candidates)
    )
    rows = (await session.execute(query)).all()
    if not rows:
        return await _deleted(session, candidates)
    entry, shown, is_published = max(rows, key=lambda row: len(row[0].public_id))
    if not shown:
        return Gone(entry.public_id) if is_published else None
    messages = list(await session.scalars(
        select(EntryMessage).where(EntryMessage.entry_id == entry.id, message_rule)
        .order_by(EntryMessage.position, EntryMessage.id)))  # fmt: skip
    tags = sorted(await session.scalars(
        select(Tag.name).join(EntryTag, EntryTag.tag_id == Tag.id).where(EntryTag.entry_id == entry.id)))  # fmt: skip
    return Shown(
        entry,
        next((m for m in messages if m.role == "question"), None),
        [m for m in messages if m.role == "answer"],
        [m for m in messages if m.role == "message"],
        tags,
    )


async def _deleted(session: AsyncSession, candidates: Sequence[str]) -> Gone | None:
    """An id copbot gave that no entry holds any more was deleted (ids are never given twice)."""
    given = [(match.group(0), int(match.group(1))) for text in candidates if (match := GIVEN_ID.fullmatch(text))]
    if not given:
        return None
    latest = await session.scalar(select(func.max(EntryNumber.id)))
    public_id, number = given[0]
    return Gone(public_id) if latest is not None and number <= latest else None


async def sitemap_rows(
    session: AsyncSession, channels: Sequence[str], offset: int, limit: int
) -> list[tuple[str, str, datetime]]:
    """(public id, title, updated) of published entries in id order, ``limit`` after the first ``offset``: only
    the columns a sitemap needs, as plain rows (a part holds 50,000)."""
    query = (
        select(KnowledgeEntry.public_id, KnowledgeEntry.title, KnowledgeEntry.updated_at)
        .where(web_searchable(channels))
        .order_by(KnowledgeEntry.id)
        .offset(offset)
        .limit(limit)
    )
    return [(row[0], row[1], row[2]) for row in (await session.execute(query)).all()]
