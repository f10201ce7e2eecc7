"""A stored message as ingest hands it on: the row's values, read-only (load the ``Message`` to change it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from copbot.store.models import Message


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """One ``messages`` row as stored (ingest builds no ORM object for the messages it inserts or looks up)."""

    id: int
    platform: str
    external_id: str
    room: str
    thread_id: int | None
    author_id: int | None
    text: str
    created_at: datetime
    deleted_at: datetime | None = None

    def with_thread(self, thread_id: int) -> StoredMessage:
        """The same row after it joined thread ``thread_id``."""
        return StoredMessage(
            self.id, self.platform, self.external_id, self.room, thread_id, self.author_id, self.text, self.created_at,
            self.deleted_at,
        )  # fmt: skip


STORED_COLUMNS = (
    Message.id, Message.platform, Message.external_id, Message.room, Message.thread_id, Message.author_id,
    Message.text, Message.created_at, Message.deleted_at,
)  # fmt: skip
"""The columns of a ``StoredMessage``, in its fields' order (``StoredMessage(*row)`` takes a row of them)."""
