"""Tracking a batch of new messages in one transaction: one bulk INSERT, thread state and labels in the same batch."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.conversations.batch import Ingested as Ingested
from copbot.conversations.rows import batch_thread_updates, insert_messages
from copbot.conversations.threads import BatchState, Row, Tracked
from copbot.core.events import MessagePosted
from copbot.core.labels import Label
from copbot.store.models import Message, Thread
from copbot.store.operations import PromptRun

log = logging.getLogger(__name__)

THREAD_LABEL_UPTO = 5
"""A thread is relabelled while it has at most this many messages (as the activity listener does)."""

ThreadLabeller = Callable[[Thread, Sequence[Sequence[str]]], None]
"""Relabels a thread after each of these runs of its stored message texts in turn (each run first first): one run
per new labelled message, as relabelling after each message would."""


@runtime_checkable
class Prelabeller(Protocol):
    """A listener that labels messages before they are stored, so the label goes into the same INSERT."""

    def prelabel(self, event: MessagePosted) -> Label | None:
        """The label to store with ``event`` (None: the listener labels nothing here)."""

    def label_thread(self, thread: Thread, runs: Sequence[Sequence[str]]) -> None:
        """Relabel ``thread`` after each run of its message texts in turn (a ``ThreadLabeller``)."""


async def write_batch(
    session: AsyncSession, items: Sequence[tuple[MessagePosted, Label | None]], labeller: ThreadLabeller | None
) -> list[Ingested]:
    """Track every event in ``session`` (not committed here), with one bulk INSERT for the new messages."""
    state = BatchState(session)
    await state.load([event for event, _ in items])
    with session.no_autoflush:  # what the batch changes on loaded rows is flushed once, after it (see below)
        return await _write_loaded(session, state, items, labeller)


async def _write_loaded(
    session: AsyncSession, state: BatchState, items: Sequence[tuple[MessagePosted, Label | None]],
    labeller: ThreadLabeller | None,
) -> list[Ingested]:  # fmt: skip
    outcomes = [state.track(event, label) for event, label in items]
    await state.insert_threads()
    for key, thread in state.adopted.items():  # rare: a stored message became a thread's root
        adopted = state.messages[key]
        await session.execute(update(Message).where(Message.id == adopted.id).values(thread_id=thread.id))
        state.messages[key] = adopted.with_thread(thread.id)
    rows = list(state.rows.values())
    if rows:
        for row in rows:
            row.values["thread_id"] = row.thread.id if row.thread is not None else None
        await insert_messages(session, rows)
    if labeller is not None:
        await _relabel_threads(session, state, rows, labeller)
    await batch_thread_updates(session)
    results: list[Ingested] = []
    first: set[int] = set()
    for (event, label), outcome in zip(items, outcomes, strict=True):
        author = state.members[(event.place.platform, event.author.id)]
        if isinstance(outcome, Row):
            fresh = id(outcome) not in first
            first.add(id(outcome))
            assert outcome.message is not None
            tracked = Tracked(outcome.message, author, outcome.thread, outcome.new_thread and fresh)
            results.append(Ingested(tracked, fresh, label if fresh else None))
        else:
            stored = state.messages[(outcome.platform, outcome.external_id)]  # as adopted above, if it was
            results.append(Ingested(Tracked(stored, author, state.stored_thread(stored), False), False, None))
    return await _with_prompt_keys(session, [event for event, _ in items], results)


async def _relabel_threads(
    session: AsyncSession, state: BatchState, rows: Sequence[Row], labeller: ThreadLabeller
) -> None:
    """After each labelled message in a thread, relabel the thread while it is short, as the listener would.

    A thread made in this batch holds only the batch's rows and a root it adopted, so only threads stored before it
    are counted and read (two queries)."""
    by_thread: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        if row.thread is not None and row.thread.id is not None:
            by_thread[row.thread.id].append(row)
    wanted = {tid for tid, group in by_thread.items() if any(r.in_thread and r.values["activity"] for r in group)}
    if not wanted:
        return
    before: dict[int, list[tuple[datetime, int, str]]] = defaultdict(list)
    for key, thread in state.adopted.items():
        root = state.messages[key]
        if thread.id in wanted and root.deleted_at is None:
            before[thread.id].append((root.created_at, root.id, root.text))
    short = wanted & {thread.id for thread in state.new_threads}
    stored = wanted - short
    if stored:
        live = (Message.thread_id.in_(stored), Message.deleted_at.is_(None))
        query = select(Message.thread_id, func.count()).where(*live).group_by(Message.thread_id)
        counts: dict[int | None, int] = {thread_id: count for thread_id, count in await session.execute(query)}
        stored = {tid for tid in stored if counts.get(tid, 0) - len(by_thread[tid]) < THREAD_LABEL_UPTO}
    if stored:
        new_ids = {row.message.id for row in rows if row.message is not None}
        texts = select(Message.thread_id, Message.created_at, Message.id, Message.text).where(
            Message.thread_id.in_(stored), Message.deleted_at.is_(None)
        )
        for thread_id, created_at, message_id, text in await session.execute(texts):
            if message_id not in new_ids and thread_id is not None:
                before[thread_id].append((created_at, message_id, text))
    for thread_id in short | stored:
        known = list(before[thread_id])
        runs: list[list[str]] = []
        for row in by_thread[thread_id]:
            assert row.message is not None
            known.append((row.message.created_at, row.message.id, row.message.text))
            if len(known) > THREAD_LABEL_UPTO:
                break
            if row.in_thread and row.values["activity"]:
                runs.append([text for _, _, text in sorted(known, key=lambda m: (m[0], m[1]))])
        relabelled = by_thread[thread_id][0].thread
        if runs and relabelled is not None:
            labeller(relabelled, runs)


async def _with_prompt_keys(
    session: AsyncSession, events: Sequence[MessagePosted], results: list[Ingested]
) -> list[Ingested]:
    """Note which conversation ids of each message a posted prompt has, in one query per platform."""
    wanted: dict[str, set[str]] = defaultdict(set)
    candidates: list[set[str]] = []
    for event, result in zip(events, results, strict=True):
        thread = result.tracked.thread
        keys = {key for key in (event.place.thread, event.reply_to) if key}
        if thread is not None and keys:
            keys |= {key for key in (thread.thread_key, thread.root_message_id) if key}
        candidates.append(keys)
        wanted[event.place.platform] |= keys
    found: set[tuple[str, str]] = set()
    for platform, keys in wanted.items():
        if keys:
            where = (PromptRun.platform == platform, PromptRun.status == "posted", PromptRun.message_id.in_(keys))
            found |= {
                (platform, key) for key in await session.scalars(select(PromptRun.message_id).where(*where)) if key
            }
    if not found:
        return results
    return [
        Ingested(r.tracked, r.fresh, r.label, frozenset(k for k in keys if (r.tracked.message.platform, k) in found))
        for r, keys in zip(results, candidates, strict=True)
    ]
