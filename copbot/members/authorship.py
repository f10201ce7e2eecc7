"""Who may change a message: an edit only by its author, a deletion by its author or a moderator."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.core.context import Context
from copbot.core.events import MessageDeleted, MessageEdited
from copbot.core.roles import Role
from copbot.store.models import EntryMessage, KnowledgeEntry, Member, Message

log = logging.getLogger(__name__)


async def stored_author(session: AsyncSession, platform: str, message_id: str) -> str | None:
    """The platform id of whoever wrote the stored (or captured) message, if known."""
    written = select(Member.external_id).join(Message, Message.author_id == Member.id)
    author = await session.scalar(written.where(Message.platform == platform, Message.external_id == message_id))
    if author is not None:
        return author
    captured = (
        select(Member.external_id)
        .join(EntryMessage, EntryMessage.author_id == Member.id)
        .join(KnowledgeEntry, KnowledgeEntry.id == EntryMessage.entry_id)
        .where(EntryMessage.external_id == message_id, KnowledgeEntry.source_platform == platform)
    )
    return (await session.scalars(captured)).first()


async def change_allowed(ctx: Context) -> bool:
    """Whether the edit or deletion in ``ctx`` may be applied; other events always may.

    A change whose platform does not say who made it is the platform's own report and is applied.
    """
    event = ctx.event
    if isinstance(event, MessageEdited):
        actor, moderators_may = event.author, False
    elif isinstance(event, MessageDeleted):
        actor, moderators_may = event.member, True
    else:
        return True
    if actor is None:
        return True
    async with ctx.services.sessions() as session:
        author = await stored_author(session, ctx.platform, event.message_id)
    if author is None or author == actor.id:
        return True
    if moderators_may and (await ctx.standing(actor)).role >= Role.MODERATOR:
        return True
    what = "edit" if isinstance(event, MessageEdited) else "deletion"
    log.warning("ignored the %s of %s by %s, who did not write it", what, event.message_id, actor.id)
    return False
