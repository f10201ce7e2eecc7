"""The audit log of moderator actions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.core.events import Member
from copbot.store import scope
from copbot.store.models import AuditLog


def record(session: AsyncSession, platform: str, actor: Member, action: str, target: str, detail: str = "") -> None:
    """Add an audit entry to ``session`` (committed with the action it describes)."""
    session.add(
        AuditLog(
            at=scope.now(session),
            platform=platform,
            actor_id=actor.id,
            actor_name=actor.name,
            action=action,
            target=target,
            detail=detail[:2000],
        )
    )


async def recent(sessions: async_sessionmaker[AsyncSession], limit: int = 50) -> list[AuditLog]:
    """The newest audit entries, newest first."""
    async with sessions() as session:
        rows = await session.scalars(select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit))
        return list(rows)
