"""The Matrix sync loop: long polling, sync token persistence, gap filling and reconnect backoff."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from nio import AsyncClient, RoomMessagesResponse, SyncError, SyncResponse
from nio.api import MessageDirection

from copbot.adapters.matrix.state import StateStore

log = logging.getLogger(__name__)

SYNC_FILTER: dict[str, Any] = {
    "room": {"timeline": {"limit": 50}, "ephemeral": {"types": []}},
    "presence": {"types": []},
    "account_data": {"types": []},
}
"""What the bot needs from /sync: timelines and state, no typing, receipts or presence."""
INITIAL_FILTER: dict[str, Any] = {**SYNC_FILTER, "room": {**SYNC_FILTER["room"], "timeline": {"limit": 1}}}
GAP_PAGES = 20
"""At most this many pages of 100 events are fetched to fill one room's gap after a long stop."""
FATAL_ERRORS = frozenset({"M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_FORBIDDEN"})
"""Sync errors no retry can cure: the access token was revoked or the account deactivated."""

Gaps = dict[str, list[Any]]


class Batch:
    """One sync response being handled: which of its events are done, and whether to stop early.

    The ids of handled events are persisted with the token the response was fetched from, so a
    process stopped (or killed) part way through re-fetches the response and skips what is done.
    """

    def __init__(self, since: str | None, done: set[str], save: Callable[[Batch], Awaitable[None]]) -> None:
        self.since = since
        self.done_ids = done
        self.stopping = False
        self._save = save

    def is_done(self, event_id: str) -> bool:
        """Whether an earlier run already handled this event."""
        return event_id in self.done_ids

    async def done(self, event_id: str) -> None:
        """Record that this event was handled to the end."""
        self.done_ids.add(event_id)
        await self._save(self)


SyncHandler = Callable[[SyncResponse, Gaps, Batch | None], Awaitable[None]]
"""Receives each sync response, older events that filled timeline gaps, and the batch (None: do not deliver)."""


def backoff_delay(failures: int, initial: float, cap: float) -> float:
    """Exponential backoff: ``initial``, doubling per consecutive failure, never above ``cap``."""
    return float(min(cap, initial * 2 ** max(failures - 1, 0)))


class SyncLoop:
    """Syncs until stopped, persisting progress per handled event and ``next_batch`` per response."""

    def __init__(
        self,
        client: AsyncClient,
        state: StateStore,
        token_key: str,
        handler: SyncHandler,
        *,
        timeout_ms: int = 30_000,
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
    ) -> None:
        self._client = client
        self._state = state
        self._token_key = token_key
        self._progress_key = f"{token_key}:handled"
        self._handler = handler
        self._timeout_ms = timeout_ms
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._done: set[str] = set()
        self._batch: Batch | None = None
        self._task: asyncio.Task[None] | None = None
        self.since: str | None = None
        self.synced = asyncio.Event()
        """Set after every successful sync; tests and callers may clear and wait on it."""
        self.failure: str | None = None
        """Why the loop ended on its own, when it did."""

    async def prepare(self) -> None:
        """Resume from the stored token, or on first start sync once and skip the history."""
        self.since = await self._state.get(self._token_key)
        if self.since is not None:
            progress = json.loads(await self._state.get(self._progress_key) or "{}")
            if progress.get("since") == self.since:
                self._done = set(progress.get("ids") or [])
            log.info("resuming Matrix sync from the stored token (%d events already handled)", len(self._done))
            return
        while True:
            # Synapse caches /sync answers for two minutes by (since, timeout, filter, ...), so a
            # fresh start soon after an earlier one would get that run's stale token; a unique
            # timeout makes the key unique, and an initial sync answers at once whatever it is.
            timeout = 1 + secrets.randbelow(1_000_000)
            response = await self._client.sync(timeout=timeout, sync_filter=INITIAL_FILTER, full_state=True)
            if isinstance(response, SyncResponse):
                break
            log.warning("initial sync failed: %s; retrying", response)
            await asyncio.sleep(self._backoff_initial)
        await self._handler(response, {}, None)
        await self._save(response.next_batch)
        log.info("first Matrix sync done; earlier history skipped")

    def start(self, name: str) -> asyncio.Task[None]:
        """Run the loop in a task of its own."""
        self._task = asyncio.create_task(self.run(), name=name)
        return self._task

    async def stop(self, grace: float = 10.0) -> None:
        """Stop after the event being handled (waiting at most ``grace`` seconds), or at once when idle."""
        task, self._task = self._task, None
        if task is None or task.done():
            return
        batch = self._batch
        if batch is not None:
            batch.stopping = True
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(task), grace)
            if not task.done():
                log.warning("a Matrix event was still being handled after %.0fs; cancelling it", grace)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def run(self) -> None:
        """Sync until stopped; reconnect with capped exponential backoff on any failure."""
        failures = 0
        while True:
            try:
                response = await self._client.sync(timeout=self._timeout_ms, sync_filter=SYNC_FILTER, since=self.since)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                delay = backoff_delay(failures, self._backoff_initial, self._backoff_max)
                log.warning("Matrix sync failed (%s: %s); retrying in %.1fs", type(exc).__name__, exc, delay)
                await asyncio.sleep(delay)
                continue
            if isinstance(response, SyncError) and response.status_code in FATAL_ERRORS:
                self.failure = f"the homeserver refused the bot's session ({response.status_code}: {response.message})"
                log.error("Matrix sync stopped for good: %s; give the bot a new access token", self.failure)
                return
            if not isinstance(response, SyncResponse):
                failures += 1
                delay = backoff_delay(failures, self._backoff_initial, self._backoff_max)
                log.warning("Matrix sync error %s; retrying in %.1fs", response, delay)
                await asyncio.sleep(delay)
                continue
            if failures:
                log.info("Matrix sync reconnected after %d failures", failures)
            failures = 0
            if not await self.handle(response):
                return

    async def handle(self, response: SyncResponse) -> bool:
        """Fill gaps, hand the response over, then persist its token (even if handling failed).

        Returns False when a stop was asked for part way: the token is then kept, so the next run
        fetches the response again and skips the events this one finished.
        """
        batch = Batch(self.since, self._done, self._save_progress)
        self._batch = batch
        try:
            gaps = await self._fill_gaps(response) if self.since is not None else {}
            await self._handler(response, gaps, batch)
        except Exception:
            log.exception("handling a Matrix sync response failed; its events are skipped")
        finally:
            self._batch = None
        if batch.stopping:
            return False
        await self._save(response.next_batch)
        self._done = set()
        self.synced.set()
        return True

    async def _save_progress(self, batch: Batch) -> None:
        await self._state.set(self._progress_key, json.dumps({"since": batch.since, "ids": sorted(batch.done_ids)}))

    async def _save(self, token: str) -> None:
        self.since = token
        self._client.next_batch = token
        await self._state.set(self._token_key, token)

    async def _fill_gaps(self, response: SyncResponse) -> Gaps:
        """Events a limited timeline left out since the last token, oldest first, per room."""
        gaps: Gaps = {}
        for room_id, info in response.rooms.join.items():
            timeline = info.timeline
            if not timeline.limited or timeline.prev_batch is None:
                continue
            events: list[Any] = []
            token = timeline.prev_batch
            for _ in range(GAP_PAGES):
                page = await self._client.room_messages(
                    room_id, start=token, end=self.since, direction=MessageDirection.back, limit=100
                )
                if not isinstance(page, RoomMessagesResponse):
                    log.warning("could not fill the timeline gap in %s: %s", room_id, page)
                    break
                events.extend(page.chunk)
                if not page.chunk or not page.end or page.end == token:
                    break
                token = page.end
            if events:
                log.info("filled a gap of %d events in %s", len(events), room_id)
                gaps[room_id] = list(reversed(events))
        return gaps
