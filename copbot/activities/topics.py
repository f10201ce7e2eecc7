"""Open topics: unanswered help requests and identifying_gaps messages, grouped by tag or keyword."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.core.labels import Activity
from copbot.core.words import topics_of
from copbot.store.models import Message, Tag, Thread

log = logging.getLogger(__name__)

MAX_ITEMS = 500
"""At most this many threads and this many gap messages are read per call (the newest)."""


@dataclass(frozen=True, slots=True)
class OpenItem:
    """One thing waiting for an answer: an open help-request thread or an identifying_gaps message."""

    kind: str
    """help_request or gap."""
    title: str
    platform: str
    room: str
    key: str
    """The thread key (help requests) or the message id (gaps)."""
    created_at: datetime
    is_platform_thread: bool = False


@dataclass(slots=True)
class OpenTopic:
    """Items that share a tag or keyword, newest first."""

    name: str
    items: list[OpenItem] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many items wait under this topic."""
        return len(self.items)

    @property
    def newest(self) -> datetime:
        """When the newest item was written."""
        return max(item.created_at for item in self.items)


async def _help_requests(
    session: AsyncSession, since: datetime, until: datetime | None, platform: str | None
) -> list[OpenItem]:
    query = select(Thread).where(Thread.is_help_request.is_(True), Thread.status == "open", Thread.created_at >= since)
    if until is not None:
        query = query.where(Thread.created_at < until)
    if platform is not None:
        query = query.where(Thread.platform == platform)
    rows = await session.scalars(query.order_by(Thread.created_at.desc(), Thread.id.desc()).limit(MAX_ITEMS))
    return [
        OpenItem("help_request", t.title, t.platform, t.room, t.thread_key, t.created_at, t.is_platform_thread)
        for t in rows
    ]


async def _gaps(session: AsyncSession, since: datetime, until: datetime | None, platform: str | None) -> list[OpenItem]:
    query = (
        select(Message, Thread.status)
        .outerjoin(Thread, Thread.id == Message.thread_id)
        .where(
            Message.activity == Activity.IDENTIFYING_GAPS.value,
            Message.deleted_at.is_(None),
            Message.created_at >= since,
        )
    )
    if until is not None:
        query = query.where(Message.created_at < until)
    if platform is not None:
        query = query.where(Message.platform == platform)
    rows = await session.execute(query.order_by(Message.created_at.desc(), Message.id.desc()).limit(MAX_ITEMS))
    return [
        OpenItem("gap", m.text, m.platform, m.room, m.external_id, m.created_at)
        for m, status in rows
        if status is None or status == "open"
    ]


async def open_topics(
    session: AsyncSession,
    since: datetime,
    limit: int = 10,
    *,
    until: datetime | None = None,
    platform: str | None = None,
) -> list[OpenTopic]:
    """Topics with open help requests or named gaps since ``since``: most items first, then the newest.

    An item is filed under the knowledge-base tags its text names, or else under its first few keywords,
    so one item can appear under more than one topic. At most ``limit`` topics are returned.
    """
    if since.tzinfo is None:
        raise ValueError("open_topics needs an aware datetime for since")
    tags = frozenset(name.lower() for name in await session.scalars(select(Tag.name)))
    items = await _help_requests(session, since, until, platform) + await _gaps(session, since, until, platform)
    topics: dict[str, OpenTopic] = {}
    for item in items:
        for name in topics_of(item.title, tags):
            topics.setdefault(name, OpenTopic(name)).items.append(item)
    for topic in topics.values():
        topic.items.sort(key=lambda item: item.created_at, reverse=True)
    ranked = sorted(topics.values(), key=lambda t: (-t.count, -t.newest.timestamp(), t.name))
    return ranked[: max(0, limit)]
