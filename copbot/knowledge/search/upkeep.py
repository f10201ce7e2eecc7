"""PostgreSQL: the lexeme counts kept current while the bot runs, as captured entries grow the repository.

A large ``kb import`` counts every lexeme once (``pg_lexemes``); entries the bot captures one at a time never
reach that threshold, so a community that grows for months would search with the counts of its first import, or
with none (every word counted live). The running bot looks every ``CHECK_SECONDS`` and counts again once the
searchable entries have grown by ``GROWTH`` (and at least ``AT_LEAST``) since the last count. One process does it
at a time (an advisory lock); searches meanwhile read the previous counts.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.knowledge.search import pg_lexemes
from copbot.store.operations import KeyValue

log = logging.getLogger(__name__)

CHECK_SECONDS = 3600.0
"""How often the running bot compares the searchable entries with those of the last count."""
GROWTH = 0.10
"""Count again once the entries have grown by this share of those last counted ..."""
AT_LEAST = 500
"""... and by at least this many (a small repository is cheap to count live, and changes fast)."""
LOCK = 0x636F706C6578
"""Advisory lock (this transaction's): two bots on one database count once."""


async def stale(session: AsyncSession) -> bool:
    """Whether the entries have grown past ``GROWTH`` and ``AT_LEAST`` since the lexemes were last counted."""
    entries = int(await session.scalar(text("SELECT count(*) FROM search_documents")) or 0)
    recorded = await session.scalar(select(KeyValue.value).where(KeyValue.key == pg_lexemes.COUNTED_KEY))
    counted = int(recorded) if recorded is not None and recorded.isdigit() else 0
    if counted and not await session.scalar(text("SELECT EXISTS (SELECT 1 FROM search_fts_lexemes)")):
        counted = 0  # the record came without its counts (a copied kv_state): nothing is counted
    return entries - counted >= max(AT_LEAST, GROWTH * counted)


async def refresh_if_stale(sessions: async_sessionmaker[AsyncSession]) -> bool:
    """Count the lexemes again when they are stale and no other process is counting; whether it counted."""
    async with sessions.begin() as session:
        if session.get_bind().dialect.name != "postgresql":
            return False
        if not await session.scalar(text("SELECT pg_try_advisory_xact_lock(:lock)"), {"lock": LOCK}):
            return False
        if not await stale(session):
            return False
        await pg_lexemes.refresh(session)
        return True


async def keep_current(sessions: async_sessionmaker[AsyncSession], every: float = CHECK_SECONDS) -> None:
    """Run until cancelled: look at start, then every ``every`` seconds; a database error waits for the next look."""
    while True:
        try:
            await refresh_if_stale(sessions)
        except (DBAPIError, OSError) as error:
            log.warning("the search word counts were not brought up to date (%s); trying again later", error)
        await asyncio.sleep(every)
