"""What each prompt kind posts: rotated texts, or digests built from threads, messages and entries."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.config.settings import HealthSection, PromptSection
from copbot.core.adapter import Adapter, Card, Outgoing
from copbot.core.events import Place
from copbot.core.words import topics_of
from copbot.health.report import weekly_summary
from copbot.health.repository import GapTopic
from copbot.health.window import unnamed_member_ids
from copbot.members.visibility import Audience, author_visible, entry_visible, thread_visible
from copbot.store.models import KnowledgeEntry, Message, Tag, Thread

log = logging.getLogger(__name__)

Share = Mapping[str, Sequence[str]]
"""``[knowledge] share``: which rooms may see a private room's content."""

TEXT_KINDS = ("question_of_the_week", "learned_this_week")
DEFAULT_TEXTS = {
    "learned_this_week": ("What did you learn or ship this week? Reply here — small things count too.",),
}
MAX_CARDS = 10
REPOSITORY_WINDOW = timedelta(days=7)
GAP_WINDOW = timedelta(days=30)
GAP_MIN_UNANSWERED = 2
GAP_TOPICS_SHOWN = 3


def texts_for(prompt: PromptSection) -> tuple[str, ...]:
    """The texts a prompt rotates through: its own, or the kind's default; digests have none."""
    if prompt.kind not in TEXT_KINDS:
        return ()
    return tuple(prompt.texts) or DEFAULT_TEXTS.get(prompt.kind, ())


def thread_link(adapter: Adapter | None, thread: Thread) -> str | None:
    """A link to the thread's first message, where the platform has links."""
    if adapter is None:
        return None
    place = Place(thread.platform, thread.room, thread.thread_key if thread.is_platform_thread else None)
    return adapter.message_url(place, thread.root_message_id or thread.thread_key)


def _days(delta: timedelta) -> str:
    days = int(delta.total_seconds() // 86400)
    return "today" if days == 0 else ("1 day ago" if days == 1 else f"{days} days ago")


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _audience(prompt: PromptSection, share: Share | None) -> Audience:
    """The members of the channel a prompt posts in."""
    return Audience.of(Place(prompt.platform, prompt.channel), share)


async def _public_rooms(adapter: Adapter | None, platform: str, rooms: set[str]) -> set[str]:
    """The rooms the platform says everyone may read (none when no adapter can say)."""
    if adapter is None:
        return set()
    return {room for room in sorted(rooms) if await adapter.place_is_public(Place(platform, room))}


async def _open_threads(
    session: AsyncSession, platform: str, audience: Audience, adapter: Adapter | None, *conditions: Any
) -> list[Thread]:
    """Open help threads on ``platform`` that ``audience`` may see, oldest first."""
    where = (Thread.platform == platform, Thread.is_help_request.is_(True), Thread.status == "open", *conditions)
    rooms = set(await session.scalars(select(Thread.room).where(*where).distinct()))
    seen = thread_visible(audience, await _public_rooms(adapter, platform, rooms))
    return list(await session.scalars(select(Thread).where(*where, seen).order_by(Thread.created_at, Thread.id)))


async def unanswered_digest(
    session: AsyncSession,
    prompt: PromptSection,
    now: datetime,
    adapter: Adapter | None,
    share: Share | None = None,
) -> Outgoing:
    """Help requests still open after ``older_than_days``, oldest first, with links and a count."""
    cutoff = now - timedelta(days=prompt.older_than_days)
    threads = await _open_threads(
        session, prompt.platform, _audience(prompt, share), adapter, Thread.created_at <= cutoff
    )
    age = f"{prompt.older_than_days:g} days"
    if not threads:
        return Outgoing.of(f"No questions have been waiting for an answer for more than {age}. Thank you, everyone!")
    cards = [
        Card(
            title=thread.title or "(untitled question)",
            url=thread_link(adapter, thread),
            footer=f"asked {_days(now - thread.created_at)} in {thread.room}",
        )
        for thread in threads[:MAX_CARDS]
    ]
    more = f" The {MAX_CARDS} oldest are below." if len(threads) > MAX_CARDS else ""
    count = _plural(len(threads), "question is", "questions are")
    return Outgoing.of(f"{count} still waiting for an answer after more than {age}, oldest first.{more}", cards)


async def repository_digest(
    session: AsyncSession, prompt: PromptSection, now: datetime, share: Share | None = None
) -> Outgoing:
    """Entries added to the repository in the last 7 days that the channel may see: titles, ids and links."""
    entries = list(
        await session.scalars(
            select(KnowledgeEntry)
            .where(KnowledgeEntry.created_at > now - REPOSITORY_WINDOW, KnowledgeEntry.created_at <= now)
            .where(entry_visible(_audience(prompt, share)))
            .order_by(KnowledgeEntry.created_at, KnowledgeEntry.id)
        )
    )
    if not entries:
        return Outgoing.of("Nothing new in the repository this week. Solved something? Save it so others find it.")
    cards = [
        Card(title=entry.title, url=entry.source_url or entry.resource_url, footer=f"id {entry.public_id}")
        for entry in entries[:MAX_CARDS]
    ]
    more = f" The first {MAX_CARDS} are below." if len(entries) > MAX_CARDS else ""
    return Outgoing.of(f"{_plural(len(entries), 'new entry', 'new entries')} in the repository this week.{more}", cards)


@dataclass
class Topic:
    """Open questions that share a tag or keyword, and who has been answering them."""

    name: str
    questions: int = 0
    answerers: set[int] = field(default_factory=set)
    oldest: Thread | None = None

    @property
    def score(self) -> float:
        """Many unanswered questions and few answerers rank high."""
        return self.questions / (len(self.answerers) + 1)


async def gap_topics(
    session: AsyncSession, platform: str, now: datetime, audience: Audience, adapter: Adapter | None = None
) -> list[Topic]:
    """Topics with at least two unanswered questions and fewer answerers than questions, best first."""
    since = now - GAP_WINDOW
    tags = frozenset(name.lower() for name in await session.scalars(select(Tag.name)))
    topics: dict[str, Topic] = defaultdict(lambda: Topic(name=""))
    window = (Thread.created_at >= since, Thread.created_at <= now)
    open_threads = await _open_threads(session, platform, audience, adapter, *window)
    counted_threads = {thread.id for thread in open_threads}
    # nobody answers through a bot (an /ask suggestion) or a member who opted out: one list, read once per query
    answering = (Message.deleted_at.is_(None), Message.author_id.not_in(unnamed_member_ids()))
    authors = await _pairs(
        session, select(Message.thread_id, Message.author_id).where(*answering).distinct(),
        Message.thread_id, list(counted_threads),
    )  # fmt: skip
    for thread in open_threads:
        helpers = {author for author in authors.get(thread.id, ()) if author is not None and author != thread.asker_id}
        _count(topics, set(topics_of(thread.title, tags)), helpers, thread)
    gaps = list(
        await session.scalars(
            select(Message).where(
                Message.platform == platform,
                Message.activity == "identifying_gaps",
                Message.deleted_at.is_(None),
                author_visible(Message.author_id),
                Message.created_at >= since,
                Message.created_at <= now,
            )
        )
    )
    public = await _public_rooms(adapter, platform, {message.room for message in gaps})
    gap_messages = [
        message
        for message in gaps
        if message.thread_id not in counted_threads
        and audience.sees_room(platform, message.room, message.room in public)
    ]
    homes = {m.thread_id for m in gap_messages if m.thread_id is not None}
    status = await _pairs(session, select(Thread.id, Thread.status), Thread.id, list(homes))
    replies = await _pairs(
        session, select(Message.reply_to, Message.author_id).where(Message.platform == platform, *answering),
        Message.reply_to, [m.external_id for m in gap_messages],
    )  # fmt: skip
    for message in gap_messages:
        if message.thread_id is not None and status.get(message.thread_id, ["open"]) != ["open"]:
            continue
        repliers = replies.get(message.external_id, ())
        helpers = {author for author in repliers if author is not None and author != message.author_id}
        _count(topics, set(topics_of(message.text, tags)), helpers, None)
    ranked = [t for t in topics.values() if t.questions >= GAP_MIN_UNANSWERED and len(t.answerers) < t.questions]
    return sorted(ranked, key=lambda t: (-t.score, -t.questions, t.name))


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
        if topic.oldest is None and thread is not None:
            topic.oldest = thread


async def gap_prompt(
    session: AsyncSession, prompt: PromptSection, now: datetime, adapter: Adapter | None, share: Share | None = None
) -> Outgoing:
    """Name the topics where questions pile up and few people answer, or say plainly there are none."""
    topics = (await gap_topics(session, prompt.platform, now, _audience(prompt, share), adapter))[:GAP_TOPICS_SHOWN]
    if not topics:
        return Outgoing.of(
            "No gaps stand out this month: no topic has several open questions with few people answering them."
        )
    cards = [
        Card(
            title=topic.name,
            url=thread_link(adapter, topic.oldest) if topic.oldest else None,
            description=f"{_plural(topic.questions, 'open question', 'open questions')}, "
            f"{_plural(len(topic.answerers), 'person', 'people')} answering",
        )
        for topic in topics
    ]
    return Outgoing.of(
        "These topics have questions waiting and few people answering. Can you help, or know who can?", cards
    )


async def health_gaps(
    session: AsyncSession, platform: str, now: datetime, audience: Audience | None = None
) -> list[GapTopic]:
    """The gap prompt's topics as the health figures name them (``audience``: where they are shown; default all)."""
    found = await gap_topics(session, platform, now, audience or Audience.operator())
    return [GapTopic(t.name, t.questions, len(t.answerers)) for t in found]


async def health_digest(session: AsyncSession, prompt: PromptSection, now: datetime, health: HealthSection) -> Outgoing:
    """The week's community-health summary for a moderators' channel (the whole community, not one channel)."""
    gaps = await health_gaps(session, prompt.platform, now, _audience(prompt, None))
    return Outgoing.of(await weekly_summary(session, now, health, None, gaps))


async def build_content(
    session: AsyncSession,
    prompt: PromptSection,
    now: datetime,
    adapter: Adapter | None,
    text_index: int | None,
    *,
    share: Share | None = None,
    health: HealthSection | None = None,
) -> Outgoing:
    """The message ``prompt`` posts at ``now``; text kinds need ``text_index``; ``share`` is ``[knowledge] share``."""
    if prompt.kind in TEXT_KINDS:
        texts = texts_for(prompt)
        if text_index is None or not 0 <= text_index < len(texts):
            raise ValueError(f"prompt {prompt.name!r} needs a text index below {len(texts)}")
        return Outgoing.of(texts[text_index])
    if prompt.kind == "unanswered_digest":
        return await unanswered_digest(session, prompt, now, adapter, share)
    if prompt.kind == "repository_digest":
        return await repository_digest(session, prompt, now, share)
    if prompt.kind == "health_digest":
        return await health_digest(session, prompt, now, health or HealthSection())
    return await gap_prompt(session, prompt, now, adapter, share)
