"""The real copbot Application on SQLite around a real Discord adapter logged in against the fake REST API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select

from copbot.adapters.discord.adapter import DiscordAdapter
from copbot.app import Application
from copbot.config.settings import parse_settings
from copbot.core.adapter import EventSink
from copbot.core.events import AnyEvent
from copbot.core.services import Services
from copbot.knowledge.search.backend import search
from copbot.knowledge.search.filters import SearchFilters, SearchHit
from copbot.store.models import KnowledgeEntry
from tests.adapters.discord import payloads as p
from tests.adapters.discord.fake_api import FakeDiscord, Payload, Recorded

E = TypeVar("E")
CALLBACK = r"/interactions/{}/[^/]+/callback"


class GatewaylessAdapter(DiscordAdapter):
    """The real adapter, logged in over REST but with no gateway socket: the test feeds gateway events.

    It notes each event once the core has finished with it, so a test can wait for the core."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.handled: list[AnyEvent] = []
        self._done = asyncio.Condition()

    async def start(self, sink: EventSink) -> None:
        async def counted(event: AnyEvent) -> None:
            try:
                await sink(event)
            finally:
                async with self._done:
                    self.handled.append(event)
                    self._done.notify_all()

        await self.login(counted)

    async def handled_events(self, kind: type[E], count: int = 1) -> list[E]:
        """The first ``count`` events of ``kind`` the core has finished handling; waits up to five seconds."""

        def found() -> list[E]:
            return [event for event in self.handled if isinstance(event, kind)]

        async with asyncio.timeout(5), self._done:
            await self._done.wait_for(lambda: len(found()) >= count)
        return found()[:count]


class Community:
    """A running copbot on one Discord guild, reached only through gateway payloads and the fake API."""

    def __init__(self, app: Application, adapter: GatewaylessAdapter, api: FakeDiscord) -> None:
        self.app = app
        self.adapter = adapter
        self.api = api

    @property
    def services(self) -> Services:
        assert self.app.services is not None
        return self.app.services

    def gateway(self, event: str, payload: Payload) -> None:
        """Feed a gateway dispatch to discord.py's parser for it, as its websocket does."""
        self.adapter.client._connection.parsers[event](payload)

    def post(self, message: Payload) -> Payload:
        """A member posts ``message``: Discord stores it and sends MESSAGE_CREATE."""
        self.api.add_message(message)
        self.gateway("MESSAGE_CREATE", message)
        return message

    def interact(self, payload: Payload) -> str:
        """A member uses a command; returns the pattern of its callback path."""
        self.gateway("INTERACTION_CREATE", payload)
        return CALLBACK.format(payload["id"])

    async def callbacks(self, payload: Payload, count: int = 1) -> list[Recorded]:
        """The callbacks copbot made for one interaction, once there are ``count`` of them."""
        return await self.api.expect("POST", CALLBACK.format(payload["id"]), count)

    async def entries(self) -> list[KnowledgeEntry]:
        """Every knowledge entry, oldest first, with its messages."""
        async with self.services.sessions() as session:
            rows = await session.scalars(select(KnowledgeEntry).order_by(KnowledgeEntry.id))
            found = list(rows)
            for entry in found:
                await session.refresh(entry, ["messages"])
            return found

    async def search(self, text: str) -> list[SearchHit]:
        """What the knowledge base search finds for ``text``."""
        async with self.services.sessions() as session:
            return await search(session, text, SearchFilters())


def thread_create(thread: Payload) -> Payload:
    """THREAD_CREATE for a thread just made (in a forum: a new post)."""
    return {**thread, "newly_created": True}


@contextlib.asynccontextmanager
async def running_community(tmp_path: Path, api: FakeDiscord) -> AsyncIterator[Community]:
    """Start copbot with migrations applied and the Discord adapter logged in; the guild arrives by gateway."""
    text = f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "copbot.sqlite3"}"\n'
    settings = parse_settings(text, source="test.toml", base_dir=tmp_path)
    adapter = GatewaylessAdapter("test-token", guild_ids=[int(p.GUILD_ID)])
    app = Application(settings, adapters=[adapter])
    await app.start()
    try:
        adapter.client._connection.guild_ready_timeout = 0.01
        community = Community(app, adapter, api)
        community.gateway("READY", p.ready())
        community.gateway("GUILD_CREATE", p.guild_create())
        await asyncio.wait_for(adapter.client.wait_until_ready(), 5)
        yield community
    finally:
        await app.stop()
