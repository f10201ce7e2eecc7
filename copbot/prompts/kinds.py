"""What each prompt kind posts: rotated texts, or digests built from threads, messages and entries."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.activities.topics import gap_topics, open_threads
from copbot.config.settings import HealthSection, PromptSection
from copbot.core.adapter import Adapter, Card, Outgoing
from copbot.core.events import Place
from copbot.core.words import counted
from copbot.health.report import weekly_summary
from copbot.health.repository import GapTopic
from copbot.members.visibility import Audience, entry_visible
from copbot.store.models import KnowledgeEntry, Thread

log = logging.getLogger(__name__)

Share = Mapping[str, Sequence[str]]
"""``[knowledge] share``: which rooms may see a private room's content."""

TEXT_KINDS = ("question_of_the_week", "learned_this_week")
DEFAULT_TEXTS = {
    "learned_this_week": ("What did you learn or ship this week? Reply here — small things count too.",),
}
MAX_CARDS = 10
REPOSITORY_WINDOW = timedelta(days=7)
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


def _audience(prompt: PromptSection, share: Share | None) -> Audience:
    """The members of the channel a prompt posts in."""
    return Audience.of(Place(prompt.platform, prompt.channel), share)


async def unanswered_digest(
    session: AsyncSession,
    prompt: PromptSection,
    now: datetime,
    adapter: Adapter | None,
    share: Share | None = None,
) -> Outgoing:
    """Help requests still open after ``older_than_days``, oldest first, with links and a count."""
    cutoff = now - timedelta(days=prompt.older_than_days)
    threads = await open_threads(
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
    count = counted(len(threads), "question is", "questions are")
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
    return Outgoing.of(f"{counted(len(entries), 'new entry', 'new entries')} in the repository this week.{more}", cards)


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
            description=f"{counted(topic.questions, 'open question', 'open questions')}, "
            f"{counted(len(topic.answerers), 'person', 'people')} answering",
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
