"""JSON Lines import (batched bulk inserts, FTS5 indexed per batch in bulk, idempotent) and export of entries."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.knowledge.interchange.bulk import BATCH_SIZE, insert_batch
from copbot.knowledge.interchange.reading import read_lines
from copbot.knowledge.interchange.records import EntryRecord, entry_records, record_json
from copbot.knowledge.search import pg_lexemes
from copbot.store.models import KnowledgeEntry, SearchDocument

log = logging.getLogger(__name__)


@dataclass
class ImportReport:
    """What an import did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    """(line number, problem) for every line that was skipped."""
    renamed: list[tuple[str, str]] = field(default_factory=list)
    """(id in the file, id given) for lines whose id a captured entry here already has, imported under a new id."""

    def add(self, other: ImportReport) -> None:
        """Count what a committed batch did."""
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.errors += other.errors
        self.renamed += other.renamed


FOREIGN_PREFIX = "import-"
"""An imported line whose id a captured entry here has (another instance's ``kbN``) gets this prefix."""


def _same(record: EntryRecord, stored: EntryRecord) -> bool:
    wanted = record if record.created_at is not None else record.model_copy(update={"created_at": stored.created_at})
    wanted = wanted.model_copy(update={"tags": sorted(wanted.tags)})
    return record_json(wanted) == record_json(stored)


async def _stored(session: AsyncSession, public_ids: list[str]) -> dict[str, tuple[int, str, int | None]]:
    """public id -> (entry id, how it was captured, its thread) for the entries that already have these ids."""
    rows = await session.execute(
        select(KnowledgeEntry.public_id, KnowledgeEntry.id, KnowledgeEntry.captured_via, KnowledgeEntry.thread_id)
        .where(KnowledgeEntry.public_id.in_(public_ids))
    )  # fmt: skip
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


async def _unchanged(session: AsyncSession, records: dict[str, EntryRecord], ids: list[int]) -> set[str]:
    return {stored.id async for stored in entry_records(session, ids) if _same(records[stored.id], stored)}


async def _rename_foreign(
    session: AsyncSession, records: dict[str, EntryRecord], report: ImportReport
) -> dict[str, EntryRecord]:
    """Give a new id to each record whose id a captured (not imported) entry has and whose content differs."""
    known = await _stored(session, list(records))
    captured = {public_id: found[0] for public_id, found in known.items() if found[1] != "import"}
    if not captured:
        return records
    same = await _unchanged(session, records, list(captured.values()))
    renamed: dict[str, EntryRecord] = {}
    for public_id, record in records.items():
        if public_id in captured and public_id not in same:
            new_id = FOREIGN_PREFIX + public_id
            report.renamed.append((public_id, new_id))
            record = record.model_copy(update={"id": new_id})
        renamed.setdefault(record.id, record)
    return renamed


async def _replace_changed(
    session: AsyncSession, records: dict[str, EntryRecord], report: ImportReport
) -> dict[str, int | None]:
    """Drop records already stored unchanged; delete stored entries the batch changes; returns their thread links."""
    known = await _stored(session, list(records))
    if not known:
        return {}
    same = await _unchanged(session, records, [found[0] for found in known.values()])
    for public_id in same:
        del records[public_id]
        report.unchanged += 1
    stale = {public_id: known[public_id] for public_id in set(known) & set(records)}
    report.updated += len(stale)
    if stale:
        ids = [found[0] for found in stale.values()]
        await session.execute(delete(SearchDocument).where(SearchDocument.entry_id.in_(ids)))
        await session.execute(delete(KnowledgeEntry).where(KnowledgeEntry.id.in_(ids)))
    return {public_id: found[2] for public_id, found in stale.items()}


async def _store(
    sessions: async_sessionmaker[AsyncSession], records: dict[str, EntryRecord], replace: bool
) -> ImportReport:
    """Store one batch in one transaction; what it did is returned only once committed."""
    done = ImportReport()
    async with sessions.begin() as session:
        if not replace:
            records = await _rename_foreign(session, records, done)
        threads = await _replace_changed(session, records, done)
        done.created += len(records) - len(threads)
        if records:
            await insert_batch(session, list(records.values()), threads)
    return done


async def import_lines(
    sessions: async_sessionmaker[AsyncSession],
    lines: Iterable[str | bytes],
    *,
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[int], object] | None = None,
    replace: bool = False,
) -> ImportReport:
    """Import JSON lines, one transaction per batch; bad lines are reported by number and skipped.

    A line whose id a captured entry here has is imported under ``FOREIGN_PREFIX`` + id (another instance's
    ``kbN``), unless it equals that entry or ``replace`` is set, which replaces the entry and keeps its thread link.
    A batch the database refuses is stored again one line per transaction, so only the refused lines are lost.
    """
    report = ImportReport()
    batch: dict[str, tuple[int, EntryRecord]] = {}

    async def flush() -> None:
        if not batch:
            return
        try:
            report.add(await _store(sessions, {key: record for key, (_, record) in batch.items()}, replace))
        except DBAPIError:
            log.warning("a batch of %d lines was refused; storing them one by one", len(batch), exc_info=True)
            for key, (number, record) in batch.items():
                try:
                    report.add(await _store(sessions, {key: record}, replace))
                except DBAPIError as error:
                    report.errors.append((number, f"the database refused it: {error.orig}"))
        if on_progress is not None:
            on_progress(len(batch))
        batch.clear()

    for line in read_lines(lines):
        if line.record is None:
            report.errors.append((line.number, line.problem or "unreadable"))
            log.debug("line %d skipped: %s", line.number, line.problem)
            continue
        batch[line.record.id] = (line.number, line.record)
        if len(batch) >= batch_size:
            await flush()
    await flush()
    report.errors.sort()
    if report.created + report.updated >= ANALYZE_AFTER:
        await _refresh_statistics(sessions)
    return report


ANALYZE_AFTER = 1_000
"""After an import this large, PostgreSQL's planner and search statistics are refreshed at once."""


async def _refresh_statistics(sessions: async_sessionmaker[AsyncSession]) -> None:
    """On PostgreSQL, ANALYZE the searched table and count its lexemes again, so search sees the new words'
    frequencies (autovacuum may lag) without counting them itself."""
    async with sessions.begin() as session:
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(text("ANALYZE search_documents"))
            await pg_lexemes.refresh(session)


async def export_lines(
    sessions: async_sessionmaker[AsyncSession], *, batch_size: int = BATCH_SIZE
) -> AsyncIterator[str]:
    """Every entry as one JSON line, oldest id first."""
    last = 0
    while True:
        async with sessions() as session:
            ids = list(await session.scalars(
                select(KnowledgeEntry.id).where(KnowledgeEntry.id > last).order_by(KnowledgeEntry.id).limit(batch_size)
            ))  # fmt: skip
            if not ids:
                return
            async for record in entry_records(session, ids):
                yield json.dumps(record_json(record), ensure_ascii=False)
        last = ids[-1]
