"""The thread rules, written once: which conversation each new message joins, decided for a batch in memory."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from copbot.conversations.queries import members_named, messages_named, threads_named
from copbot.conversations.stored import StoredMessage
from copbot.core.events import MessagePosted, Place
from copbot.core.labels import Label
from copbot.store import chat
from copbot.store.base import Base
from copbot.store.inserts import insert_returning
from copbot.store.models import Member, Message, Thread

OPTED_OUT_REASON = "not kept: the author opted out of capture"
TITLE_LENGTH = 120


@dataclass(slots=True)
class Tracked:
    """What tracking made of a message: its stored row, its author and its thread (if it is in one)."""

    message: StoredMessage
    author: Member
    thread: Thread | None
    new_thread: bool


def title_from(text: str) -> str:
    """A short title: the first non-empty line, cut at a word boundary."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first) <= TITLE_LENGTH:
        return first
    return first[:TITLE_LENGTH].rsplit(" ", 1)[0] + "…"


@dataclass(slots=True)
class Row:
    """A message about to be inserted, with the thread it joins (whose id is known only after a flush)."""

    event: MessagePosted
    values: dict[str, Any]
    thread: Thread | None
    new_thread: bool
    in_thread: bool
    """It was in a thread when tracked (a root adopted later in the batch was not)."""
    message: StoredMessage | None = None


@dataclass(slots=True)
class BatchState:
    """Members, messages and threads one batch may touch, loaded in a few queries and kept in step in memory."""

    session: AsyncSession
    members: dict[tuple[str, str], Member] = field(default_factory=dict)
    messages: dict[tuple[str, str], StoredMessage] = field(default_factory=dict)
    threads: dict[tuple[str, str, str], Thread] = field(default_factory=dict)
    thread_by_id: dict[int, Thread] = field(default_factory=dict)
    rows: dict[tuple[str, str], Row] = field(default_factory=dict)
    adopted: dict[tuple[str, str], Thread] = field(default_factory=dict)
    """Stored messages that became the root of a thread in this batch."""
    new_threads: list[Thread] = field(default_factory=list)
    """Threads created in this batch, inserted together by ``insert_threads``."""

    async def insert_threads(self) -> None:
        """Insert the batch's new threads in one statement and give them their ids."""
        await insert_objects(self.session, Thread, self.new_threads, ("platform", "room", "thread_key"))
        for thread in self.new_threads:
            self.thread_by_id[thread.id] = thread

    async def load(self, events: Sequence[MessagePosted]) -> None:
        """Load (or create) the authors and load the referenced messages and threads; flushes new members."""
        by_platform: dict[str, list[MessagePosted]] = defaultdict(list)
        for event in events:
            by_platform[event.place.platform].append(event)
        for platform, group in by_platform.items():
            await self._load_members(platform, group)
            refs = {ref for e in group for ref in (e.id, e.reply_to, e.place.thread) if ref is not None}
            named = {"platform": platform, "refs": list(refs)}
            for row in await self.session.execute(messages_named(), named):
                message = StoredMessage(*row)
                self.messages[(platform, message.external_id)] = message
            rooms = {event.place.room for event in group if event.place.thread or event.reply_to}
            keys = {key for event in group for key in (event.place.thread, event.reply_to) if key is not None}
            named |= {"rooms": list(rooms), "keys": list(keys)}
            for thread in await self.session.scalars(threads_named(), named):
                self.remember(thread)

    async def _load_members(self, platform: str, group: list[MessagePosted]) -> None:
        ids = {event.author.id for event in group}
        for member in await self.session.scalars(members_named(), {"platform": platform, "ids": list(ids)}):
            self.members[(platform, member.external_id)] = member
        newest = {event.author.id: event.author for event in group}  # the newest name wins, as one by one would
        missing = {ident: author for ident, author in newest.items() if (platform, ident) not in self.members}
        if missing:  # created together, so that a concurrent transaction creating one too is fine
            for member in await chat.create_members(self.session, platform, list(missing.values())):
                self.members[(platform, member.external_id)] = member
        for author in newest.values():
            row = self.members[(platform, author.id)]
            if author.name and row.display_name != author.name:
                row.display_name = author.name

    def remember(self, thread: Thread) -> None:
        """Index a loaded or new thread by key (and by id once it has one)."""
        self.threads[(thread.platform, thread.room, thread.thread_key)] = thread
        if thread.id is not None:
            self.thread_by_id[thread.id] = thread

    def get_or_create_thread(
        self, event: MessagePosted, key: str, created_at: datetime, *, platform_thread: bool, **fields: Any
    ) -> tuple[Thread, bool]:
        """As ``chat.get_or_create_thread``, in memory; the new thread is inserted at the next flush."""
        place = event.place
        found = self.threads.get((place.platform, place.room, key))
        if found is not None:
            return found, False
        thread = Thread(
            platform=place.platform,
            room=place.room,
            thread_key=key,
            is_platform_thread=platform_thread,
            root_message_id=fields.get("root_message_id"),
            asker_id=fields.get("asker_id"),
            title=str(fields.get("title", ""))[:300],
            status="open",
            is_help_request=False,
            created_at=created_at,
            last_message_at=created_at,
        )
        self.new_threads.append(thread)
        self.remember(thread)
        return thread, True

    def adopt_root(self, thread: Thread, platform: str) -> None:
        """As tracking does: a thread keyed by a message id starts at that message (stored, or in this batch)."""
        key = (platform, thread.thread_key)
        row, stored = self.rows.get(key), self.messages.get(key)
        if row is not None:
            row.thread = thread
            author_id, text, created_at = row.values["author_id"], row.values["text"], row.values["created_at"]
        elif stored is not None:
            self.adopted[key] = thread
            author_id, text, created_at = stored.author_id, stored.text, stored.created_at
        else:
            return
        thread.root_message_id = thread.thread_key
        thread.asker_id = thread.asker_id or author_id
        thread.title = thread.title or title_from(text)
        thread.created_at = min(thread.created_at, created_at)

    def parent(self, platform: str, external_id: str) -> tuple[Thread | None, datetime] | None:
        """The thread a reply's parent is in (None if in none) and the parent's time; None if the parent is unknown."""
        key = (platform, external_id)
        row = self.rows.get(key)
        if row is not None:
            return row.thread, row.values["created_at"]
        stored = self.messages.get(key)
        if stored is None:
            return None
        thread = self.adopted.get(key) or (self.thread_by_id.get(stored.thread_id) if stored.thread_id else None)
        return thread, stored.created_at

    def stored_thread(self, message: StoredMessage) -> Thread | None:
        """The thread a stored message is in."""
        adopted = self.adopted.get((message.platform, message.external_id))
        return adopted or (self.thread_by_id.get(message.thread_id) if message.thread_id else None)

    def track(self, event: MessagePosted, label: Label | None) -> Row | StoredMessage:
        """Decide ``event``'s thread as ``tracking.track_message`` does; the stored message if already known."""
        platform = event.place.platform
        key = (platform, event.id)
        if key in self.messages:
            return self.messages[key]
        if key in self.rows:
            return self.rows[key]
        author = self.members[(platform, event.author.id)]
        thread: Thread | None = None
        created = False
        if event.place.thread is not None:
            opens = event.opens_thread
            thread, created = self.get_or_create_thread(
                event,
                event.place.thread,
                event.created_at,
                platform_thread=True,
                root_message_id=event.id if opens else None,
                asker_id=author.id if opens else None,
                title=title_from(event.text) if opens else "",
            )
            if created and not opens:
                self.adopt_root(thread, platform)
                if thread.asker_id is None:
                    thread.asker_id = author.id
                    thread.title = thread.title or title_from(event.text)
        elif event.reply_to is not None:
            parent = self.parent(platform, event.reply_to)
            if parent is not None and parent[0] is not None:
                thread = parent[0]
            elif parent is not None:
                thread, created = self.get_or_create_thread(event, event.reply_to, parent[1], platform_thread=False)
                self.adopt_root(thread, platform)
        activity, confidence, reason = (
            (None, None, None) if label is None else (label.activity.value, label.confidence, label.reason)
        )
        if label is not None and author.capture_opt_out:
            reason = OPTED_OUT_REASON  # a member who opted out keeps their words out of storage
        values = {
            "platform": platform,
            "external_id": event.id,
            "room": event.place.room,
            "author_id": author.id,
            "text": "" if author.capture_opt_out else event.text,
            "reply_to": event.reply_to,
            "activity": activity,
            "activity_confidence": confidence,
            "activity_reason": reason,
            "created_at": event.created_at,
            "edited_at": None,
            "deleted_at": None,
        }
        if thread is not None and event.created_at > thread.last_message_at:
            thread.last_message_at = event.created_at
        row = Row(event, values, thread, created, thread is not None)
        self.rows[key] = row
        return row


async def insert_objects(session: AsyncSession, model: type[Base], objects: Sequence[Any], key: Sequence[str]) -> None:
    """Insert new ORM objects with one multi-row INSERT (the unit of work would send one per row with RETURNING),
    give them their ids by ``key``, and attach them to ``session`` so later changes are flushed as updates."""
    if not objects:
        return
    table = cast(Table, model.__table__)
    columns = [column.name for column in table.columns if column.name != "id"]
    values = [{name: getattr(item, name) for name in columns} for item in objects]
    returned = await insert_returning(await session.connection(), table, values, ("id", *key))
    ids = {tuple(row[1:]): row[0] for row in returned}
    for item, row in zip(objects, values, strict=True):
        state = item.__dict__
        for name, value in row.items():  # every column loaded, so reading one never needs the database
            if name not in state:  # (one set when constructed is already there)
                setattr(item, name, value)
        item.id = ids[tuple(getattr(item, name) for name in key)]
        make_transient_to_detached(item)
        session.add(item)


async def own_thread(session: AsyncSession, message: Message) -> Thread:
    """A thread of its own for a message with no thread or reply chain around it (a message pinned alone)."""
    place = Place(message.platform, message.room, message.external_id)
    thread, _ = await chat.get_or_create_thread(
        session, place, message.external_id, created_at=message.created_at, is_platform_thread=False,
        root_message_id=message.external_id, title=title_from(message.text),
    )  # fmt: skip
    thread.asker_id = message.author_id
    message.thread_id = thread.id
    await session.flush()
    return thread
