"""The repository: entries added, edited, viewed and suggested, entries gone stale, and topics with gaps."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.health.window import Window
from copbot.store.models import KnowledgeEntry
from copbot.store.operations import AuditLog, EntryUse

log = logging.getLogger(__name__)

MONTH = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class GapTopic:
    """A topic where questions wait and few people answer (the gap prompt's list)."""

    topic: str
    questions: int
    """Open help requests and unanswered "what are we missing" messages filed under the topic."""
    answerers: int
    """Distinct people who replied to them."""


@dataclass(frozen=True, slots=True)
class Uses:
    """How often entries were shown in one way, and how many different entries."""

    times: int
    entries: int


@dataclass(frozen=True, slots=True)
class RepositoryFigures:
    """The repository in the window (entries from the window's channel, if one is given)."""

    added: int
    """Entries created in the window (captured, pinned, shared or imported)."""
    edited: int
    """Distinct entries an editor changed with /kb edit in the window (from the audit log)."""
    viewed: Uses
    """CHAOSS "Documentation Usage": entries opened with /kb show in the window."""
    suggested: Uses
    """Entries the bot suggested in answer to an /ask in the window."""
    entries: int
    """All entries at the window's end."""
    stale: int
    """Entries neither created nor edited in the [health] stale_months months (of 30 days) before the window's end."""
    gaps: list[GapTopic] = field(default_factory=list)
    """Open topics with many questions and few answerers: the gap prompt's list (its last 30 days, whole platform)."""


async def _uses(session: AsyncSession, window: Window, kind: str) -> Uses:
    query = select(func.count(), func.count(distinct(EntryUse.entry_id))).where(
        EntryUse.kind == kind, EntryUse.at >= window.since, EntryUse.at < window.until
    )
    if window.room is not None:
        query = query.join(KnowledgeEntry, KnowledgeEntry.id == EntryUse.entry_id).where(
            KnowledgeEntry.source_room == window.room
        )
    times, entries = (await session.execute(query)).one()
    return Uses(int(times), int(entries))


async def repository_figures(
    session: AsyncSession, window: Window, stale_months: int, gaps: list[GapTopic]
) -> RepositoryFigures:
    """The repository figures of ``window``; ``gaps`` comes from the gap prompt's list."""
    in_room = [KnowledgeEntry.source_room == window.room] if window.room is not None else []
    existing = [KnowledgeEntry.created_at < window.until, *in_room]
    added = await session.scalar(select(func.count()).where(KnowledgeEntry.created_at >= window.since, *existing))
    edited = await session.scalar(
        select(func.count(distinct(AuditLog.target)))
        .join(KnowledgeEntry, KnowledgeEntry.public_id == AuditLog.target)
        .where(AuditLog.action == "kb.edit", AuditLog.at >= window.since, AuditLog.at < window.until, *in_room)
    )
    entries = await session.scalar(select(func.count()).select_from(KnowledgeEntry).where(*existing))
    stale = await session.scalar(
        select(func.count()).where(KnowledgeEntry.updated_at < window.until - stale_months * MONTH, *existing)
    )
    return RepositoryFigures(
        added=int(added or 0),
        edited=int(edited or 0),
        viewed=await _uses(session, window, "viewed"),
        suggested=await _uses(session, window, "suggested"),
        entries=int(entries or 0),
        stale=int(stale or 0),
        gaps=gaps,
    )
