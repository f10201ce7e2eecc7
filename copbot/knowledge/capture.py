"""Capture: turn an answered thread (or a pinned message) into a knowledge entry, idempotently."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.conversations.threads import title_from
from copbot.conversations.tracking import track_message
from copbot.core.adapter import Outgoing
from copbot.core.context import Context
from copbot.core.events import MessagePosted, Place
from copbot.knowledge.entries import DraftMessage, EntryDraft, entry_tags, save_entry
from copbot.store import chat
from copbot.store.models import KnowledgeEntry, Member, Message, Thread

log = logging.getLogger(__name__)

HASHTAG = re.compile(r"(?<![\w&/])#([^\W_][\w-]{0,63})")


class CaptureRefused(Exception):
    """The thread cannot be captured; the message says why, for the member who asked."""


@dataclass(slots=True)
class CaptureResult:
    """What a capture did."""

    entry: KnowledgeEntry
    created: bool
    new_answers: int


def hashtags(text: str) -> list[str]:
    """The #hashtags written in ``text``."""
    return HASHTAG.findall(text)


def thread_place(thread: Thread) -> Place:
    """Where a tracked thread (or reply chain, keyed by its first message) lives."""
    return Place(thread.platform, thread.room, thread.thread_key)


def is_command_text(text: str, prefix: str) -> bool:
    """Whether a message is a typed bot command rather than conversation."""
    stripped = text.lstrip()
    return any(stripped.startswith(mark) and stripped[len(mark) : len(mark) + 1].isalpha() for mark in ("/", prefix))


async def sync_thread(ctx: Context, session: AsyncSession, place: Place) -> Thread | None:
    """Store what the platform has for the thread at ``place`` (so nothing is lost) and return the thread."""
    prefix = ctx.services.settings.bot.command_prefix
    fetched: list[MessagePosted] = await ctx.adapter.fetch_thread(place)
    for message in fetched:
        if not message.author.is_bot and not is_command_text(message.text, prefix):
            await track_message(session, message)
    thread = await chat.find_thread(session, place.platform, place.room, place.thread or "")
    if thread is None:
        return None
    root = await chat.find_message(session, place.platform, thread.thread_key)
    if root is not None and root.thread_id is None and not thread.is_platform_thread:
        root.thread_id = thread.id
    return thread


async def thread_for_message(session: AsyncSession, platform: str, message_id: str) -> Thread | None:
    """The tracked thread a message belongs to."""
    message = await chat.find_message(session, platform, message_id)
    if message is None or message.thread_id is None:
        return None
    return await session.get(Thread, message.thread_id)


async def _messages(session: AsyncSession, thread: Thread) -> list[Message]:
    rows = await chat.thread_messages(session, thread.id)
    root = thread.root_message_id or thread.thread_key
    if not any(row.external_id == root for row in rows):
        found = await chat.find_message(session, thread.platform, root)
        if found is not None and found.deleted_at is None:
            rows.insert(0, found)
    return rows


async def capture_thread(
    ctx: Context, session: AsyncSession, thread: Thread, *, answer_ids: Sequence[str] = (), via: str
) -> CaptureResult:
    """Save the thread as an entry (or add answers to its entry); the default answer is the last other reply."""
    prefix = ctx.services.settings.bot.command_prefix
    rows = [row for row in await _messages(session, thread) if not is_command_text(row.text, prefix)]
    if not rows:
        raise CaptureRefused("I have no messages of this thread to save.")
    root_id = thread.root_message_id or thread.thread_key
    root = await chat.find_message(session, thread.platform, root_id)
    if root is not None and root.deleted_at is not None:
        raise CaptureRefused("The question of this thread was deleted, so the thread is not saved.")
    question = next((row for row in rows if row.external_id == root_id), rows[0])
    asker_id = thread.asker_id or question.author_id
    members = {m.id: m for m in await session.scalars(select(Member).where(Member.id.in_({r.author_id for r in rows})))}
    asker = members.get(asker_id) if asker_id is not None else None
    if asker is not None and asker.capture_opt_out:
        raise CaptureRefused("The person who asked has opted out of capture, so this thread is not saved.")
    existing = await session.scalar(select(KnowledgeEntry).where(KnowledgeEntry.thread_id == thread.id))
    known_answers: list[str] = []
    tags: list[str] = hashtags(question.text)
    title, summary = thread.title or title_from(question.text) or "Question", ""
    if existing is not None:
        await session.refresh(existing, ["messages"])
        known_answers = [m.external_id for m in existing.messages if m.role == "answer" and m.external_id]
        tags = [*await entry_tags(session, existing.id), *tags]
        title, summary = existing.title, existing.summary
    by_id = {row.external_id: row for row in rows}
    wanted = [answer for answer in answer_ids if answer in by_id and answer != question.external_id]
    if not wanted and not known_answers:
        others = [row for row in rows if row.author_id != asker_id and row is not question]
        wanted = [others[-1].external_id] if others else []
    answers = list(dict.fromkeys([*known_answers, *wanted]))
    new_answers = len([answer for answer in wanted if answer not in known_answers])

    def draft_of(row: Message) -> DraftMessage:
        author = members.get(row.author_id) if row.author_id is not None else None
        name = author.display_name if author else ""
        return DraftMessage(name, row.text, row.created_at, row.author_id, row.external_id)

    def visible(row: Message) -> bool:
        author = members.get(row.author_id) if row.author_id is not None else None
        return not (author is not None and (author.capture_opt_out or author.is_bot))

    place = thread_place(thread)
    draft = EntryDraft(
        title=title,
        question=question.text,
        answers=[draft_of(by_id[a]) for a in answers if a in by_id and visible(by_id[a])],
        messages=[draft_of(r) for r in rows if r is not question and r.external_id not in answers and visible(r)],
        tags=tags,
        summary=summary,
        activity=thread.activity,
        solved=bool(answers),
        captured_via=via,
        source_platform=thread.platform,
        source_room=thread.room,
        source_url=ctx.adapter.message_url(place, question.external_id),
        thread_id=thread.id,
        created_at=question.created_at,
        question_author_id=question.author_id,
        question_external_id=question.external_id,
        question_author_name=asker.display_name if asker else "",
    )
    entry, created = await save_entry(session, draft)
    if answers:
        thread.status = "answered"
        thread.answered_at = thread.answered_at or ctx.services.clock.now()
    return CaptureResult(entry, created, new_answers)


async def announce(ctx: Context, thread: Thread, result: CaptureResult) -> None:
    """Mark the thread solved on the platform and confirm the entry in the thread."""
    place = thread_place(thread)
    entry = result.entry
    if entry.solved:
        try:
            await ctx.adapter.mark_thread_solved(place)
        except Exception:
            log.exception("could not mark thread %s solved", place.key)
    if result.created:
        text = (
            f"Saved to the knowledge base as {entry.public_id}: {entry.title}. "
            f"Find it with {ctx.adapter.command_text('kb', f'show {entry.public_id}')}."
        )
    elif result.new_answers:
        text = f"Added the answer to knowledge base entry {entry.public_id}: {entry.title}."
    else:
        text = f"Knowledge base entry {entry.public_id} is up to date with this thread."
    if thread.is_platform_thread:
        await ctx.adapter.send(place, Outgoing.of(text))
    else:
        root = thread.root_message_id or thread.thread_key
        await ctx.adapter.send(place.room_only(), Outgoing.of(text), reply_to=root)
