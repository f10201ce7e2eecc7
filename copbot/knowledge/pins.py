"""Pins: a moderator's pin (command or native) captures a thread, a reply chain or a message alone."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.conversations.threads import own_thread
from copbot.core.context import Context
from copbot.core.events import Place
from copbot.knowledge.capture import CaptureRefused, CaptureResult, capture_thread, sync_thread, thread_place
from copbot.knowledge.entries import delete_entry, get_entry
from copbot.store import chat
from copbot.store.models import KnowledgeEntry, Thread

log = logging.getLogger(__name__)


async def _thread_to_pin(ctx: Context, session: AsyncSession, message_id: str | None) -> Thread:
    platform = ctx.platform
    if message_id is None:
        if ctx.place.thread is None:
            written = ctx.adapter.command_text("pin")
            raise CaptureRefused(f"Use {written} inside a thread, or name the message: {written} MESSAGE.")
        thread = await sync_thread(ctx, session, ctx.place)
        if thread is None:
            raise CaptureRefused("I have no messages of this thread to save.")
        return thread
    message = await chat.find_message(session, platform, message_id)
    if message is None:
        raise CaptureRefused(f"I don't know a message {message_id!r} here.")
    if message.thread_id is not None:
        thread = await session.get(Thread, message.thread_id)
        if thread is not None:
            await sync_thread(ctx, session, thread_place(thread))
            return thread
    place = Place(platform, message.room, message.external_id)
    thread = await sync_thread(ctx, session, place)
    if thread is not None:
        return thread
    return await own_thread(session, message)


async def pin(ctx: Context, session: AsyncSession, message_id: str | None) -> tuple[Thread, CaptureResult]:
    """Capture what the pin points at; a pinned reply becomes an accepted answer."""
    thread = await _thread_to_pin(ctx, session, message_id)
    answers = [message_id] if message_id else []
    return thread, await capture_thread(ctx, session, thread, answer_ids=answers, via="pin")


async def find_pinned_entry(ctx: Context, session: AsyncSession, ident: str | None) -> KnowledgeEntry | None:
    """The entry an unpin means: by entry id, by message id, or the current thread's."""
    if ident:
        entry = await get_entry(session, ident)
        if entry is not None:
            return entry
        message = await chat.find_message(session, ctx.platform, ident)
        thread_id = message.thread_id if message is not None else None
    else:
        thread = await chat.thread_for_place(session, ctx.place)
        thread_id = thread.id if thread is not None else None
    if thread_id is None:
        return None
    return await session.scalar(select(KnowledgeEntry).where(KnowledgeEntry.thread_id == thread_id))


async def unpin(ctx: Context, session: AsyncSession, ident: str | None) -> str:
    """Remove an entry a pin created; entries saved another way stay. Returns what happened, for the moderator."""
    entry = await find_pinned_entry(ctx, session, ident)
    if entry is None:
        return "There is no pinned knowledge base entry here."
    if entry.captured_via != "pin":
        return (
            f"Entry {entry.public_id} was saved by {entry.captured_via}, not a pin; "
            f"it stays ({ctx.adapter.command_text('kb', 'delete')} removes it)."
        )
    if entry.thread_id is not None:
        thread = await session.get(Thread, entry.thread_id)
        if thread is not None and thread.status == "answered":
            thread.status = "open"
            thread.answered_at = None
    await delete_entry(session, entry.public_id)
    return f"Unpinned: entry {entry.public_id} is removed from the knowledge base."
