"""Batched ingest: concurrent new messages and listeners' writes share one transaction, each answered after commit."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.conversations.batch import Batch, BatchHook, Ingested
from copbot.conversations.ingest import write_batch
from copbot.conversations.relabel import ThreadLabeller
from copbot.core.events import MessagePosted
from copbot.core.labels import Label
from copbot.core.text import clean_text
from copbot.store.faults import is_write_failure, write_failures

log = logging.getLogger(__name__)

MAX_BATCH = 256
"""At most this many events share one transaction."""
MAX_WAIT = 0.005
"""Seconds a batch may wait for more events while they keep arriving (a lone event never waits)."""
BATCH_ATTEMPTS = 2
"""A failed batch is tried once more as a whole before its events are stored one per transaction."""


@dataclass(slots=True)
class _Waiting:
    event: MessagePosted
    label: Label | None
    future: asyncio.Future[Ingested]


@dataclass(slots=True)
class _Work:
    table: Table
    row: dict[str, Any]
    """A row to insert, with the other rows of ``table`` in the same batch."""
    future: asyncio.Future[None]


async def _run_works(session: AsyncSession, works: Sequence[_Work]) -> None:
    """The rows to insert: one executemany per table."""
    rows: dict[Table, list[dict[str, Any]]] = defaultdict(list)
    for work in works:
        rows[work.table].append(work.row)
    for table, values in rows.items():
        await session.execute(insert(table), values)


class IngestBatcher:
    """Collects new-message events handled concurrently and tracks them in one transaction per batch.

    ``track`` returns only after the batch holding the event has committed, so an acknowledged event is stored;
    ``insert`` adds a listener's row to that same kind of transaction and returns once it committed. The
    ``hooks`` read what listeners need for a whole batch inside its transaction (``Batch.note``). A batch that
    fails is retried one event (and one row) per transaction, so one bad event fails alone.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        labeller: ThreadLabeller | None = None,
        hooks: Sequence[BatchHook] = (),
        max_batch: int = MAX_BATCH,
        max_wait: float = MAX_WAIT,
    ) -> None:
        self.sessions = sessions
        self.labeller = labeller
        self.hooks = list(hooks)
        self.max_batch = max_batch
        self.max_wait = max_wait
        self._waiting: list[_Waiting] = []
        self._works: list[_Work] = []
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0
        """How many batches of messages committed (for benchmarks and tests)."""

    async def track(self, event: MessagePosted, label: Label | None = None) -> Ingested:
        """Store ``event`` with ``label`` in the next batch and return what tracking made of it, once committed."""
        future: asyncio.Future[Ingested] = asyncio.get_running_loop().create_future()
        text = clean_text(event.text)
        self._waiting.append(_Waiting(event if text == event.text else replace(event, text=text), label, future))
        self._wake()
        return await future

    async def insert(self, table: Table, row: dict[str, Any]) -> None:
        """Insert ``row`` into ``table`` in the next batch's transaction, in one executemany with the batch's other
        rows of that table, and return once it committed."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._works.append(_Work(table, row, future))
        self._wake()
        await future

    def _wake(self) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all(), name="copbot-ingest")

    async def drain(self) -> None:
        """Wait until every event handed in so far is committed (before edits and deletions are applied)."""
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)

    async def _write_all(self) -> None:
        try:
            await self._write_waiting()
        except BaseException as error:  # cancelled at shutdown: nobody may wait forever
            futures: list[asyncio.Future[Any]] = [w.future for w in self._waiting] + [w.future for w in self._works]
            for future in futures:
                if not future.done():
                    future.set_exception(RuntimeError(f"ingest stopped: {error!r}"))
            self._waiting, self._works = [], []
            raise

    async def _write_waiting(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting or self._works:
            deadline = loop.time() + self.max_wait
            while len(self._waiting) < self.max_batch and loop.time() < deadline:
                before = len(self._waiting) + len(self._works)
                await asyncio.sleep(0)  # events already scheduled join this batch
                if len(self._waiting) + len(self._works) == before:
                    break
            batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch :]
            works, self._works = self._works, []
            await self._write(batch, works)

    async def _write(self, batch: list[_Waiting], works: list[_Work]) -> None:
        results: list[Ingested] = []
        for attempt in range(BATCH_ATTEMPTS):
            try:
                async with self.sessions.begin() as session:
                    await _run_works(session, works)
                    if batch:
                        results = await self._stored(session, batch)
                break
            except Exception as error:  # a listener may have created a thread since the batch looked: look again
                if attempt + 1 < BATCH_ATTEMPTS:
                    log.debug("a batch of %d messages failed; retrying it", len(batch), exc_info=True)
                    continue
                # A store that refuses writes (full disk) is told by the dispatcher's counter, not once per batch.
                level = logging.DEBUG if is_write_failure(error) else logging.ERROR
                log.log(level, "a batch of %d messages failed; storing them one by one", len(batch), exc_info=True)
                for waiting in batch:
                    await self._write_one(waiting)
                for work in works:
                    await self._work_alone(work)
                return
        if batch:
            self.batches += 1
        write_failures(self.sessions).succeeded()
        for waiting, result in zip(batch, results, strict=True):
            if not waiting.future.done():
                waiting.future.set_result(result)
        for work in works:
            if not work.future.done():
                work.future.set_result(None)

    async def _stored(self, session: AsyncSession, batch: list[_Waiting]) -> list[Ingested]:
        """The batch tracked in ``session``, each result pointing at the shared ``Batch`` the hooks filled in."""
        shared = Batch([waiting.event for waiting in batch], [], self.insert)
        shared.ingested = await write_batch(session, [(w.event, w.label) for w in batch], self.labeller, shared)
        for hook in self.hooks:
            await hook.after_write(session, shared)
        return list(shared.ingested)

    async def _write_one(self, waiting: _Waiting) -> None:
        try:
            async with self.sessions.begin() as session:
                (result,) = await write_batch(session, [(waiting.event, None)], None)
        except Exception as error:
            if not waiting.future.done():
                waiting.future.set_exception(error)
            return
        write_failures(self.sessions).succeeded()
        if not waiting.future.done():
            # Without a stored label, listeners label the message themselves (and tell a repeat by its label).
            waiting.future.set_result(result)

    async def _work_alone(self, work: _Work) -> None:
        try:
            async with self.sessions.begin() as session:
                await _run_works(session, [work])
        except Exception as error:
            if not work.future.done():
                work.future.set_exception(error)
            return
        if not work.future.done():
            work.future.set_result(None)
