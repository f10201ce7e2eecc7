"""Record how entries are used: suggested for an /ask, viewed with /kb show, accepted by the asker with a ✅."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.core.context import Context, Listener, Subscription
from copbot.core.events import ReactionAdded
from copbot.knowledge.listener import is_solved_emoji
from copbot.store.models import Member, Thread
from copbot.store.operations import EntryUse

log = logging.getLogger(__name__)


def record_suggestions(
    session: AsyncSession,
    entry_ids: Sequence[int],
    *,
    at: datetime,
    platform: str,
    room: str,
    thread_id: int | None,
    message_id: str | None,
) -> None:
    """Note that the bot's message ``message_id`` suggested ``entry_ids`` for the question in ``thread_id``."""
    for entry_id in dict.fromkeys(entry_ids):
        session.add(
            EntryUse(
                kind="suggested", entry_id=entry_id, platform=platform, room=room, thread_id=thread_id,
                message_id=message_id, at=at,
            )
        )  # fmt: skip


def record_view(session: AsyncSession, entry_id: int, *, at: datetime, platform: str, room: str) -> None:
    """Note that someone opened entry ``entry_id``."""
    session.add(EntryUse(kind="viewed", entry_id=entry_id, platform=platform, room=room, at=at))


async def accept_suggestion(
    session: AsyncSession, platform: str, message_id: str, member_external_id: str, at: datetime
) -> bool:
    """If ``message_id`` is the bot's suggestion for a question this member asked, record their acceptance once."""
    suggested = list(
        await session.scalars(
            select(EntryUse).where(
                EntryUse.kind == "suggested", EntryUse.platform == platform, EntryUse.message_id == message_id
            )
        )
    )
    if not suggested or suggested[0].thread_id is None:
        return False
    thread_id = suggested[0].thread_id
    asker = await session.scalar(
        select(Member.external_id).join(Thread, Thread.asker_id == Member.id).where(Thread.id == thread_id)
    )
    if asker != member_external_id:
        return False
    done = await session.scalar(select(exists().where(EntryUse.kind == "accepted", EntryUse.thread_id == thread_id)))
    if done:
        return False
    entry_ids = {use.entry_id for use in suggested}
    session.add(
        EntryUse(
            kind="accepted", entry_id=next(iter(entry_ids)) if len(entry_ids) == 1 else None, platform=platform,
            room=suggested[0].room, thread_id=thread_id, message_id=message_id, at=at,
        )
    )  # fmt: skip
    log.info("asker accepted the suggestion %s for thread %s", message_id, thread_id)
    return True


def usage_listener() -> Listener:
    """Registered for reactions: a ✅ from the asker on the bot's /ask suggestion accepts it."""
    return Subscription("health: accepted suggestions", (ReactionAdded,), _on_reaction)


async def _on_reaction(ctx: Context, event: ReactionAdded) -> None:
    """A ✅ (any solved emoji) from the asker on the bot's /ask suggestion accepts it."""
    if not is_solved_emoji(event.emoji, ctx.services.settings.knowledge.solved_emojis):
        return
    async with ctx.services.sessions.begin() as session:
        await accept_suggestion(session, ctx.platform, event.message_id, event.member.id, ctx.services.clock.now())
