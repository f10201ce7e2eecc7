"""Members' privacy choices at the member level: flags, their stored chat messages, and the record of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.core.events import Member as EventMember
from copbot.store import chat
from copbot.store.models import Member, Message, Thread


def iso(value: datetime | None) -> str | None:
    """An aware time as ISO 8601 text, or None."""
    return value.isoformat() if value is not None else None


async def stored_messages(session: AsyncSession, row: Member) -> int:
    """How many of the member's chat messages are stored with text."""
    count = await session.scalar(
        select(func.count()).select_from(Message).where(Message.author_id == row.id, Message.text != "")
    )
    return int(count or 0)


async def set_capture_flag(session: AsyncSession, platform: str, member: EventMember, *, stop: bool) -> Member:
    """Record that the member stopped (or resumed) capture; the caller refreshes what shows."""
    row = await chat.get_or_create_member(session, platform, member)
    row.capture_opt_out = stop
    await session.flush()
    return row


async def set_suggest(session: AsyncSession, platform: str, member: EventMember, *, opt_in: bool) -> None:
    """Agree (or stop agreeing) to be suggested as someone who knows a topic."""
    row = await chat.get_or_create_member(session, platform, member)
    row.suggest_opt_in = opt_in


async def set_web(session: AsyncSession, platform: str, member: EventMember, *, off: bool) -> None:
    """Keep (or stop keeping) everything of the member off the web pages; the web reads the flag on every request."""
    row = await chat.get_or_create_member(session, platform, member)
    row.web_opt_out = off


async def blank_messages(session: AsyncSession, row: Member) -> int:
    """Blank the text of every stored chat message of the member and the titles of threads they asked."""
    blanked = await session.execute(
        update(Message).where(Message.author_id == row.id, Message.text != "").values(text="")
    )
    await session.execute(update(Message).where(Message.author_id == row.id).values(activity_reason=None))
    await session.execute(update(Thread).where(Thread.asker_id == row.id).values(title=""))
    return int(getattr(blanked, "rowcount", 0) or 0)


def member_record(row: Member) -> dict[str, Any]:
    """The member's own settings, for their export."""
    return {
        "name": row.display_name,
        "capture_opt_out": row.capture_opt_out,
        "suggest_opt_in": row.suggest_opt_in,
        "web_opt_out": row.web_opt_out,
        "first_seen": iso(row.created_at),
    }


async def message_records(session: AsyncSession, row: Member) -> list[dict[str, Any]]:
    """The member's stored chat messages, oldest first, for their export."""
    query = (
        select(Message, Thread.thread_key)
        .outerjoin(Thread, Thread.id == Message.thread_id)
        .where(Message.author_id == row.id)
        .order_by(Message.created_at, Message.id)
    )
    return [
        {
            "id": message.external_id,
            "room": message.room,
            "thread": thread_key,
            "text": message.text,
            "created_at": iso(message.created_at),
            "edited_at": iso(message.edited_at),
            "deleted_at": iso(message.deleted_at),
        }
        for message, thread_key in await session.execute(query)
    ]
