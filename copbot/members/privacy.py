"""Members' privacy choices: stop or resume capture, expert suggestions, and deleting or exporting their data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.core.events import Member as EventMember
from copbot.knowledge.entries import delete_member_content, entries_for_member, refresh_for_member
from copbot.store import chat
from copbot.store.models import EntryMessage, KnowledgeEntry, Member, Message, Thread

EXPORT_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Choices:
    """A member's current privacy settings and how much is kept about them."""

    capture_opt_out: bool
    suggest_opt_in: bool
    messages_stored: int
    entries: int


@dataclass(frozen=True, slots=True)
class Deletion:
    """What ``delete_everything`` removed."""

    entries: int
    """Knowledge entries the member's content was removed from (or that were deleted with their question)."""
    messages: int
    """Stored chat messages whose text was blanked."""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def current_choices(session: AsyncSession, platform: str, member: EventMember) -> Choices:
    """The member's settings (defaults if they were never seen) and counts of what is stored."""
    row = await chat.find_member(session, platform, member.id)
    if row is None:
        return Choices(capture_opt_out=False, suggest_opt_in=False, messages_stored=0, entries=0)
    stored = await session.scalar(
        select(func.count()).select_from(Message).where(Message.author_id == row.id, Message.text != "")
    )
    return Choices(
        capture_opt_out=row.capture_opt_out,
        suggest_opt_in=row.suggest_opt_in,
        messages_stored=int(stored or 0),
        entries=len(await entries_for_member(session, row.id)),
    )


async def set_capture(session: AsyncSession, platform: str, member: EventMember, *, stop: bool) -> int:
    """Stop (or resume) capturing the member's messages; refreshes search at once and returns entries touched."""
    row = await chat.get_or_create_member(session, platform, member)
    row.capture_opt_out = stop
    await session.flush()
    return await refresh_for_member(session, row.id)


async def set_suggest(session: AsyncSession, platform: str, member: EventMember, *, opt_in: bool) -> None:
    """Agree (or stop agreeing) to be suggested as someone who knows a topic."""
    row = await chat.get_or_create_member(session, platform, member)
    row.suggest_opt_in = opt_in


async def delete_everything(session: AsyncSession, platform: str, member: EventMember) -> Deletion:
    """Remove the member's content from the knowledge base and blank the text of every message stored of theirs."""
    row = await chat.find_member(session, platform, member.id)
    if row is None:
        return Deletion(entries=0, messages=0)
    entries = await delete_member_content(session, row.id)
    blanked = await session.execute(
        update(Message).where(Message.author_id == row.id, Message.text != "").values(text="")
    )
    await session.execute(update(Thread).where(Thread.asker_id == row.id).values(title=""))
    return Deletion(entries=entries, messages=int(getattr(blanked, "rowcount", 0) or 0))


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
    data["member"] |= {
        "name": row.display_name,
        "capture_opt_out": row.capture_opt_out,
        "suggest_opt_in": row.suggest_opt_in,
        "first_seen": _iso(row.created_at),
    }
    data["messages"] = await _messages(session, row)
    data["entry_messages"] = await _entry_messages(session, row)
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
            "created_at": _iso(entry.created_at),
        }
        key = "entries_asked" if entry.id in asked or entry.created_by_id == row.id else "entries_contributed_to"
        data[key].append(summary)
    return data


async def _messages(session: AsyncSession, row: Member) -> list[dict[str, Any]]:
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
            "created_at": _iso(message.created_at),
            "edited_at": _iso(message.edited_at),
            "deleted_at": _iso(message.deleted_at),
        }
        for message, thread_key in await session.execute(query)
    ]


async def _entry_messages(session: AsyncSession, row: Member) -> list[dict[str, Any]]:
    query = (
        select(EntryMessage, KnowledgeEntry.public_id)
        .join(KnowledgeEntry, KnowledgeEntry.id == EntryMessage.entry_id)
        .where(EntryMessage.author_id == row.id)
        .order_by(KnowledgeEntry.id, EntryMessage.position)
    )
    return [
        {"entry": public_id, "role": message.role, "text": message.text, "created_at": _iso(message.created_at)}
        for message, public_id in await session.execute(query)
    ]
