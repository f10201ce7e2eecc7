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
from copbot.core.events import CommandInvoked, MessagePosted, Place
from copbot.knowledge.answers import choose_answer
from copbot.knowledge.entries import DraftMessage, EntryDraft, entry_tags, save_entry
from copbot.store import chat
from copbot.store.models import KnowledgeEntry, Member, Message, Thread

log = logging.getLogger(__name__)

HASHTAG = re.compile(r"(?<![\w&/])#([^\W_][\w-]{0,63})")


class CaptureRefused(Exception):
    """The thread cannot be captured; the message says why, for the member who asked."""


class AnswerUnclear(Exception):
    """Several replies could be the answer; the asker should pick one."""

    def __init__(self, candidates: list[Message]) -> None:
        super().__init__(f"{len(candidates)} replies could be the answer")
        self.candidates = candidates


@dataclass(slots=True)
class CaptureResult:
    """What a capture did."""

    entry: KnowledgeEntry
    created: bool
    new_answers: int
    removed_answers: int = 0


def hashtags(text: str) -> list[str]:
    """The #hashtags written in ``text``."""
    return HASHTAG.findall(text)


def thread_place(thread: Thread) -> Place:
    """Where a tracked thread (or reply chain, keyed by its first message) lives."""
    return Place(thread.platform, thread.room, thread.thread_key)


def link_place(thread: Thread) -> Place:
    """Where the thread's messages are for a link: its platform thread, or the room a reply chain is in."""
    place = thread_place(thread)
    return place if thread.is_platform_thread else place.room_only()


def sentence(text: str) -> str:
    """``text`` ending in one full stop, or in its own closing punctuation ("holiday?" stays "holiday?")."""
    text = text.rstrip()
    return text if text.endswith((".", "?", "!", "…")) else f"{text}."


def is_command_text(text: str, prefix: str) -> bool:
    """Whether a message is a typed bot command rather than conversation."""
    stripped = text.lstrip()
    return any(stripped.startswith(mark) and stripped[len(mark) : len(mark) + 1].isalpha() for mark in ("/", prefix))


async def place_is_public(ctx: Context, place: Place) -> bool:
    """What the platform says of ``place``'s room; when it cannot say, the room is treated as private."""
    try:
        return await ctx.adapter.place_is_public(place.room_only())
    except Exception:
        log.warning("could not tell whether %s is public; treating it as private", place.key, exc_info=True)
        return False


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
    ctx: Context,
    session: AsyncSession,
    thread: Thread,
    *,
    answer_ids: Sequence[str] = (),
    via: str,
    remove_ids: Sequence[str] = (),
    ask_when_unsure: bool = False,
) -> CaptureResult:
    """Save the thread as an entry (or add answers to its entry, or take ``remove_ids`` back from its answers).

    Without named answers the answer is chosen as a person would (``answers.choose_answer``); when that is
    unclear, ``ask_when_unsure`` raises AnswerUnclear, and otherwise the entry is saved without an answer.
    """
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
    if not wanted and not known_answers and not remove_ids:
        own = ctx.adapter.bot_member.id if ctx.adapter.bot_member is not None else None
        bots = {m.id for m in members.values() if m.is_bot or m.external_id == own}
        people = [row for row in rows if row.author_id not in bots]
        choice = choose_answer(people, question, asker_id, ctx.services.settings.activity.language)
        if choice.answer is None and choice.candidates and ask_when_unsure:
            raise AnswerUnclear(choice.candidates)
        wanted = [choice.answer] if choice.answer else []
    answers = [answer for answer in dict.fromkeys([*known_answers, *wanted]) if answer not in remove_ids]
    new_answers = len([answer for answer in wanted if answer not in known_answers])
    removed = len([answer for answer in known_answers if answer in remove_ids])

    def draft_of(row: Message) -> DraftMessage:
        author = members.get(row.author_id) if row.author_id is not None else None
        name = author.display_name if author else ""
        return DraftMessage(name, row.text, row.created_at, row.author_id, row.external_id)

    def visible(row: Message) -> bool:
        author = members.get(row.author_id) if row.author_id is not None else None
        return not (author is not None and (author.capture_opt_out or author.is_bot))

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
        source_public=await place_is_public(ctx, thread_place(thread)),
        source_url=ctx.adapter.message_url(link_place(thread), question.external_id),
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
    elif removed:
        thread.status, thread.answered_at = "open", None
    return CaptureResult(entry, created, new_answers, removed)


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
            f"Saved to the knowledge base as {entry.public_id}: {sentence(entry.title)} "
            f"Find it with {ctx.adapter.command_text('kb', f'show {entry.public_id}')}."
        )
    elif result.removed_answers:
        solved = ctx.adapter.command_text("solved")
        left = "" if entry.solved else f" It has no accepted answer now; {solved} MESSAGE accepts one."
        text = f"Took the answer back from knowledge base entry {entry.public_id}: {sentence(entry.title)}{left}"
    elif result.new_answers:
        text = f"Added the answer to knowledge base entry {entry.public_id}: {sentence(entry.title)}"
    else:
        text = f"Knowledge base entry {entry.public_id} is up to date with this thread."
    if isinstance(ctx.event, CommandInvoked):
        await ctx.reply(text)  # a command's answer stays where the command was used
    elif thread.is_platform_thread:
        await ctx.adapter.send(place, Outgoing.of(text))
    else:
        root = thread.root_message_id or thread.thread_key
        await ctx.adapter.send(place.room_only(), Outgoing.of(text), reply_to=root)
