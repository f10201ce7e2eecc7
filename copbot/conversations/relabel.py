"""A batch's short threads relabelled after each labelled message, as the activity listener would, in one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache

from sqlalchemy import Select, and_, bindparam, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from copbot.conversations.threads import BatchState, Row
from copbot.store.models import Message, Thread

THREAD_LABEL_UPTO = 5
"""A thread is relabelled while it has at most this many messages (as the activity listener does)."""

ThreadLabeller = Callable[[Thread, Sequence[Sequence[str]]], None]
"""Relabels a thread after each of these runs of its stored message texts in turn (each run first first): one run
per new labelled message, as relabelling after each message would."""

Earlier = dict[int, list[tuple[datetime, int, str]]]
"""Per short thread, the time, id and text of each live message stored before the batch."""


def to_relabel(rows: Sequence[Row]) -> dict[int, list[Row]]:
    """The batch's rows of each thread that one of them, labelled in the thread, relabels (threads have ids)."""
    by_thread: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        if row.thread is not None and row.thread.id is not None:
            by_thread[row.thread.id].append(row)
    return {tid: group for tid, group in by_thread.items() if any(r.in_thread and r.values["activity"] for r in group)}


async def earlier_messages(session: AsyncSession, state: BatchState, wanted: dict[int, list[Row]]) -> Earlier:
    """Which of the ``wanted`` threads are still short (fewer than THREAD_LABEL_UPTO live messages stored before the
    batch's), with those messages; read before the batch's messages are inserted.

    A thread made in this batch holds only a root it adopted; the others are counted and read in one query: each
    thread's count, joined to its messages only where the count is short (a long thread comes back as one empty row).
    """
    made = {thread.id for thread in state.new_threads}
    earlier: Earlier = {tid: [] for tid in wanted if tid in made}
    for key, thread in state.adopted.items():
        root = state.messages[key]
        if thread.id in earlier and root.deleted_at is None:
            earlier[thread.id].append((root.created_at, root.id, root.text))
    stored = [tid for tid in wanted if tid not in made]
    if not stored:
        return earlier
    long: set[int] = set()
    for thread_id, created_at, message_id, text in await session.execute(_earlier_query(), {"threads": stored}):
        if message_id is None:
            long.add(thread_id)
        elif created_at is not None and text is not None:  # both are NOT NULL: always, for a joined message
            earlier.setdefault(thread_id, []).append((created_at, message_id, text))
    for thread_id in stored:
        if thread_id not in long:
            earlier.setdefault(thread_id, [])  # no live message yet
    return earlier


@cache
def _earlier_query() -> Select[int, datetime | None, int | None, str | None]:
    """Each of the ``threads``' live message count, joined to its live messages only where the count is short (built
    once: an aliased entity costs more to build than the query takes)."""
    live = (Message.thread_id.in_(bindparam("threads", expanding=True)), Message.deleted_at.is_(None))
    counted = select(Message.thread_id, func.count().label("n")).where(*live).group_by(Message.thread_id).subquery()
    message = aliased(Message)
    # Joined on no key at all for a long thread, so its messages are not even looked at.
    short = and_(
        message.thread_id == case((counted.c.n < THREAD_LABEL_UPTO, counted.c.thread_id)), message.deleted_at.is_(None)
    )
    query = select(counted.c.thread_id, message.created_at, message.id, message.text).select_from(counted)
    return query.outerjoin(message, short)


def relabel(wanted: dict[int, list[Row]], earlier: Earlier, labeller: ThreadLabeller) -> None:
    """After each labelled message of a short thread, relabel it from its messages so far, first first (the batch's
    messages are inserted: their ids order them after the stored ones of the same time)."""
    for thread_id, before in earlier.items():
        known = list(before)
        runs: list[list[str]] = []
        for row in wanted[thread_id]:
            assert row.message is not None
            known.append((row.message.created_at, row.message.id, row.message.text))
            if len(known) > THREAD_LABEL_UPTO:
                break
            if row.in_thread and row.values["activity"]:
                runs.append([text for _, _, text in sorted(known, key=lambda m: (m[0], m[1]))])
        thread = wanted[thread_id][0].thread
        if runs and thread is not None:
            labeller(thread, runs)
