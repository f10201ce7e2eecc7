"""The Matrix sync loop: long polling, sync token persistence, gap filling and reconnect backoff."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from nio import AsyncClient, RoomMessagesResponse, SyncError, SyncResponse, UploadFilterResponse
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
QUIET_SAVE_SECONDS = 60.0
"""While nothing is delivered (the bot's own echoes, typing-free quiet rooms) the position is saved this often."""
FATAL_ERRORS = frozenset({"M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_FORBIDDEN"})
"""Sync errors no retry can cure: the access token was revoked or the account deactivated."""

Gaps = dict[str, list[Any]]


class Batch:
    """One sync response being handled: which of its events are done, and whether to stop early.

    The ids of handled events are persisted with the token the response was fetched from, in one
    record, so a process stopped (or killed) part way through re-fetches the response and skips
    what is done.
    """

    def __init__(self, since: str | None, done: set[str], save: Callable[[Batch], Awaitable[None]]) -> None:
        self.since = since
        self.done_ids = done
        self.stopping = False
        self.refused_id: str | None = None
        """The event the sink refused, after which handling of this response stopped."""
        self._save = save

    def is_done(self, event_id: str) -> bool:
        """Whether an earlier run already handled this event."""
        return event_id in self.done_ids

    async def done(self, event_id: str) -> None:
        """Record that this event was handled to the end."""
        self.done_ids.add(event_id)
        await self._save(self)

    def refused(self, event_id: str) -> None:
        """The sink did not take this event (the bot is stopping): stop here; it and the rest come again."""
        self.refused_id = event_id
        self.stopping = True


SyncHandler = Callable[[SyncResponse, Gaps, Batch | None], Awaitable[None]]
"""Receives each sync response, older events that filled timeline gaps, and the batch (None: do not deliver)."""


def backoff_delay(failures: int, initial: float, cap: float) -> float:
    """Exponential backoff: ``initial``, doubling per consecutive failure, never above ``cap``."""
    return float(min(cap, initial * 2 ** max(failures - 1, 0)))


def parse_position(stored: str | None) -> tuple[str | None, set[str]]:
    """The sync token and the ids handled since it, from the stored record (or a bare token, as before)."""
    if stored is None or not stored.startswith("{"):
        return stored, set()
    record = json.loads(stored)
    return record.get("since"), set(record.get("done") or [])


class SyncLoop:
    """Syncs until stopped, persisting its position (token and handled ids) once per delivered event."""

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
        self._handler = handler
        self._timeout_ms = timeout_ms
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._done: set[str] = set()
        self._batch: Batch | None = None
        self._task: asyncio.Task[None] | None = None
        self._filter: str | dict[str, Any] = SYNC_FILTER
        self._saved_at = 0.0
        self.since: str | None = None
        self.synced = asyncio.Event()
        """Set after every successful sync; tests and callers may clear and wait on it."""
        self.failure: str | None = None
        """Why the loop ended on its own, when it did."""

    async def prepare(self) -> None:
        """Resume from the stored token, or on first start sync once and skip the history."""
        await self._upload_filter()
        self.since, self._done = parse_position(await self._state.get(self._token_key))
        if self.since is not None:
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
        self.since = response.next_batch
        await self._save()
        log.info("first Matrix sync done; earlier history skipped")

    async def _upload_filter(self) -> None:
        """Register the sync filter once, so the homeserver need not parse and check it on every /sync."""
        response = await self._client.upload_filter(**SYNC_FILTER)
        if isinstance(response, UploadFilterResponse):
            self._filter = response.filter_id
        else:
            log.warning("could not upload the sync filter (%s); sending it with every sync", response)

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
        if batch is None and self.since is not None:
            await self._save()  # idle: keep the newest position

    async def run(self) -> None:
        """Sync until stopped; reconnect with capped exponential backoff on any failure."""
        failures = 0
        while True:
            try:
                response = await self._client.sync(timeout=self._timeout_ms, sync_filter=self._filter, since=self.since)
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
        """Fill gaps and hand the response over; then move on to its token (even if handling failed).

        Returns False when a stop was asked for part way: the position then stays at the response's
        start, so the next run fetches it again and skips the events this one finished. A response
        that delivered nothing is saved only now and then: fetching it again would change nothing.
        """
        batch = Batch(self.since, self._done, self._save_batch)
        self._batch = batch
        try:
            gaps = await self._fill_gaps(response) if self.since is not None else {}
            await self._handler(response, gaps, batch)
        except Exception:
            log.exception("handling a Matrix sync response failed; its events are skipped")
        finally:
            self._batch = None
        if batch.refused_id is not None:
            log.info("the bot is stopping; Matrix events from %s on are handled after the restart", batch.refused_id)
            return False
        if batch.stopping:
            return False
        delivered = bool(self._done)
        self.since = response.next_batch
        self._client.next_batch = response.next_batch
        self._done = set()
        if not delivered and time.monotonic() - self._saved_at >= QUIET_SAVE_SECONDS:
            await self._save()
        self.synced.set()
        return True

    async def _save_batch(self, batch: Batch) -> None:
        await self._state.set(self._token_key, json.dumps({"since": batch.since, "done": sorted(batch.done_ids)}))
        self._saved_at = time.monotonic()

    async def _save(self) -> None:
        """Store the current position and the events handled after it."""
        await self._state.set(self._token_key, json.dumps({"since": self.since, "done": sorted(self._done)}))
        self._saved_at = time.monotonic()

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
