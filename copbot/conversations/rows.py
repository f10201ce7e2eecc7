"""Writing a batch's rows: new messages by one Core INSERT (never loaded back), thread state by one UPDATE."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import cast

from sqlalchemy import Table, insert, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.instrumentation import manager_of_class

from copbot.conversations.threads import Row
from copbot.store.models import Message, Thread


async def insert_messages(session: AsyncSession, rows: Sequence[Row]) -> None:
    """One multi-row INSERT for the new messages; their rows are built from the values sent, not loaded back."""
    table = cast(Table, Message.__table__)
    returning = insert(table).returning(table.c.id, table.c.platform, table.c.external_id)
    returned = await session.execute(returning, [row.values for row in rows])
    ids = {(platform, external_id): message_id for message_id, platform, external_id in returned}
    for row in rows:
        values = row.values
        message = new_message()  # filled as a loaded row is, without change events (nothing here is a change)
        message.__dict__.update(values, asker_reaction=None, created_at=values["created_at"].astimezone(UTC))
        message.id = ids[(values["platform"], values["external_id"])]
        make_transient_to_detached(message)
        session.add(message)  # attached as stored: a later change in this transaction is flushed as an update
        row.message = message


def new_message() -> Message:
    """An empty instrumented Message, made as the ORM makes one for a loaded row (its constructor is skipped)."""
    message: Message = manager_of_class(Message).new_instance()
    return message


THREAD_STATE = ("last_message_at", "activity", "activity_confidence", "is_help_request")
"""What a batch changes on the threads it touches, written for all of them in one UPDATE."""


def batch_thread_updates(session: AsyncSession) -> None:
    """Give every thread the batch changed the same changed columns, so the flush sends one executemany UPDATE
    (the unit of work groups rows by the set of columns changed; left alone it sends one statement per set)."""
    for item in session.dirty:
        if isinstance(item, Thread) and inspect(item).modified:
            for name in THREAD_STATE:
                flag_modified(item, name)
