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

from copbot.core.words import normalise_tags
from copbot.store.models import EntryMessage, EntryTag, KnowledgeEntry, Member, Tag

log = logging.getLogger(__name__)


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore")


class MessageRecord(_Record):
    """One message of an entry."""

    author: str = ""
    text: str
    created_at: AwareDatetime | None = None

    _utc_time = field_validator("created_at")(_utc)


class SourceRecord(_Record):
    """Where an entry came from."""

    platform: str = ""
    url: str | None = None
    room: str | None = None


class EntryRecord(_Record):
    """One line of the JSON Lines format; ``id``, ``title`` and ``question`` are required."""

    id: str = Field(min_length=1, max_length=128)
    title: str
    question: str
    answers: list[str] = Field(default_factory=list)
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

    @field_validator("tags")
    @classmethod
    def _clean_tags(cls, value: list[str]) -> list[str]:
        return normalise_tags(value)


def parse_line(line: str) -> EntryRecord:
    """One JSON line as a record; raises ValueError naming the first problem."""
    try:
        return EntryRecord.model_validate_json(line)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"{where}: {first['msg']}" if where else str(first["msg"])) from None


def record_json(record: EntryRecord) -> dict[str, Any]:
    """The record as plain JSON data, in the canonical export shape."""
    data: dict[str, Any] = json.loads(record.model_dump_json())
    return data


async def entry_records(session: AsyncSession, entry_ids: Sequence[int]) -> AsyncIterator[EntryRecord]:
    """The entries with these ids as records, leaving out members who opted out and deleted text."""
    if not entry_ids:
        return
    entries = list(await session.scalars(select(KnowledgeEntry).where(KnowledgeEntry.id.in_(entry_ids))))
    rows = await session.execute(
        select(EntryMessage, Member.capture_opt_out)
        .outerjoin(Member, Member.id == EntryMessage.author_id)
        .where(EntryMessage.entry_id.in_(entry_ids))
        .order_by(EntryMessage.entry_id, EntryMessage.position, EntryMessage.id)
    )
    messages: dict[int, list[tuple[EntryMessage, bool]]] = defaultdict(list)
    for message, opted_out in rows:
        messages[message.entry_id].append((message, bool(opted_out)))
    tags: dict[int, list[str]] = defaultdict(list)
    tag_rows = await session.execute(
        select(EntryTag.entry_id, Tag.name).join(Tag, Tag.id == EntryTag.tag_id).where(EntryTag.entry_id.in_(entry_ids))
    )
    for entry_id, name in tag_rows:
        tags[entry_id].append(name)
    for entry in sorted(entries, key=lambda item: item.id):
        kept = messages[entry.id]
        if any(message.role == "question" and opted_out for message, opted_out in kept):
            continue
        visible = [message for message, opted_out in kept if not opted_out and message.text.strip()]
        yield EntryRecord(
            id=entry.public_id,
            title=entry.title,
            question=entry.question,
            answers=[message.text for message in visible if message.role == "answer"],
            messages=[
                MessageRecord(author=message.author_name, text=message.text, created_at=message.created_at)
                for message in visible
                if message.role == "message"
            ],
            tags=sorted(tags[entry.id]),
            source=SourceRecord(platform=entry.source_platform, url=entry.source_url, room=entry.source_room)
            if entry.source_platform or entry.source_url or entry.source_room
            else None,
            created_at=entry.created_at,
            kind=entry.kind,
            summary=entry.summary,
            activity=entry.activity,
            solved=entry.solved,
            resource_url=entry.resource_url,
        )
