"""The backfill itself: each named source's history through the batched ingest, checkpointed in the same commit."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tqdm import tqdm

from copbot.backfill.queue import Queue
from copbot.config.settings import Settings
from copbot.conversations.ingest import write_batch
from copbot.core.adapter import HistoryReader, PastMessage, PastSource
from copbot.knowledge.capture import is_command_text
from copbot.store import scope
from copbot.store.backfill import BackfillCheckpoint, BackfillRow
from copbot.store.models import Member

log = logging.getLogger(__name__)

CHUNK = 1000
ATTEMPTS = 3
"""A chunk that collides with a live write is tried again: the second look finds the live row and skips it."""
"""Messages read per transaction: one bulk insert, and the checkpoint moves with it."""
NOTICE = (
    "copbot is reading this channel's past messages so that questions already answered here can be found "
    "with {search}. Bots and members who opted out are skipped; to keep your messages out, use {privacy}."
)


@dataclass(slots=True)
class Outcome:
    """What a backfill did to each source, and the candidates it queued."""

    stored: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    candidates: int = 0
    accepted: int = 0


@dataclass(slots=True)
class Backfill:
    """One backfill run over a reader's sources; ``sessions`` is the bot's database."""

    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    queue: Queue
    chunk: int = CHUNK
    ignored: frozenset[str] = frozenset()
    """Platform ids never stored (the bot itself, ``[matrix] ignore_users``)."""
    progress: bool = True
    since: datetime | None = None
    """Messages older than this are passed over (counted as skipped)."""
    on_chunk: Callable[[int], None] | None = None
    """Called after each committed chunk with its size (tests stop a run here)."""

    async def run(self, reader: HistoryReader, rooms: Sequence[str]) -> Outcome:
        """Backfill every source of ``rooms`` that ``[backfill] channels`` names, then queue answered threads."""
        outcome = Outcome()
        for source in await reader.sources(rooms):
            if self.settings.backfill.channel(source.place.room) is None and (
                self.settings.backfill.channel(source.key) is None
            ):
                continue
            stored, skipped = await self._source(reader, source)
            outcome.stored[source.key], outcome.skipped[source.key] = stored, skipped
            if source.solved:
                await self.queue.mark_source_solved(reader, source)
        found = await self.queue.detect(reader)
        outcome.candidates, outcome.accepted = found
        return outcome

    async def _source(self, reader: HistoryReader, source: PastSource) -> tuple[int, int]:
        platform = source.place.platform
        async with self.sessions.begin() as session:
            point = await _checkpoint(session, source)
            skip, after, stored_before = point.position, point.last_message_id, point.stored
            if self.settings.backfill.notice and skip == 0 and source.place.thread is None:
                prefix = self.settings.bot.command_prefix if platform == "matrix" else "/"
                text = NOTICE.format(search=f"{prefix}search", privacy=f"{prefix}privacy stop")
                await reader.announce(source.place, text)
            opted_out = set(
                await session.scalars(
                    select(Member.external_id).where(Member.platform == platform, Member.capture_opt_out.is_(True))
                )
            )
        name, start = source.name or source.key, min(skip, source.total or skip)
        bar = tqdm(total=source.total, initial=start, unit="msg", desc=name, file=sys.stderr, disable=not self.progress)
        stored = skipped = 0
        chunk: list[PastMessage] = []
        try:
            async for message in reader.messages(source, skip=skip, after=after):
                chunk.append(message)
                if len(chunk) >= self.chunk:
                    fresh, dropped = await self._commit(reader, source, chunk, opted_out)
                    stored, skipped = stored + fresh, skipped + dropped
                    bar.update(len(chunk))
                    chunk = []
            fresh, dropped = await self._commit(reader, source, chunk, opted_out, done=True)
            stored, skipped = stored + fresh, skipped + dropped
            bar.update(len(chunk))
        finally:
            bar.close()
        log.info("backfilled %s: %d stored (%d before), %d skipped", source.key, stored, stored_before, skipped)
        return stored, skipped

    def _keeps(self, message: PastMessage, opted_out: set[str]) -> bool:
        author = message.event.author
        if message.system or author.is_bot or author.id in self.ignored or author.id in opted_out:
            return False
        if self.since is not None and message.event.created_at < self.since:
            return False
        text = message.event.text
        return bool(text.strip()) and not is_command_text(text, self.settings.bot.command_prefix)

    async def _commit(
        self,
        reader: HistoryReader,
        source: PastSource,
        chunk: list[PastMessage],
        opted_out: set[str],
        *,
        done: bool = False,
    ) -> tuple[int, int]:
        kept = [message for message in chunk if self._keeps(message, opted_out)]
        for attempt in range(ATTEMPTS):
            try:
                return await self._write(reader, source, chunk, kept, done)
            except IntegrityError:  # the live bot stored one of these messages (or an author) at the same moment
                if attempt + 1 == ATTEMPTS:
                    raise
                log.debug("a backfill chunk met a live write; trying it again", exc_info=True)
        raise AssertionError("unreachable")

    async def _write(
        self, reader: HistoryReader, source: PastSource, chunk: list[PastMessage], kept: list[PastMessage], done: bool
    ) -> tuple[int, int]:
        async with self.sessions.begin() as session:
            point = await _checkpoint(session, source)
            await _create_members(session, source.place.platform, kept)
            results = await write_batch(session, [(m.event, None) for m in kept], None) if kept else []
            fresh = [(message, result) for message, result in zip(kept, results, strict=True) if result.fresh]
            rows = [{"kind": "message", "row_id": result.tracked.message.id} for _, result in fresh]
            rows += [
                {"kind": "thread", "row_id": result.tracked.thread.id}
                for _, result in fresh
                if result.tracked.new_thread and result.tracked.thread is not None
            ]
            if rows:
                await session.execute(insert(BackfillRow), rows)
            await self.queue.note_marks(session, reader, source, kept, results)
            point.position += len(chunk)
            point.stored += len(fresh)
            point.last_message_id = chunk[-1].event.id if chunk else point.last_message_id
            point.done = done
            point.updated_at = scope.now(session)
        if self.on_chunk is not None and chunk:
            self.on_chunk(len(chunk))
        return len(fresh), len(chunk) - len(kept)


async def _create_members(session: AsyncSession, platform: str, kept: Sequence[PastMessage]) -> None:
    """New authors in one statement (a history brings many at once; ingest then finds them all stored)."""
    authors = {message.event.author.id: message.event.author for message in kept}
    if not authors:
        return
    known = select(Member.external_id).where(Member.platform == platform, Member.external_id.in_(authors))
    new = set(authors) - set(await session.scalars(known))
    if new:
        rows = [{"platform": platform, "external_id": ident, "display_name": authors[ident].name,
                 "is_bot": authors[ident].is_bot, "capture_opt_out": False, "suggest_opt_in": False,
                 "created_at": scope.now(session)} for ident in new]  # fmt: skip
        dialect = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
        await session.execute(dialect(Member).on_conflict_do_nothing(), rows)


async def _checkpoint(session: AsyncSession, source: PastSource) -> BackfillCheckpoint:
    platform, key = source.place.platform, source.key
    where = (BackfillCheckpoint.platform == platform, BackfillCheckpoint.source == key)
    point = await session.scalar(select(BackfillCheckpoint).where(*where))
    if point is None:
        point = BackfillCheckpoint(platform=platform, source=key, room=source.place.room, position=0, stored=0,
                                   done=False, updated_at=scope.now(session))  # fmt: skip
        session.add(point)
        await session.flush()
    return point
