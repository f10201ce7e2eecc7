"""Thread tracking: store each message and decide which conversation (thread or reply chain) it belongs to."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from copbot.core.events import MessageDeleted, MessageEdited, MessagePosted, ThreadClosed
from copbot.store import chat
from copbot.store.models import Member, Message, Thread

TITLE_LENGTH = 120


@dataclass(slots=True)
class Tracked:
    """What tracking made of a message: its row, its author and its thread (if it is in one)."""

    message: Message
    author: Member
    thread: Thread | None
    new_thread: bool


def title_from(text: str) -> str:
    """A short title: the first non-empty line, cut at a word boundary."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first) <= TITLE_LENGTH:
        return first
    return first[:TITLE_LENGTH].rsplit(" ", 1)[0] + "…"


async def _adopt_root(session: AsyncSession, thread: Thread, platform: str) -> None:
    """A thread keyed by a message id starts at that message: make it the root and its author the asker."""
    root = await chat.find_message(session, platform, thread.thread_key)
    if root is None:
        return
    root.thread_id = thread.id
    thread.root_message_id = root.external_id
    thread.asker_id = thread.asker_id or root.author_id
    thread.title = thread.title or title_from(root.text)
    thread.created_at = min(thread.created_at, root.created_at)


async def track_message(session: AsyncSession, event: MessagePosted) -> Tracked:
    """Store ``event`` (idempotently) and attach it to its thread, creating the thread when it starts."""
    platform = event.place.platform
    author = await chat.get_or_create_member(session, platform, event.author)
    existing = await chat.find_message(session, platform, event.id)
    if existing is not None:
        known = await session.get(Thread, existing.thread_id) if existing.thread_id else None
        return Tracked(existing, author, known, False)

    thread: Thread | None = None
    created = False
    if event.place.thread is not None:
        thread, created = await chat.get_or_create_thread(
            session,
            event.place,
            event.place.thread,
            created_at=event.created_at,
            is_platform_thread=True,
            root_message_id=event.id if event.opens_thread else None,
            asker=author if event.opens_thread else None,
            title=title_from(event.text) if event.opens_thread else "",
        )
        if created and not event.opens_thread:
            await _adopt_root(session, thread, platform)
            if thread.asker_id is None:
                thread.asker_id = author.id
                thread.title = thread.title or title_from(event.text)
    elif event.reply_to is not None:
        parent = await chat.find_message(session, platform, event.reply_to)
        if parent is not None and parent.thread_id is not None:
            thread = await session.get(Thread, parent.thread_id)
        elif parent is not None:
            thread, created = await chat.get_or_create_thread(
                session,
                event.place,
                parent.external_id,
                created_at=parent.created_at,
                is_platform_thread=False,
            )
            await _adopt_root(session, thread, platform)

    message = Message(
        platform=platform,
        external_id=event.id,
        room=event.place.room,
        thread_id=thread.id if thread else None,
        author_id=author.id,
        text="" if author.capture_opt_out else event.text,
        reply_to=event.reply_to,
        created_at=event.created_at,
    )
    session.add(message)
    if thread is not None and event.created_at > thread.last_message_at:
        thread.last_message_at = event.created_at
    await session.flush()
    return Tracked(message, author, thread, created)


async def track_edit(session: AsyncSession, event: MessageEdited) -> Message | None:
    """Apply an edit to the stored message, if it is known."""
    message = await chat.find_message(session, event.place.platform, event.message_id)
    if message is None:
        return None
    author = await session.get(Member, message.author_id) if message.author_id else None
    message.text = "" if author is not None and author.capture_opt_out else event.text
    message.edited_at = event.created_at
    if message.thread_id is not None:
        thread = await session.get(Thread, message.thread_id)
        if thread is not None and thread.root_message_id == message.external_id:
            thread.title = title_from(event.text)
    return message


async def track_deletion(session: AsyncSession, event: MessageDeleted) -> bool:
    """Mark the stored message deleted; returns whether it was known."""
    return await chat.mark_message_deleted(session, event.place.platform, event.message_id, event.created_at)


async def track_thread_closed(session: AsyncSession, event: ThreadClosed) -> Thread | None:
    """Mark a tracked thread closed (an answered thread stays answered)."""
    thread = await chat.thread_for_place(session, event.place)
    if thread is not None and thread.status == "open":
        thread.status = "closed"
    return thread
