"""Repository for members, messages, threads and small key-value state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.core.events import Member as EventMember
from copbot.core.events import Place
from copbot.store import scope
from copbot.store.models import CaptureProposal, EntryMessage, KnowledgeEntry, Member, Message, Thread
from copbot.store.operations import KeyValue, PromptRun


async def get_or_create_member(session: AsyncSession, platform: str, member: EventMember) -> Member:
    """The stored member for ``member`` on ``platform``, created (or renamed) as needed."""
    wanted = select(Member).where(Member.platform == platform, Member.external_id == member.id)
    row = await session.scalar(wanted)
    if row is None:
        # Another transaction (a second command from a new member, say) may be creating the same row right now.
        values = {"platform": platform, "external_id": member.id, "display_name": member.name, "is_bot": member.is_bot}
        insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
        await session.execute(insert(Member).values(**values).on_conflict_do_nothing())
        row = await session.scalar(wanted)
        assert row is not None
    elif member.name and row.display_name != member.name:
        row.display_name = member.name
    return row


async def create_members(session: AsyncSession, platform: str, members: Sequence[EventMember]) -> list[Member]:
    """Create the stored members for ``members`` in one statement that returns them (any already stored are kept, and
    loaded by a second one)."""
    if not members:
        return []
    ordered = sorted(members, key=lambda m: m.id)  # in one order, so two writers never wait on each other in turn
    values = [{"platform": platform, "external_id": m.id, "display_name": m.name, "is_bot": m.is_bot} for m in ordered]
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    created = list(await session.scalars(insert(Member).on_conflict_do_nothing().returning(Member), values))
    made = {member.external_id for member in created}
    kept = [m.id for m in ordered if m.id not in made]  # another transaction created these meanwhile
    if kept:
        created += await session.scalars(
            select(Member).where(Member.platform == platform, Member.external_id.in_(kept))
        )
    return created


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


async def used_message_ids(session: AsyncSession, platform: str) -> list[str]:
    """Every message id of ``platform`` the database mentions: members', the bot's prompts and proposals, captures."""
    queries = [
        select(Message.external_id).where(Message.platform == platform),
        select(PromptRun.message_id).where(PromptRun.platform == platform, PromptRun.message_id.is_not(None)),
        select(CaptureProposal.prompt_message_id)
        .join(Thread, Thread.id == CaptureProposal.thread_id)
        .where(Thread.platform == platform),
        select(EntryMessage.external_id)
        .join(KnowledgeEntry, KnowledgeEntry.id == EntryMessage.entry_id)
        .where(KnowledgeEntry.source_platform == platform, EntryMessage.external_id.is_not(None)),
    ]
    found: list[str] = []
    for query in queries:
        found.extend(ident for ident in await session.scalars(query) if ident is not None)
    return found


async def mark_message_deleted(session: AsyncSession, platform: str, external_id: str, when: datetime) -> bool:
    """Flag a stored message as deleted, blank its text and the title of a thread it opened; returns if known."""
    result = await session.execute(
        update(Message)
        .where(Message.platform == platform, Message.external_id == external_id)
        .values(deleted_at=when, text="", activity_reason=None)
    )
    opened = or_(Thread.root_message_id == external_id, Thread.thread_key == external_id)
    await session.execute(update(Thread).where(Thread.platform == platform, opened).values(title=""))
    return bool(getattr(result, "rowcount", 0))
