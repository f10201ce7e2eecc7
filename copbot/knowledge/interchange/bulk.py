"""Bulk insertion of imported entries: one executemany per table and batch, FTS5 indexed per batch in bulk."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Table, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.knowledge import hooks
from copbot.knowledge.interchange.records import EntryRecord, MessageRecord, member_ids
from copbot.knowledge.search.excerpt import searchable
from copbot.store import scope
from copbot.store.base import Base
from copbot.store.inserts import insert_rows
from copbot.store.models import KnowledgeEntry, Tag

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


async def _tag_ids(session: AsyncSession, names: set[str]) -> dict[str, int]:
    if not names:
        return {}
    known = dict((await session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(names)))).all())
    missing = sorted(names - set(known))
    if missing:
        await _insert_rows(session, _TAGS, [{"name": name} for name in missing])
        known.update(
            {row[0]: row[1] for row in await session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(missing)))}
        )
    return known


async def _insert_rows(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows in ``session``'s transaction, in as few statements as the store allows."""
    await insert_rows(await session.connection(), table, rows)


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


async def insert_batch(
    session: AsyncSession, records: list[EntryRecord], threads: dict[str, int | None] | None = None
) -> list[int]:
    now = scope.now(session)
    entry_rows = [
        {
            "public_id": r.id, "kind": r.kind, "title": r.title, "question": r.question, "summary": r.summary,
            "resource_url": r.resource_url, "activity": r.activity, "solved": r.solved, "captured_via": "import",
            "source_platform": r.source.platform if r.source else "",
            "source_room": r.source.room if r.source else None,
            "source_public": r.source.public if r.source else True,
            "source_url": r.source.url if r.source else None,
            "thread_id": (threads or {}).get(r.id), "created_by_id": None, "created_at": r.created_at or now,
            "updated_at": now,
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
    people = await member_ids(session, records)
    for entry_id, r in zip(ids, records, strict=True):
        platform = r.source.platform if r.source else ""
        asked = MessageRecord(author=r.asked_by, author_id=r.asked_by_id, text=r.question, created_at=r.created_at)
        texts = [("question", asked), *(("answer", a) for a in r.answers), *(("message", m) for m in r.messages)]
        messages.extend(
            {"entry_id": entry_id, "role": role, "position": position,
             "author_id": people.get((platform, m.author_id or "")), "author_name": m.author,
             "external_id": None, "text": m.text, "created_at": m.created_at}
            for position, (role, m) in enumerate(texts)
        )  # fmt: skip
        documents.append(
            {"entry_id": entry_id} | searchable(
                title=r.title, question="\n".join(filter(None, [r.question, r.summary])),
                answers="\n".join(a.text for a in r.answers), discussion="\n".join(m.text for m in r.messages),
                tags=" ".join(r.tags))
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
