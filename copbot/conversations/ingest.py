"""Tracking a batch of new messages in one transaction: one bulk INSERT, thread state and labels in the same batch."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.conversations.batch import Batch
from copbot.conversations.batch import Ingested as Ingested
from copbot.conversations.queries import posted_prompts
from copbot.conversations.relabel import ThreadLabeller, earlier_messages, relabel, to_relabel
from copbot.conversations.rows import batch_thread_updates, insert_messages
from copbot.conversations.threads import BatchState, Row, Tracked
from copbot.core.events import MessagePosted
from copbot.core.labels import Label
from copbot.store.models import Message, Thread

log = logging.getLogger(__name__)


@runtime_checkable
class Prelabeller(Protocol):
    """A listener that labels messages before they are stored, so the label goes into the same INSERT."""

    def prelabel(self, event: MessagePosted) -> Label | None:
        """The label to store with ``event`` (None: the listener labels nothing here)."""

    def label_thread(self, thread: Thread, runs: Sequence[Sequence[str]]) -> None:
        """Relabel ``thread`` after each run of its message texts in turn (a ``ThreadLabeller``)."""


async def write_batch(
    session: AsyncSession,
    items: Sequence[tuple[MessagePosted, Label | None]],
    labeller: ThreadLabeller | None,
    batch: Batch | None = None,
) -> list[Ingested]:
    """Track every event in ``session`` (not committed here), with one bulk INSERT for the new messages; each result
    points at ``batch`` (None: stored alone)."""
    state = BatchState(session)
    await state.load([event for event, _ in items])
    with session.no_autoflush:  # what the batch changes on loaded rows is flushed once, after it (see below)
        return await _write_loaded(session, state, items, labeller, batch)


async def _write_loaded(
    session: AsyncSession, state: BatchState, items: Sequence[tuple[MessagePosted, Label | None]],
    labeller: ThreadLabeller | None, batch: Batch | None,
) -> list[Ingested]:  # fmt: skip
    outcomes = [state.track(event, label) for event, label in items]
    await state.insert_threads()
    for key, thread in state.adopted.items():  # rare: a stored message became a thread's root
        adopted = state.messages[key]
        await session.execute(update(Message).where(Message.id == adopted.id).values(thread_id=thread.id))
        state.messages[key] = adopted.with_thread(thread.id)
    rows = list(state.rows.values())
    for row in rows:
        row.values["thread_id"] = row.thread.id if row.thread is not None else None
    wanted = to_relabel(rows) if labeller is not None else {}
    earlier = await earlier_messages(session, state, wanted) if wanted else {}
    if rows:
        await insert_messages(session, rows)
    if labeller is not None:
        relabel(wanted, earlier, labeller)
    await batch_thread_updates(session)
    made: list[tuple[Tracked, bool, Label | None]] = []
    first: set[int] = set()
    for (event, label), outcome in zip(items, outcomes, strict=True):
        author = state.members[(event.place.platform, event.author.id)]
        if isinstance(outcome, Row):
            fresh = id(outcome) not in first
            first.add(id(outcome))
            assert outcome.message is not None
            made.append((Tracked(outcome.message, author, outcome.thread, outcome.new_thread and fresh), fresh, label))
        else:
            stored = state.messages[(outcome.platform, outcome.external_id)]  # as adopted above, if it was
            made.append((Tracked(stored, author, state.stored_thread(stored), False), False, None))
    keys = await _prompt_keys(session, [event for event, _ in items], [tracked.thread for tracked, _, _ in made])
    return [
        Ingested(tracked, fresh, label if fresh else None, prompt_keys, batch)
        for (tracked, fresh, label), prompt_keys in zip(made, keys, strict=True)
    ]


NO_KEYS: frozenset[str] = frozenset()


async def _prompt_keys(
    session: AsyncSession, events: Sequence[MessagePosted], threads: Sequence[Thread | None]
) -> list[frozenset[str]]:
    """Which conversation ids of each message a posted prompt has, in one query per platform."""
    wanted: dict[str, set[str]] = defaultdict(set)
    candidates: list[set[str]] = []
    for event, thread in zip(events, threads, strict=True):
        keys = {key for key in (event.place.thread, event.reply_to) if key}
        if thread is not None and keys:
            keys |= {key for key in (thread.thread_key, thread.root_message_id) if key}
        candidates.append(keys)
        wanted[event.place.platform] |= keys
    found: set[tuple[str, str]] = set()
    for platform, keys in wanted.items():
        if keys:
            posted = await session.scalars(posted_prompts(), {"platform": platform, "keys": list(keys)})
            found |= {(platform, key) for key in posted if key}
    if not found:
        return [NO_KEYS] * len(events)
    return [
        frozenset(k for k in keys if (event.place.platform, k) in found)
        for event, keys in zip(events, candidates, strict=True)
    ]
