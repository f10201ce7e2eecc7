"""JSON Lines import (batched bulk inserts, FTS5 indexed per batch in bulk, idempotent) and export of entries."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.knowledge import hooks
from copbot.knowledge.interchange.records import EntryRecord, entry_records, parse_line, record_json
from copbot.store import scope
from copbot.store.models import Base, KnowledgeEntry, SearchDocument, Tag

log = logging.getLogger(__name__)

BATCH_SIZE = 5000
"""Entries per transaction: bigger batches mean fewer FTS5 segments to merge."""
_INDEX_TRIGGER = "search_fts_ai"
_INDEX_BATCH = [
    "INSERT INTO search_fts(rowid, title, question, answers, tags) SELECT entry_id, title, question, answers, tags"
    " FROM search_documents WHERE entry_id IN (SELECT value FROM json_each(:ids))",
    "INSERT INTO search_fts_discussion(rowid, discussion) SELECT entry_id, discussion"
    " FROM search_documents WHERE entry_id IN (SELECT value FROM json_each(:ids))",
]
"""SQLite: index a whole batch with one INSERT ... SELECT per FTS5 table instead of a trigger call per row."""
_ENTRIES = Base.metadata.tables["knowledge_entries"]
_MESSAGES = Base.metadata.tables["entry_messages"]
_TAGS = Base.metadata.tables["tags"]
_ENTRY_TAGS = Base.metadata.tables["entry_tags"]
_DOCUMENTS = Base.metadata.tables["search_documents"]
"""Core tables: inserting through them is one executemany per batch, not the ORM's per-row path."""


@dataclass
class ImportReport:
    """What an import did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    """(line number, problem) for every line that was skipped."""


def _same(record: EntryRecord, stored: EntryRecord) -> bool:
    wanted = record if record.created_at is not None else record.model_copy(update={"created_at": stored.created_at})
    wanted = wanted.model_copy(update={"tags": sorted(wanted.tags)})
    return record_json(wanted) == record_json(stored)


async def _replace_changed(session: AsyncSession, records: dict[str, EntryRecord], report: ImportReport) -> int:
    """Drop records already stored unchanged; delete stored entries the batch changes; returns how many."""
    known = dict(
        (
            await session.execute(
                select(KnowledgeEntry.public_id, KnowledgeEntry.id).where(KnowledgeEntry.public_id.in_(list(records)))
            )
        ).all()
    )
    if not known:
        return 0
    stale: list[int] = []
    async for stored in entry_records(session, list(known.values())):
        if _same(records[stored.id], stored):
            del records[stored.id]
            report.unchanged += 1
        else:
            stale.append(known[stored.id])
    for public_id in set(known) & set(records):
        if known[public_id] not in stale:
            stale.append(known[public_id])
    report.updated += len(stale)
    if stale:
        await session.execute(delete(SearchDocument).where(SearchDocument.entry_id.in_(stale)))
        await session.execute(delete(KnowledgeEntry).where(KnowledgeEntry.id.in_(stale)))
    return len(stale)


async def _tag_ids(session: AsyncSession, names: set[str]) -> dict[str, int]:
    if not names:
        return {}
    known = dict((await session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(names)))).all())
    missing = sorted(names - set(known))
    if missing:
        await session.execute(_TAGS.insert(), [{"name": name} for name in missing])
        known.update(
            {row[0]: row[1] for row in await session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(missing)))}
        )
    return known


async def _insert_rows(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows in one executemany; on SQLite straight through the driver (columns' own bind processing)."""
    dialect = session.get_bind().dialect
    if not rows:
        return
    if dialect.name != "sqlite":
        await session.execute(table.insert(), rows)
        return
    names = list(rows[0])
    processors = [(name, table.c[name].type.bind_processor(dialect)) for name in names]
    values = [tuple(row[name] if bind is None else bind(row[name]) for name, bind in processors) for row in rows]
    statement = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    connection = await session.connection()
    await connection.exec_driver_sql(statement, values)


async def _defer_indexing(session: AsyncSession) -> str | None:
    """SQLite: drop the insert trigger inside this transaction and return its SQL (None elsewhere).

    DDL is transactional in SQLite: other connections never see the trigger missing, and a failed batch rolls back
    with the trigger in place, so an import that fails can simply be run again. The batch's first INSERT must come
    before this: Python's sqlite3 opens the transaction only at a data change, so DDL before it would autocommit.
    """
    if session.get_bind().dialect.name != "sqlite":
        return None
    found = text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name")
    trigger: str | None = await session.scalar(found, {"name": _INDEX_TRIGGER})
    if trigger is not None:
        await session.execute(text(f"DROP TRIGGER {_INDEX_TRIGGER}"))
    return trigger


async def _index_batch(session: AsyncSession, ids: list[int], trigger: str) -> None:
    """Index the batch's search documents in bulk, then put the trigger back (same transaction)."""
    for statement in _INDEX_BATCH:
        await session.execute(text(statement), {"ids": json.dumps(ids)})
    await session.execute(text(trigger))


async def _insert_batch(session: AsyncSession, records: list[EntryRecord]) -> list[int]:
    now = scope.now(session)
    entry_rows = [
        {
            "public_id": r.id, "kind": r.kind, "title": r.title, "question": r.question, "summary": r.summary,
            "resource_url": r.resource_url, "activity": r.activity, "solved": r.solved, "captured_via": "import",
            "source_platform": r.source.platform if r.source else "",
            "source_room": r.source.room if r.source else None,
            "source_url": r.source.url if r.source else None,
            "thread_id": None, "created_by_id": None, "created_at": r.created_at or now, "updated_at": now,
        }
        for r in records
    ]  # fmt: skip
    await _insert_rows(session, _ENTRIES, entry_rows)
    wanted = select(KnowledgeEntry.public_id, KnowledgeEntry.id).where(
        KnowledgeEntry.public_id.in_([r.id for r in records])
    )
    known: dict[str, int] = {row[0]: row[1] for row in await session.execute(wanted)}
    ids = [known[r.id] for r in records]
    messages: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []
    tags = await _tag_ids(session, {name for r in records for name in r.tags})
    links = [{"entry_id": entry_id, "tag_id": tags[name]} for entry_id, r in zip(ids, records, strict=True)
             for name in r.tags]  # fmt: skip
    for entry_id, r in zip(ids, records, strict=True):
        texts = [("question", "", r.question, r.created_at)]
        texts += [("answer", "", answer, None) for answer in r.answers]
        texts += [("message", m.author, m.text, m.created_at) for m in r.messages]
        messages.extend(
            {"entry_id": entry_id, "role": role, "position": position, "author_id": None, "author_name": author,
             "external_id": None, "text": body, "created_at": when}
            for position, (role, author, body, when) in enumerate(texts)
        )  # fmt: skip
        documents.append(
            {"entry_id": entry_id, "title": r.title, "question": "\n".join(filter(None, [r.question, r.summary])),
             "answers": "\n".join(r.answers), "discussion": "\n".join(m.text for m in r.messages),
             "tags": " ".join(r.tags)}
        )  # fmt: skip
    await _insert_rows(session, _MESSAGES, messages)
    if links:
        await _insert_rows(session, _ENTRY_TAGS, links)
    trigger = await _defer_indexing(session)
    await _insert_rows(session, _DOCUMENTS, documents)
    if trigger is not None:
        await _index_batch(session, ids, trigger)
    hooks.note_changed(session, ids)
    return ids


async def import_lines(
    sessions: async_sessionmaker[AsyncSession],
    lines: Iterable[str],
    *,
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[int], object] | None = None,
) -> ImportReport:
    """Import JSON lines, one transaction per batch; bad lines are reported by number and skipped."""
    report = ImportReport()
    batch: dict[str, EntryRecord] = {}

    async def flush() -> None:
        if not batch:
            return
        async with sessions.begin() as session:
            replaced = await _replace_changed(session, batch, report)
            report.created += len(batch) - replaced
            if batch:
                await _insert_batch(session, list(batch.values()))
        if on_progress is not None:
            on_progress(len(batch))
        batch.clear()

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = parse_line(line)
        except ValueError as error:
            report.errors.append((number, str(error)))
            log.warning("line %d skipped: %s", number, error)
            continue
        if record.id in batch:
            await flush()
        batch[record.id] = record
        if len(batch) >= batch_size:
            await flush()
    await flush()
    if report.created + report.updated >= ANALYZE_AFTER:
        await _refresh_statistics(sessions)
    return report


ANALYZE_AFTER = 1_000
"""After an import this large, PostgreSQL's planner and search statistics are refreshed at once."""


async def _refresh_statistics(sessions: async_sessionmaker[AsyncSession]) -> None:
    """On PostgreSQL, ANALYZE the searched table so search sees the new words' frequencies (autovacuum may lag)."""
    async with sessions.begin() as session:
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(text("ANALYZE search_documents"))


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
