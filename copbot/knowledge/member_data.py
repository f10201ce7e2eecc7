"""A member's data in the knowledge base: what is kept, hiding it, deleting it for good, and exporting it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from copbot.core.events import Member as EventMember
from copbot.knowledge.entries import refresh_search_document
from copbot.members import privacy
from copbot.store import chat
from copbot.store.models import EntryMessage, KnowledgeEntry, SearchDocument

log = logging.getLogger(__name__)

EXPORT_FORMAT = 1
FTS_TABLES = ("search_fts", "search_fts_discussion")
"""SQLite's full-text tables: 'optimize' rewrites them without the tokens of deleted rows."""


@dataclass(frozen=True, slots=True)
class Choices:
    """A member's current privacy settings and how much is kept about them."""

    capture_opt_out: bool
    suggest_opt_in: bool
    messages_stored: int
    entries: int
    web_opt_out: bool = False


@dataclass(frozen=True, slots=True)
class Deletion:
    """What ``delete_everything`` removed."""

    entries: int
    """Knowledge entries the member's content was removed from (or that were deleted with their question)."""
    messages: int
    """Stored chat messages whose text was blanked."""


async def _entry_ids_touched_by(session: AsyncSession, member_id: int) -> list[int]:
    rows = await session.scalars(select(EntryMessage.entry_id).where(EntryMessage.author_id == member_id).distinct())
    return sorted(set(rows))


async def refresh_for_member(session: AsyncSession, member_id: int) -> int:
    """Refresh the search text of every entry the member wrote in (after an opt-out change); returns how many."""
    ids = await _entry_ids_touched_by(session, member_id)
    for entry_id in ids:
        await refresh_search_document(session, entry_id)
    return len(ids)


async def entries_for_member(session: AsyncSession, member_id: int) -> list[KnowledgeEntry]:
    """Entries the member asked, answered, wrote in or created, oldest first."""
    touched = select(EntryMessage.entry_id).where(EntryMessage.author_id == member_id)
    query = (
        select(KnowledgeEntry)
        .where(or_(KnowledgeEntry.id.in_(touched), KnowledgeEntry.created_by_id == member_id))
        .order_by(KnowledgeEntry.created_at, KnowledgeEntry.id)
    )
    return list(await session.scalars(query))


async def delete_member_content(session: AsyncSession, member_id: int) -> int:
    """Remove the member's messages from entries, deleting entries whose question they wrote; returns entries hit."""
    ids = await _entry_ids_touched_by(session, member_id)
    asked = set(
        await session.scalars(
            select(EntryMessage.entry_id).where(EntryMessage.author_id == member_id, EntryMessage.role == "question")
        )
    )
    created = set(await session.scalars(select(KnowledgeEntry.id).where(KnowledgeEntry.created_by_id == member_id)))
    gone = asked | created
    if gone:
        await session.execute(delete(SearchDocument).where(SearchDocument.entry_id.in_(gone)))
        query = select(KnowledgeEntry).where(KnowledgeEntry.id.in_(gone)).options(selectinload(KnowledgeEntry.messages))
        for entry in await session.scalars(query):
            await session.delete(entry)
    await session.execute(delete(EntryMessage).where(EntryMessage.author_id == member_id))
    await session.flush()
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, KnowledgeEntry) and loaded.id in ids:
            session.expire(loaded, ["messages"])
    for entry_id in ids:
        if entry_id not in gone:
            await refresh_search_document(session, entry_id)
    return len(set(ids) | gone)


async def current_choices(session: AsyncSession, platform: str, member: EventMember) -> Choices:
    """The member's settings (defaults if they were never seen) and counts of what is stored."""
    row = await chat.find_member(session, platform, member.id)
    if row is None:
        return Choices(capture_opt_out=False, suggest_opt_in=False, messages_stored=0, entries=0)
    return Choices(
        capture_opt_out=row.capture_opt_out,
        suggest_opt_in=row.suggest_opt_in,
        messages_stored=await privacy.stored_messages(session, row),
        entries=len(await entries_for_member(session, row.id)),
        web_opt_out=row.web_opt_out,
    )


async def set_capture(session: AsyncSession, platform: str, member: EventMember, *, stop: bool) -> int:
    """Stop (or resume) capturing the member's messages; refreshes search at once and returns entries touched."""
    row = await privacy.set_capture_flag(session, platform, member, stop=stop)
    return await refresh_for_member(session, row.id)


async def delete_everything(session: AsyncSession, platform: str, member: EventMember) -> Deletion:
    """Remove the member's content from the knowledge base and blank the text of every message stored of theirs."""
    row = await chat.find_member(session, platform, member.id)
    if row is None:
        return Deletion(entries=0, messages=0)
    entries = await delete_member_content(session, row.id)
    messages = await privacy.blank_messages(session, row)
    return Deletion(entries=entries, messages=messages)


async def forget(sessions: async_sessionmaker[AsyncSession], platform: str, member: EventMember) -> Deletion:
    """``delete_everything``, and leave no copy of the words in the database files.

    SQLite: deleted cells are overwritten (secure_delete), the full-text index is rewritten without the deleted
    tokens ('optimize'), and the write-ahead log is checkpointed and truncated. PostgreSQL: rows and index
    entries are gone for every query; reclaiming the dead tuples' disk space is VACUUM's job (the admin's).
    """
    async with sessions.begin() as session:
        sqlite = session.get_bind().dialect.name == "sqlite"
        if sqlite:
            await session.execute(text("PRAGMA secure_delete = ON"))
        deletion = await delete_everything(session, platform, member)
        if sqlite:
            for table in FTS_TABLES:
                await session.execute(text(f"INSERT INTO {table}({table}) VALUES ('optimize')"))
    if sqlite:
        async with sessions() as session:
            connection = await session.connection()
            busy = (await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).first()
            if busy is not None and busy[0]:
                log.warning("the write-ahead log could not be emptied at once (a reader was busy)")
    return deletion


async def export_data(session: AsyncSession, platform: str, member: EventMember, now: datetime) -> dict[str, Any]:
    """Everything stored about the member, as plain JSON-ready data."""
    row = await chat.find_member(session, platform, member.id)
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "exported_at": now.isoformat(),
        "platform": platform,
        "member": {"id": member.id, "name": member.name, "stored": row is not None},
        "messages": [],
        "entry_messages": [],
        "entries_asked": [],
        "entries_contributed_to": [],
    }
    if row is None:
        return data
    data["member"] |= privacy.member_record(row)
    data["messages"] = await privacy.message_records(session, row)
    data["entry_messages"] = await _entry_messages(session, row.id)
    asked = set(
        await session.scalars(
            select(EntryMessage.entry_id).where(EntryMessage.author_id == row.id, EntryMessage.role == "question")
        )
    )
    for entry in await entries_for_member(session, row.id):
        summary = {
            "id": entry.public_id,
            "kind": entry.kind,
            "title": entry.title,
            "solved": entry.solved,
            "created_at": privacy.iso(entry.created_at),
        }
        key = "entries_asked" if entry.id in asked or entry.created_by_id == row.id else "entries_contributed_to"
        data[key].append(summary)
    return data


async def _entry_messages(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    query = (
        select(EntryMessage, KnowledgeEntry.public_id)
        .join(KnowledgeEntry, KnowledgeEntry.id == EntryMessage.entry_id)
        .where(EntryMessage.author_id == member_id)
        .order_by(KnowledgeEntry.id, EntryMessage.position)
    )
    return [
        {"entry": public_id, "role": m.role, "text": m.text, "created_at": privacy.iso(m.created_at)}
        for m, public_id in await session.execute(query)
    ]
