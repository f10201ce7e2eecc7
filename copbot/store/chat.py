"""Repository for members, messages, threads and small key-value state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.core.events import Member as EventMember
from copbot.core.events import Place
from copbot.store import scope
from copbot.store.models import KeyValue, Member, Message, Thread


async def get_or_create_member(session: AsyncSession, platform: str, member: EventMember) -> Member:
    """The stored member for ``member`` on ``platform``, created (or renamed) as needed."""
    row = await session.scalar(select(Member).where(Member.platform == platform, Member.external_id == member.id))
    if row is None:
        row = Member(platform=platform, external_id=member.id, display_name=member.name, is_bot=member.is_bot)
        session.add(row)
        await session.flush()
    elif member.name and row.display_name != member.name:
        row.display_name = member.name
    return row


async def find_member(session: AsyncSession, platform: str, external_id: str) -> Member | None:
    """The stored member with this platform id, if known."""
    return await session.scalar(select(Member).where(Member.platform == platform, Member.external_id == external_id))


async def find_message(session: AsyncSession, platform: str, external_id: str) -> Message | None:
    """The stored message with this platform id, if seen."""
    return await session.scalar(select(Message).where(Message.platform == platform, Message.external_id == external_id))


async def find_thread(session: AsyncSession, platform: str, room: str, thread_key: str) -> Thread | None:
    """The tracked thread with this key in ``room``."""
    return await session.scalar(
        select(Thread).where(Thread.platform == platform, Thread.room == room, Thread.thread_key == thread_key)
    )


async def thread_for_place(session: AsyncSession, place: Place) -> Thread | None:
    """The tracked thread at ``place`` (which must name a thread)."""
    if place.thread is None:
        return None
    return await find_thread(session, place.platform, place.room, place.thread)


async def get_or_create_thread(
    session: AsyncSession,
    place: Place,
    thread_key: str,
    *,
    created_at: datetime,
    is_platform_thread: bool,
    root_message_id: str | None = None,
    asker: Member | None = None,
    title: str = "",
) -> tuple[Thread, bool]:
    """The thread ``thread_key`` in ``place``'s room, created if new; returns (thread, created)."""
    row = await find_thread(session, place.platform, place.room, thread_key)
    if row is not None:
        return row, False
    row = Thread(
        platform=place.platform,
        room=place.room,
        thread_key=thread_key,
        is_platform_thread=is_platform_thread,
        root_message_id=root_message_id,
        asker_id=asker.id if asker else None,
        title=title[:300],
        created_at=created_at,
        last_message_at=created_at,
    )
    session.add(row)
    await session.flush()
    return row, True


async def thread_messages(session: AsyncSession, thread_id: int) -> list[Message]:
    """The stored, not deleted messages of a thread, oldest first."""
    rows = await session.scalars(
        select(Message)
        .where(Message.thread_id == thread_id, Message.deleted_at.is_(None))
        .order_by(Message.created_at, Message.id)
    )
    return list(rows)


async def get_state(sessions: async_sessionmaker[AsyncSession], key: str) -> str | None:
    """A small persisted value (sync token, device id), or None."""
    async with sessions() as session:
        row = await session.get(KeyValue, key)
        return row.value if row else None


async def set_state(sessions: async_sessionmaker[AsyncSession], key: str, value: str) -> None:
    """Persist a small value, committing at once."""
    async with sessions.begin() as session:
        row = await session.get(KeyValue, key)
        if row is None:
            session.add(KeyValue(key=key, value=value, updated_at=scope.now(session)))
        else:
            row.value = value
            row.updated_at = scope.now(session)


async def mark_message_deleted(session: AsyncSession, platform: str, external_id: str, when: datetime) -> bool:
    """Flag a stored message as deleted and blank its text; returns whether it was known."""
    result = await session.execute(
        update(Message)
        .where(Message.platform == platform, Message.external_id == external_id)
        .values(deleted_at=when, text="")
    )
    return bool(getattr(result, "rowcount", 0))
