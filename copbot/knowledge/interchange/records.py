"""The JSON Lines record of one knowledge entry: validation on import, and building it from the database."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.core.events import Member as EventMember
from copbot.core.text import clean_text
from copbot.core.words import normalise_tags
from copbot.members.visibility import content_visible, message_visible
from copbot.store import chat
from copbot.store.models import EntryMessage, EntryTag, KnowledgeEntry, Member, Tag

log = logging.getLogger(__name__)


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore")

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        """Every text as both stores can hold it (a ``\\u0000`` escape decodes to NUL, which PostgreSQL refuses)."""
        if isinstance(value, str):
            return clean_text(value)
        if isinstance(value, list):
            return [clean_text(item) if isinstance(item, str) else item for item in value]
        return value


class MessageRecord(_Record):
    """One message of an entry, with who wrote it (their platform id keeps attribution and /experts)."""

    author: str = ""
    author_id: str | None = None
    """The author's id on the entry's source platform."""
    text: str
    created_at: AwareDatetime | None = None

    _utc_time = field_validator("created_at")(_utc)


class SourceRecord(_Record):
    """Where an entry came from."""

    platform: str = ""
    url: str | None = None
    room: str | None = None
    public: bool = True
    """False: the entry came from a private room and is seen only there (and where ``[knowledge] share`` says)."""


class EntryRecord(_Record):
    """One line of the JSON Lines format; ``id``, ``title`` and ``question`` are required."""

    id: str = Field(min_length=1, max_length=128)
    title: str
    question: str
    asked_by: str = ""
    asked_by_id: str | None = None
    answers: list[MessageRecord] = Field(default_factory=list)
    """Accepted answers; a plain string (the older format) is an answer without an author."""
    messages: list[MessageRecord] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    source: SourceRecord | None = None
    created_at: AwareDatetime | None = None
    kind: str = "question"
    summary: str = ""
    activity: str | None = None
    solved: bool = True
    resource_url: str | None = None

    _utc_time = field_validator("created_at")(_utc)

    @field_validator("answers", mode="before")
    @classmethod
    def _plain_answers(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"text": item} if isinstance(item, str) else item for item in value]
        return value

    @field_validator("tags")
    @classmethod
    def _clean_tags(cls, value: list[str]) -> list[str]:
        return normalise_tags(value)


def parse_line(line: str) -> EntryRecord:
    """One JSON line as a record; raises ValueError naming the first problem."""
    try:
        try:
            return EntryRecord.model_validate_json(line)
        except ValidationError as error:
            if error.errors()[0]["type"] != "json_invalid":
                raise
            # Python's parser also takes what the fast one refuses but JSON allows (a lone surrogate escape, which
            # ``clean_text`` then replaces); what it refuses too is reported as the fast parser's error
            try:
                data = json.loads(line)
            except ValueError:
                raise error from None
            return EntryRecord.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"{where}: {first['msg']}" if where else str(first["msg"])) from None


def record_json(record: EntryRecord) -> dict[str, Any]:
    """The record as plain JSON data, in the canonical export shape."""
    data: dict[str, Any] = json.loads(record.model_dump_json())
    return data


def _message(message: EntryMessage, authors: dict[int, str]) -> MessageRecord:
    author_id = authors.get(message.author_id) if message.author_id is not None else None
    return MessageRecord(
        author=message.author_name, author_id=author_id, text=message.text, created_at=message.created_at
    )


async def entry_records(session: AsyncSession, entry_ids: Sequence[int]) -> AsyncIterator[EntryRecord]:
    """The entries with these ids as records, as the visibility rule shows them (no opted-out or deleted text)."""
    if not entry_ids:
        return
    shown = select(KnowledgeEntry).where(KnowledgeEntry.id.in_(entry_ids), content_visible())
    entries = list(await session.scalars(shown))
    rows = await session.scalars(
        select(EntryMessage)
        .where(EntryMessage.entry_id.in_(entry_ids), message_visible())
        .order_by(EntryMessage.entry_id, EntryMessage.position, EntryMessage.id)
    )
    messages: dict[int, list[EntryMessage]] = defaultdict(list)
    for message in rows:
        messages[message.entry_id].append(message)
    member_ids = {m.author_id for group in messages.values() for m in group if m.author_id is not None}
    found = await session.execute(select(Member.id, Member.external_id).where(Member.id.in_(member_ids)))
    authors: dict[int, str] = {row.id: row.external_id for row in found}
    tags: dict[int, list[str]] = defaultdict(list)
    tag_rows = await session.execute(
        select(EntryTag.entry_id, Tag.name).join(Tag, Tag.id == EntryTag.tag_id).where(EntryTag.entry_id.in_(entry_ids))
    )
    for entry_id, name in tag_rows:
        tags[entry_id].append(name)
    for entry in sorted(entries, key=lambda item: item.id):
        kept = messages[entry.id]
        question = next((message for message in kept if message.role == "question"), None)
        asker = _message(question, authors) if question is not None else MessageRecord(text="")
        has_source = entry.source_platform or entry.source_url or entry.source_room or not entry.source_public
        yield EntryRecord(
            id=entry.public_id,
            title=entry.title,
            question=entry.question,
            asked_by=asker.author,
            asked_by_id=asker.author_id,
            answers=[_message(message, authors) for message in kept if message.role == "answer"],
            messages=[_message(message, authors) for message in kept if message.role == "message"],
            tags=sorted(tags[entry.id]),
            source=SourceRecord(
                platform=entry.source_platform, url=entry.source_url, room=entry.source_room, public=entry.source_public
            )
            if has_source
            else None,
            created_at=entry.created_at,
            kind=entry.kind,
            summary=entry.summary,
            activity=entry.activity,
            solved=entry.solved,
            resource_url=entry.resource_url,
        )


async def member_ids(session: AsyncSession, records: Sequence[EntryRecord]) -> dict[tuple[str, str], int]:
    """The members the records' authors are, by (platform, id), created when new, so /experts survives an import."""
    wanted: dict[tuple[str, str], str] = {}
    for record in records:
        platform = record.source.platform if record.source else ""
        if not platform:
            continue
        people = [(record.asked_by_id, record.asked_by), *((m.author_id, m.author) for m in record.answers)]
        people += [(m.author_id, m.author) for m in record.messages]
        for ident, name in people:
            if ident:
                wanted.setdefault((platform, ident), name)
    found: dict[tuple[str, str], int] = {}
    for (platform, ident), name in wanted.items():
        row = await chat.find_member(session, platform, ident)
        row = row or await chat.get_or_create_member(session, platform, EventMember(id=ident, name=name))
        found[(platform, ident)] = row.id
    return found
