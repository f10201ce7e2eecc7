"""Thread tracking: store each message and decide which conversation (thread or reply chain) it belongs to."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from copbot.conversations.ingest import write_batch
from copbot.conversations.threads import Tracked, title_from
from copbot.core.events import MessageDeleted, MessageEdited, MessagePosted, ThreadClosed
from copbot.store import chat
from copbot.store.models import Member, Message, Thread


async def track_message(session: AsyncSession, event: MessagePosted) -> Tracked:
    """Store ``event`` (idempotently) and attach it to its thread: the thread rules of ``threads``, for one message."""
    (ingested,) = await write_batch(session, [(event, None)], None)
    return ingested.tracked


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
