"""Keep entries faithful to the chat: edits and deletions of captured messages reach entries and the index."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.conversations.threads import title_from
from copbot.knowledge.entries import refresh_search_document
from copbot.store.models import EntryMessage, KnowledgeEntry

log = logging.getLogger(__name__)

DELETED_TITLE = "(question deleted)"
"""An entry's title once its question is deleted: the title was made from the question's words."""


async def _captured(session: AsyncSession, platform: str, external_id: str) -> list[EntryMessage]:
    query = (
        select(EntryMessage)
        .join(KnowledgeEntry, KnowledgeEntry.id == EntryMessage.entry_id)
        .where(EntryMessage.external_id == external_id, KnowledgeEntry.source_platform == platform)
    )
    return list(await session.scalars(query))


async def apply_edit(session: AsyncSession, platform: str, external_id: str, text: str) -> int:
    """A captured message was edited: update its text in every entry; returns how many entries changed."""
    return await _rewrite(session, platform, external_id, text)


async def apply_deletion(session: AsyncSession, platform: str, external_id: str) -> int:
    """A captured message was deleted: blank its text (a deleted question hides the entry); returns entries hit."""
    return await _rewrite(session, platform, external_id, "")


async def _rewrite(session: AsyncSession, platform: str, external_id: str, text: str) -> int:
    rows = await _captured(session, platform, external_id)
    for row in rows:
        before, row.text = row.text, text
        if row.role == "question":
            entry = await session.get(KnowledgeEntry, row.entry_id)
            if entry is not None:
                entry.question = text
                if not text:
                    entry.title = DELETED_TITLE
                elif entry.title == title_from(before):
                    entry.title = title_from(text)
    await session.flush()
    for entry_id in {row.entry_id for row in rows}:
        await refresh_search_document(session, entry_id)
    if rows:
        log.info("message %s changed in %d entries", external_id, len({row.entry_id for row in rows}))
    return len({row.entry_id for row in rows})
