"""Matrix room history through nio's ``room_messages`` (``/messages``), oldest first, waiting out 429s with backoff."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from nio import AsyncClient, AsyncClientConfig, MessageDirection, RoomMessagesError

from copbot.backfill.exports import matrix_messages
from copbot.core.adapter import HistoryReader, PastMessage, PastSource
from copbot.core.events import Place

from .convert import PLATFORM

if TYPE_CHECKING:
    from copbot.config.settings import Settings

log = logging.getLogger(__name__)
PAGE = 100
BACKOFF = (0.5, 30.0)
"""First and longest wait after a 429 that names no retry time."""
ATTEMPTS = 12


class HistoryError(RuntimeError):
    """The homeserver refused the history of a room; the message says why."""


class MatrixHistory(HistoryReader):
    """The named rooms' timelines, read once per run through the same event rules as an Element export."""

    platform = PLATFORM

    def __init__(self, client: AsyncClient, server: str, sleep: Any = asyncio.sleep) -> None:
        self.client = client
        self.server = server
        self.sleep = sleep
        self._events: dict[str, list[PastMessage]] = {}

    async def sources(self, rooms: Sequence[str]) -> list[PastSource]:
        """Each named Matrix room (its threads are in its timeline)."""
        found = []
        for room in rooms:
            if room.startswith("!"):
                events = await self._timeline(room)
                self._events[room] = list(matrix_messages(events, room, Path(room)))
                found.append(PastSource(Place(PLATFORM, room), room, len(self._events[room])))
        return found

    async def _timeline(self, room: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            response = await self._page(room, token)
            events += [event.source for event in response.chunk]
            if not response.chunk or not response.end or response.end == token:
                return events
            token = response.end

    async def _page(self, room: str, token: str | None) -> Any:
        wait = BACKOFF[0]
        for _ in range(ATTEMPTS):
            response = await self.client.room_messages(room, start=token, direction=MessageDirection.front, limit=PAGE)
            if not isinstance(response, RoomMessagesError):
                return response
            if response.status_code != "M_LIMIT_EXCEEDED":
                raise HistoryError(f"the homeserver refused the history of {room}: {response.message}")
            delay = (response.retry_after_ms or 0) / 1000 or wait
            log.info("rate limited reading %s; waiting %.1f s", room, delay)
            await self.sleep(delay)
            wait = min(wait * 2, BACKOFF[1])
        raise HistoryError(f"the homeserver kept rate-limiting the history of {room}")

    async def messages(self, source: PastSource, *, skip: int, after: str | None) -> AsyncIterator[PastMessage]:
        """The room's messages after the first ``skip``."""
        for message in self._events.get(source.key, [])[skip:]:
            yield message

    async def announce(self, place: Place, text: str) -> None:
        """The backfill notice, as an ``m.notice`` (what bots send)."""
        content = {"msgtype": "m.notice", "body": text}
        await self.client.room_send(place.room, "m.room.message", content, ignore_unverified_devices=True)

    def message_url(self, place: Place, message_id: str) -> str | None:
        """A matrix.to link with ``via`` the bot's server and the room's."""
        servers = dict.fromkeys(s for s in (self.server, place.room.split(":", 1)[-1]) if s)
        via = "&".join(f"via={quote(server, safe='')}" for server in servers)
        return f"https://matrix.to/#/{quote(place.room, safe='!:')}/{quote(message_id, safe='$')}?{via}"


@contextlib.asynccontextmanager
async def matrix_history(settings: Settings) -> AsyncIterator[MatrixHistory]:
    """A client logged in with the bot's access token (or password), closed afterwards."""
    section = settings.matrix
    config = AsyncClientConfig(max_limit_exceeded=0, max_timeouts=2, request_timeout=60)
    client = AsyncClient(section.homeserver, section.user_id, config=config)
    try:
        if section.access_token is not None:
            client.restore_login(section.user_id, "", section.access_token.resolve())
        elif section.password is not None:
            await client.login(section.password.resolve(), device_name=section.device_name)
        yield MatrixHistory(client, section.user_id.split(":", 1)[-1])
    finally:
        await client.close()
