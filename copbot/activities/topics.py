"""Open topics: unanswered help requests and named gaps grouped by tag or keyword, the list the gap prompt reads."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.core.adapter import Adapter
from copbot.core.events import Place
from copbot.core.labels import Activity
from copbot.core.words import topics_of
from copbot.members.visibility import Audience, author_visible, opted_out_ids, thread_visible
from copbot.store.models import Member, Message, Tag, Thread

log = logging.getLogger(__name__)

GAP_WINDOW = timedelta(days=30)
GAP_MIN_UNANSWERED = 2
"""A topic needs this many open questions to be a gap, unless a member named it as one."""


@dataclass
class Topic:
    """Open questions and named gaps that share a tag or keyword, and who has been answering them."""

    name: str
    questions: int = 0
    """Open help requests and identifying_gaps messages filed under this topic."""
    answerers: set[int] = field(default_factory=set)
    oldest: Thread | None = None
    """The oldest open help-request thread under this topic (for a link), if any."""
    named: int = 0
    """How many of the questions are identifying_gaps messages: a member said the group lacks this."""

    @property
    def score(self) -> float:
        """Many unanswered questions and few answerers rank high."""
        return self.questions / (len(self.answerers) + 1)

    @property
    def is_gap(self) -> bool:
        """Several open questions (or one a member named as a gap) and fewer answerers than questions."""
        enough = self.questions >= GAP_MIN_UNANSWERED or self.named > 0
        return enough and len(self.answerers) < self.questions


async def public_rooms(adapter: Adapter | None, platform: str, rooms: set[str]) -> set[str]:
    """The rooms the platform says everyone may read (none when no adapter can say)."""
    if adapter is None:
        return set()
    return {room for room in sorted(rooms) if await adapter.place_is_public(Place(platform, room))}


async def open_threads(
    session: AsyncSession, platform: str, audience: Audience, adapter: Adapter | None, *conditions: Any
) -> list[Thread]:
    """Open help threads on ``platform`` that ``audience`` may see, oldest first."""
    where = (Thread.platform == platform, Thread.is_help_request.is_(True), Thread.status == "open", *conditions)
    rooms = set(await session.scalars(select(Thread.room).where(*where).distinct()))
    seen = thread_visible(audience, await public_rooms(adapter, platform, rooms))
    return list(await session.scalars(select(Thread).where(*where, seen).order_by(Thread.created_at, Thread.id)))


def _answering() -> tuple[ColumnElement[bool], ...]:
    """Messages that count as someone answering: not deleted, by a member who did not opt out, and not by a bot
    (an /ask suggestion is nobody answering). Each list is read once per query, not probed per row."""
    bots = select(Member.id).where(Member.is_bot.is_(True)).scalar_subquery()
    return Message.deleted_at.is_(None), Message.author_id.not_in(opted_out_ids()), Message.author_id.not_in(bots)


async def _pairs(session: AsyncSession, query: Select[Any, Any], key: Any, keys: list[Any]) -> dict[Any, list[Any]]:
    """Run ``query`` for ``keys`` in chunks (one query per 500, not one per key): values grouped by key."""
    found: dict[Any, list[Any]] = defaultdict(list)
    for start in range(0, len(keys), 500):
        for name, value in await session.execute(query.where(key.in_(keys[start : start + 500]))):
            found[name].append(value)
    return found


def _count(topics: dict[str, Topic], names: set[str], helpers: set[int], thread: Thread | None) -> None:
    for name in names:
        topic = topics[name]
        topic.name = name
        topic.questions += 1
        topic.answerers |= helpers
        if thread is None:
            topic.named += 1
        elif topic.oldest is None:
            topic.oldest = thread


async def _gap_messages(
    session: AsyncSession, platform: str, now: datetime, audience: Audience, adapter: Adapter | None, skip: set[int]
) -> list[Message]:
    """identifying_gaps messages of the window that ``audience`` may see, outside the counted threads."""
    gaps = list(
        await session.scalars(
            select(Message).where(
                Message.platform == platform,
                Message.activity == Activity.IDENTIFYING_GAPS.value,
                Message.deleted_at.is_(None),
                author_visible(Message.author_id),
                Message.created_at >= now - GAP_WINDOW,
                Message.created_at <= now,
            )
        )
    )
    public = await public_rooms(adapter, platform, {message.room for message in gaps})
    shown = [m for m in gaps if m.thread_id not in skip and audience.sees_room(platform, m.room, m.room in public)]
    homes = {m.thread_id for m in shown if m.thread_id is not None}
    status = await _pairs(session, select(Thread.id, Thread.status), Thread.id, list(homes))
    return [m for m in shown if m.thread_id is None or status.get(m.thread_id, ["open"]) == ["open"]]


async def open_topics(
    session: AsyncSession, platform: str, now: datetime, audience: Audience, adapter: Adapter | None = None
) -> list[Topic]:
    """Every topic of the last 30 days' open help requests and named gaps that ``audience`` may see, best first.

    An item is filed under the knowledge-base tags its text names, or else under its first few keywords, so one
    item can count for more than one topic. The gap prompt shows those that are gaps (:attr:`Topic.is_gap`).
    """
    if now.tzinfo is None:
        raise ValueError("open_topics needs an aware datetime")
    tags = frozenset(name.lower() for name in await session.scalars(select(Tag.name)))
    topics: dict[str, Topic] = defaultdict(lambda: Topic(name=""))
    window = (Thread.created_at >= now - GAP_WINDOW, Thread.created_at <= now)
    threads = await open_threads(session, platform, audience, adapter, *window)
    counted = {thread.id for thread in threads}
    authors = await _pairs(
        session, select(Message.thread_id, Message.author_id).where(*_answering()).distinct(),
        Message.thread_id, list(counted),
    )  # fmt: skip
    for thread in threads:
        helpers = {author for author in authors.get(thread.id, ()) if author is not None and author != thread.asker_id}
        _count(topics, set(topics_of(thread.title, tags)), helpers, thread)
    gaps = await _gap_messages(session, platform, now, audience, adapter, counted)
    replies = await _pairs(
        session, select(Message.reply_to, Message.author_id).where(Message.platform == platform, *_answering()),
        Message.reply_to, [m.external_id for m in gaps],
    )  # fmt: skip
    for message in gaps:
        repliers = replies.get(message.external_id, ())
        helpers = {author for author in repliers if author is not None and author != message.author_id}
        _count(topics, set(topics_of(message.text, tags)), helpers, None)
    return sorted(topics.values(), key=lambda t: (-t.score, -t.questions, t.name))


async def gap_topics(
    session: AsyncSession, platform: str, now: datetime, audience: Audience, adapter: Adapter | None = None
) -> list[Topic]:
    """The open topics that are gaps, best first: what the gap prompt and the health figures name."""
    return [topic for topic in await open_topics(session, platform, now, audience, adapter) if topic.is_gap]
