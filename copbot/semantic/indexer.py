"""Keeps entry embeddings current: changed entries are queued after commit and embedded in batches off the loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.semantic import store
from copbot.semantic.embedder import Embedder

log = logging.getLogger(__name__)

BATCH = 64
DEBOUNCE_SECONDS = 0.2
"""Changes arriving this close together are embedded as one batch."""


async def embed_entries(
    sessions: async_sessionmaker[AsyncSession], embedder: Embedder, entry_ids: Sequence[int]
) -> int:
    """(Re)compute the embeddings of these entries; entries no longer searchable lose theirs. Returns how many."""
    async with sessions() as session:
        texts = await store.document_texts(session, entry_ids)
    gone = [entry_id for entry_id in entry_ids if entry_id not in texts]
    ids = list(texts)
    vectors = await embedder.aembed([texts[entry_id] for entry_id in ids]) if ids else None
    async with sessions.begin() as session:
        if gone:
            await store.forget(session, gone)
        if vectors is not None:
            await store.save(session, embedder.name, dict(zip(ids, vectors, strict=True)))
    return len(ids)


async def embed_missing(
    sessions: async_sessionmaker[AsyncSession],
    embedder: Embedder,
    *,
    batch: int = BATCH,
    on_progress: Callable[[int], object] | None = None,
) -> int:
    """Embed every searchable entry that has no embedding from this model yet; returns how many."""
    done, after = 0, 0
    while True:
        async with sessions() as session:
            ids = await store.missing_ids(session, embedder.name, after=after, limit=batch)
        if not ids:
            return done
        done += await embed_entries(sessions, embedder, ids)
        after = ids[-1]
        if on_progress is not None:
            on_progress(len(ids))


class Indexer:
    """A background task fed by the knowledge hooks' change listener."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], embedder: Embedder, *, batch: int = BATCH):
        self.sessions = sessions
        self.embedder = embedder
        self.batch = batch
        self._pending: set[int] = set()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None

    def changed(self, entry_ids: list[int]) -> None:
        """The change listener: called (on the loop's thread) after a commit touched these entries."""
        self._pending.update(entry_ids)
        self._idle.clear()
        self._wake.set()

    def start(self) -> None:
        """Start the background task."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="copbot-semantic-indexer")

    async def drain(self) -> None:
        """Wait until every change heard so far is embedded."""
        await self._idle.wait()

    async def stop(self) -> None:
        """Cancel the background task (entries left over are picked up by ``copbot kb reindex``)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(DEBOUNCE_SECONDS)
            self._wake.clear()
            while self._pending:
                ids = sorted(self._pending)[: self.batch]
                self._pending.difference_update(ids)
                try:
                    await embed_entries(self.sessions, self.embedder, ids)
                except Exception:
                    log.exception("embedding %d entries failed; copbot kb reindex will retry them", len(ids))
            if not self._wake.is_set():
                self._idle.set()
