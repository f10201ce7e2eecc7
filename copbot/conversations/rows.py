"""Writing a batch's rows: new messages by multi-row INSERTs (no ORM rows, never loaded back), thread state by one
UPDATE."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from functools import cache
from typing import Any, cast

from sqlalchemy import Boolean, Table, Update, bindparam, case, inspect, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import get_history, set_committed_value

from copbot.conversations.stored import StoredMessage
from copbot.conversations.threads import Row
from copbot.store.inserts import insert_returning
from copbot.store.models import Message, Thread


async def insert_messages(session: AsyncSession, rows: Sequence[Row]) -> None:
    """The new messages in multi-row INSERTs (``insert_returning``: on SQLite straight through the driver); each
    row's ``StoredMessage`` is built from the values sent (no ORM object: whoever changes a new message in the same
    transaction loads it)."""
    table = cast(Table, Message.__table__)
    returned = await insert_returning(
        await session.connection(), table, [row.values for row in rows], ("id", "platform", "external_id")
    )
    ids = {(platform, external_id): message_id for message_id, platform, external_id in returned}
    for row in rows:
        values = row.values
        row.message = StoredMessage(
            ids[(values["platform"], values["external_id"])], values["platform"], values["external_id"], values["room"],
            values["thread_id"], values["author_id"], values["text"], values["created_at"].astimezone(UTC),
        )  # fmt: skip


THREAD_STATE = ("last_message_at", "activity", "activity_confidence", "is_help_request")
"""What a batch changes on the threads it touches, written for all of them in one UPDATE."""


def _written(column: str, flag: str) -> Any:
    """The column's new value where ``flag`` is set for the row, else its stored value (a listener may have changed
    it since the batch loaded the thread; what the batch did not decide is not written back)."""
    table = cast(Table, Thread.__table__)
    return case((bindparam(flag, type_=Boolean()), bindparam(f"new_{column}", type_=table.c[column].type)),
                else_=table.c[column])  # fmt: skip


@cache
def _thread_state_update() -> Update:
    """The UPDATE of THREAD_STATE, each column only where its ``set_`` flag is (built once)."""
    table = cast(Table, Thread.__table__)
    written = {name: _written(name, f"set_{name}") for name in THREAD_STATE}
    return update(table).where(table.c.id == bindparam("thread")).values(written)


@cache
def _thread_keys() -> tuple[str, ...]:
    """Every mapped attribute of a Thread."""
    return tuple(inspect(Thread).attrs.keys())


async def batch_thread_updates(session: AsyncSession) -> None:
    """Write what the batch changed on its threads in one executemany UPDATE (the unit of work would send one per
    set of changed columns and row order), and tell the session those values are stored."""
    rows: list[dict[str, Any]] = []
    written: list[Thread] = []
    for item in session.dirty:
        if not isinstance(item, Thread):
            continue
        unmodified = inspect(item).unmodified  # cheap: only what was set is asked for its history
        changed = {name for name in _thread_keys() if name not in unmodified and get_history(item, name).has_changes()}
        if not changed or not changed <= set(THREAD_STATE):
            continue  # anything else is left to the flush
        row: dict[str, Any] = {"thread": item.id}
        for name in THREAD_STATE:
            row[f"set_{name}"] = name in changed
            row[f"new_{name}"] = getattr(item, name)
        rows.append(row)
        written.append(item)
    if not rows:
        return
    await session.execute(_thread_state_update(), rows)
    for item in written:
        for name in THREAD_STATE:
            set_committed_value(item, name, getattr(item, name))
