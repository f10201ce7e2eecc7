"""Undo: everything backfills added (messages, threads, candidates and the entries accepted from them) goes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.knowledge.entries import delete_entry
from copbot.store.backfill import BackfillCandidate, BackfillCheckpoint, BackfillRow
from copbot.store.models import KnowledgeEntry, Message, Thread

CHUNK = 500


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]


async def remove_backfill(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Delete what backfills stored and the entries accepted from their candidates; live content stays."""
    counts = {"entries": 0, "candidates": 0, "messages": 0, "threads": 0}
    async with sessions.begin() as session:
        accepted = select(KnowledgeEntry.public_id).join(
            BackfillCandidate, BackfillCandidate.entry_id == KnowledgeEntry.id
        )
        for public_id in list(await session.scalars(accepted.where(KnowledgeEntry.captured_via == "backfill"))):
            counts["entries"] += await delete_entry(session, public_id)
        counts["candidates"] = len(list(await session.scalars(select(BackfillCandidate.id))))
        await session.execute(delete(BackfillCandidate))
        messages = list(await session.scalars(select(BackfillRow.row_id).where(BackfillRow.kind == "message")))
        for ids in _chunks(messages):
            await session.execute(delete(Message).where(Message.id.in_(ids)))
        counts["messages"] = len(messages)
        threads = list(await session.scalars(select(BackfillRow.row_id).where(BackfillRow.kind == "thread")))
        for ids in _chunks(threads):
            empty = ~exists(select(Message.id).where(Message.thread_id == Thread.id))
            result = await session.execute(delete(Thread).where(Thread.id.in_(ids), empty))
            counts["threads"] += int(getattr(result, "rowcount", 0) or 0)
        await session.execute(delete(BackfillRow))
        await session.execute(delete(BackfillCheckpoint))
    return counts
