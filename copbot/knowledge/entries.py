"""Knowledge entries: save (idempotently), read, edit and delete them, and keep their search text honest."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from copbot.core.words import normalise_tags
from copbot.knowledge import hooks
from copbot.knowledge.search.excerpt import searchable
from copbot.members.visibility import Audience, content_visible, entry_visible, message_visible
from copbot.store import scope
from copbot.store.models import EntryMessage, EntryNumber, EntryTag, KnowledgeEntry, SearchDocument, Tag, Thread

log = logging.getLogger(__name__)


@dataclass
class DraftMessage:
    """A message to keep in an entry (an answer or another useful message)."""

    author_name: str
    text: str
    created_at: datetime | None = None
    author_id: int | None = None
    external_id: str | None = None


@dataclass
class EntryDraft:
    """Everything an entry is made of, before it is saved."""

    title: str
    question: str
    answers: list[DraftMessage] = field(default_factory=list)
    messages: list[DraftMessage] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    kind: str = "question"
    summary: str = ""
    activity: str | None = None
    solved: bool = True
    captured_via: str = "import"
    source_platform: str = ""
    source_room: str | None = None
    source_public: bool = True
    """Whether the place it came from is public (the adapter says); a private place's entry stays there."""
    source_url: str | None = None
    thread_id: int | None = None
    public_id: str | None = None
    created_at: datetime | None = None
    resource_url: str | None = None
    created_by_id: int | None = None
    question_author_id: int | None = None
    question_external_id: str | None = None
    question_author_name: str = ""


async def _find(session: AsyncSession, draft: EntryDraft) -> KnowledgeEntry | None:
    conditions = []
    if draft.thread_id is not None:
        conditions.append(KnowledgeEntry.thread_id == draft.thread_id)
    if draft.public_id:
        conditions.append(KnowledgeEntry.public_id == draft.public_id)
    if not conditions:
        return None
    query = select(KnowledgeEntry).where(or_(*conditions)).options(selectinload(KnowledgeEntry.messages))
    return (await session.scalars(query)).first()


async def _set_tags(session: AsyncSession, entry_id: int, tags: list[str]) -> None:
    names = normalise_tags(tags)
    await session.execute(delete(EntryTag).where(EntryTag.entry_id == entry_id))
    if not names:
        return
    known = {tag.name: tag.id for tag in await session.scalars(select(Tag).where(Tag.name.in_(names)))}
    for name in names:
        if name not in known:
            tag = Tag(name=name)
            session.add(tag)
            await session.flush()
            known[name] = tag.id
    session.add_all(EntryTag(entry_id=entry_id, tag_id=known[name]) for name in names)


def _message_rows(draft: EntryDraft) -> list[EntryMessage]:
    rows = [
        EntryMessage(
            role="question",
            position=0,
            author_id=draft.question_author_id,
            author_name=draft.question_author_name,
            external_id=draft.question_external_id,
            text=draft.question,
            created_at=draft.created_at,
        )
    ]
    for role, group in (("answer", draft.answers), ("message", draft.messages)):
        for message in group:
            rows.append(
                EntryMessage(
                    role=role,
                    position=len(rows),
                    author_id=message.author_id,
                    author_name=message.author_name,
                    external_id=message.external_id,
                    text=message.text,
                    created_at=message.created_at,
                )
            )
    return rows


async def save_entry(session: AsyncSession, draft: EntryDraft) -> tuple[KnowledgeEntry, bool]:
    """Create the entry, or update the one with the same thread or public id; returns (entry, created)."""
    entry = await _find(session, draft)
    created = entry is None
    now = scope.now(session)
    if entry is None:
        entry = KnowledgeEntry(public_id=draft.public_id or f"tmp-{secrets.token_hex(8)}", created_at=now)
        entry.messages = []
        session.add(entry)
    entry.kind = draft.kind
    entry.title = draft.title[:2000]
    entry.question = draft.question
    entry.summary = draft.summary
    entry.resource_url = draft.resource_url
    entry.activity = draft.activity
    entry.solved = draft.solved
    entry.captured_via = draft.captured_via
    entry.source_platform = draft.source_platform
    entry.source_room = draft.source_room
    entry.source_public = draft.source_public
    entry.source_url = draft.source_url
    entry.thread_id = draft.thread_id if draft.thread_id is not None else entry.thread_id
    entry.created_by_id = draft.created_by_id if draft.created_by_id is not None else entry.created_by_id
    if draft.created_at is not None:
        entry.created_at = draft.created_at
    entry.updated_at = now
    entry.messages.clear()
    await session.flush()
    entry.messages.extend(_message_rows(draft))
    await session.flush()
    if created and not draft.public_id:
        entry.public_id = await _fresh_public_id(session)
    await _set_tags(session, entry.id, draft.tags)
    await session.flush()
    await refresh_search_document(session, entry.id)
    log.debug("%s entry %s", "created" if created else "updated", entry.public_id)
    return entry, created


async def _fresh_public_id(session: AsyncSession) -> str:
    """``kbN`` from a counter that never goes back (AUTOINCREMENT, a sequence), so no id is ever given twice."""
    number = EntryNumber()
    session.add(number)
    await session.flush()
    await session.execute(delete(EntryNumber).where(EntryNumber.id < number.id))
    candidate = f"kb{number.id}"
    taken = await session.scalar(select(KnowledgeEntry.id).where(KnowledgeEntry.public_id == candidate))
    return candidate if taken is None else f"kb{number.id}-{secrets.token_hex(2)}"


async def get_entry(session: AsyncSession, public_id: str) -> KnowledgeEntry | None:
    """The entry with this public id, with its messages loaded."""
    query = (
        select(KnowledgeEntry)
        .where(KnowledgeEntry.public_id == public_id)
        .options(selectinload(KnowledgeEntry.messages))
    )
    return (await session.scalars(query)).first()


async def meant_public_id(session: AsyncSession, typed: str) -> str:
    """The entry id a member meant: ``typed`` when an entry has it, else ``kb<typed>`` for a bare number that names
    one (search results show ``[kb12]``; members type ``12``)."""
    if not typed.isdigit():
        return typed
    found = set(
        await session.scalars(
            select(KnowledgeEntry.public_id).where(KnowledgeEntry.public_id.in_([typed, f"kb{typed}"]))
        )
    )
    return typed if typed in found or f"kb{typed}" not in found else f"kb{typed}"


async def shown_entry(
    session: AsyncSession, public_id: str, audience: Audience
) -> tuple[KnowledgeEntry, list[EntryMessage]] | None:
    """The entry as ``audience`` may see it, with only its visible messages; None if it may not see it at all."""
    query = select(KnowledgeEntry).where(KnowledgeEntry.public_id == public_id, entry_visible(audience))
    entry = await session.scalar(query)
    if entry is None:
        return None
    messages = await session.scalars(
        select(EntryMessage)
        .where(EntryMessage.entry_id == entry.id, message_visible())
        .order_by(EntryMessage.position, EntryMessage.id)
    )
    return entry, list(messages)


async def entry_tags(session: AsyncSession, entry_id: int) -> list[str]:
    """The tag names of an entry, sorted."""
    rows = await session.scalars(
        select(Tag.name).join(EntryTag, EntryTag.tag_id == Tag.id).where(EntryTag.entry_id == entry_id)
    )
    return sorted(rows)


async def delete_entry(session: AsyncSession, public_id: str) -> bool:
    """Delete an entry and everything hanging off it; returns whether it existed."""
    entry = await get_entry(session, public_id)
    if entry is None:
        return False
    await session.execute(delete(SearchDocument).where(SearchDocument.entry_id == entry.id))
    await session.delete(entry)
    await session.flush()
    return True


async def edit_entry(
    session: AsyncSession,
    public_id: str,
    *,
    title: str | None = None,
    tags: list[str] | None = None,
    summary: str | None = None,
) -> KnowledgeEntry | None:
    """Change an entry's title, tags or summary; returns the entry, or None if there is none."""
    entry = await get_entry(session, public_id)
    if entry is None:
        return None
    if title is not None:
        entry.title = title
    if summary is not None:
        entry.summary = summary
    if tags is not None:
        await _set_tags(session, entry.id, tags)
    entry.updated_at = scope.now(session)
    await session.flush()
    await refresh_search_document(session, entry.id)
    return entry


async def refresh_search_document(session: AsyncSession, entry_id: int) -> None:
    """Rebuild the entry's searchable text from what the visibility rule lets anyone see."""
    entry = await session.get(KnowledgeEntry, entry_id)
    if entry is None:
        return
    shown = await session.scalars(
        select(EntryMessage)
        .where(EntryMessage.entry_id == entry_id, message_visible())
        .order_by(EntryMessage.position, EntryMessage.id)
    )
    parts: dict[str, list[str]] = {"question": [], "answer": [], "message": []}
    for message in shown:
        parts.setdefault(message.role, []).append(message.text)
    hidden_entry = select(KnowledgeEntry.id).where(KnowledgeEntry.id == entry_id, not_(content_visible()))
    hidden = await session.scalar(hidden_entry) is not None
    document = await session.get(SearchDocument, entry_id)
    hooks.note_changed(session, [entry_id])
    if hidden:
        if document is not None:
            await session.delete(document)
            await session.flush()
        return
    values = searchable(
        title=entry.title,
        question="\n".join([*parts["question"], entry.summary]).strip(),
        answers="\n".join(parts["answer"]),
        discussion="\n".join(parts["message"]),
        tags=" ".join(await entry_tags(session, entry_id)),
    )
    if document is None:
        session.add(SearchDocument(entry_id=entry_id, **values))
    else:
        for name, value in values.items():
            setattr(document, name, value)
    await session.flush()


async def accepted_answers(session: AsyncSession, thread: Thread) -> set[str]:
    """The message ids the thread's entry already holds as accepted answers."""
    rows = await session.scalars(
        select(EntryMessage.external_id)
        .join(KnowledgeEntry, KnowledgeEntry.id == EntryMessage.entry_id)
        .where(KnowledgeEntry.thread_id == thread.id, EntryMessage.role == "answer")
    )
    return {ident for ident in rows if ident}
