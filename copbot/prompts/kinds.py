"""What each prompt kind posts: rotated texts, or digests built from threads, messages and entries."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.config.settings import PromptSection
from copbot.core.adapter import Adapter, Card, Outgoing
from copbot.core.events import Place
from copbot.core.words import topics_of
from copbot.store.models import KnowledgeEntry, Message, Tag, Thread

log = logging.getLogger(__name__)

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


async def unanswered_digest(
    session: AsyncSession, prompt: PromptSection, now: datetime, adapter: Adapter | None
) -> Outgoing:
    """Help requests still open after ``older_than_days``, oldest first, with links and a count."""
    cutoff = now - timedelta(days=prompt.older_than_days)
    threads = list(
        await session.scalars(
            select(Thread)
            .where(
                Thread.platform == prompt.platform,
                Thread.is_help_request.is_(True),
                Thread.status == "open",
                Thread.created_at <= cutoff,
            )
            .order_by(Thread.created_at, Thread.id)
        )
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


async def repository_digest(session: AsyncSession, prompt: PromptSection, now: datetime) -> Outgoing:
    """Entries added to the repository in the last 7 days: titles, ids and links."""
    entries = list(
        await session.scalars(
            select(KnowledgeEntry)
            .where(KnowledgeEntry.created_at > now - REPOSITORY_WINDOW, KnowledgeEntry.created_at <= now)
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


async def gap_topics(session: AsyncSession, platform: str, now: datetime) -> list[Topic]:
    """Topics with at least two unanswered questions and fewer answerers than questions, best first."""
    since = now - GAP_WINDOW
    tags = frozenset(name.lower() for name in await session.scalars(select(Tag.name)))
    topics: dict[str, Topic] = defaultdict(lambda: Topic(name=""))
    open_threads = list(
        await session.scalars(
            select(Thread)
            .where(Thread.platform == platform, Thread.status == "open", Thread.is_help_request.is_(True))
            .where(Thread.created_at >= since, Thread.created_at <= now)
            .order_by(Thread.created_at, Thread.id)
        )
    )
    counted_threads = {thread.id for thread in open_threads}
    for thread in open_threads:
        authors = await session.scalars(
            select(Message.author_id).where(Message.thread_id == thread.id, Message.deleted_at.is_(None)).distinct()
        )
        helpers = {author for author in authors if author is not None and author != thread.asker_id}
        _count(topics, set(topics_of(thread.title, tags)), helpers, thread)
    gaps = await session.scalars(
        select(Message).where(
            Message.platform == platform,
            Message.activity == "identifying_gaps",
            Message.deleted_at.is_(None),
            Message.created_at >= since,
            Message.created_at <= now,
        )
    )
    for message in list(gaps):
        if message.thread_id in counted_threads:
            continue
        if message.thread_id is not None:
            home = await session.get(Thread, message.thread_id)
            if home is not None and home.status != "open":
                continue
        replies = await session.scalars(
            select(Message.author_id).where(Message.platform == platform, Message.reply_to == message.external_id)
        )
        helpers = {author for author in replies if author is not None and author != message.author_id}
        _count(topics, set(topics_of(message.text, tags)), helpers, None)
    ranked = [t for t in topics.values() if t.questions >= GAP_MIN_UNANSWERED and len(t.answerers) < t.questions]
    return sorted(ranked, key=lambda t: (-t.score, -t.questions, t.name))


def _count(topics: dict[str, Topic], names: set[str], helpers: set[int], thread: Thread | None) -> None:
    for name in names:
        topic = topics[name]
        topic.name = name
        topic.questions += 1
        topic.answerers |= helpers
        if topic.oldest is None and thread is not None:
            topic.oldest = thread


async def gap_prompt(session: AsyncSession, prompt: PromptSection, now: datetime, adapter: Adapter | None) -> Outgoing:
    """Name the topics where questions pile up and few people answer, or say plainly there are none."""
    topics = (await gap_topics(session, prompt.platform, now))[:GAP_TOPICS_SHOWN]
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


async def build_content(
    session: AsyncSession,
    prompt: PromptSection,
    now: datetime,
    adapter: Adapter | None,
    text_index: int | None,
) -> Outgoing:
    """The message ``prompt`` posts at ``now``; text kinds need ``text_index``."""
    if prompt.kind in TEXT_KINDS:
        texts = texts_for(prompt)
        if text_index is None or not 0 <= text_index < len(texts):
            raise ValueError(f"prompt {prompt.name!r} needs a text index below {len(texts)}")
        return Outgoing.of(texts[text_index])
    if prompt.kind == "unanswered_digest":
        return await unanswered_digest(session, prompt, now, adapter)
    if prompt.kind == "repository_digest":
        return await repository_digest(session, prompt, now)
    return await gap_prompt(session, prompt, now, adapter)
