"""Fixtures: the fake Discord REST API, and a logged-in adapter whose guild came through the parsers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import discord
import pytest

from copbot.adapters.discord.adapter import DiscordAdapter
from copbot.core.events import AnyEvent
from tests.adapters.discord import payloads as p
from tests.adapters.discord.fake_api import FakeDiscord

E = TypeVar("E")
TAGS = ["python", "pytest", "asyncio", "django"]


@dataclass
class RecordingSink:
    """An event sink that keeps every event and lets a test wait for the next one of a type."""

    events: list[AnyEvent] = field(default_factory=list)
    fail_on: Callable[[AnyEvent], bool] = lambda event: False
    gate: asyncio.Event | None = None
    """When set, the sink holds every event until the gate opens, like a slow core."""
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def __call__(self, event: AnyEvent) -> None:
        async with self._arrived:
            self.events.append(event)
            self._arrived.notify_all()
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_on(event):
            raise RuntimeError(f"sink refuses {type(event).__name__}")

    async def wait_for(self, kind: type[E], count: int = 1) -> list[E]:
        """The first ``count`` events of ``kind``, waiting up to five seconds for them to arrive."""

        def found() -> list[E]:
            return [event for event in self.events if isinstance(event, kind)]

        async with asyncio.timeout(5), self._arrived:
            await self._arrived.wait_for(lambda: len(found()) >= count)
        return found()[:count]


@dataclass
class Harness:
    """The adapter under test, what it delivered, and the fake API it talked to."""

    adapter: DiscordAdapter
    sink: RecordingSink
    api: FakeDiscord

    @property
    def state(self) -> Any:
        return self.adapter.client._connection

    def gateway(self, event: str, payload: p.Payload) -> None:
        """Feed a gateway dispatch to discord.py's parser for it, as its websocket does."""
        self.state.parsers[event](payload)


async def tag_source(prefix: str) -> list[str]:
    """Tag names starting with what was typed."""
    return [tag for tag in TAGS if tag.startswith(prefix)]


@pytest.fixture
async def api(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """The fake REST API, with discord.py's routes pointed at it for the test."""
    server = FakeDiscord()
    server.channels[p.FORUM_POST_ID] = p.forum_post()
    server.members[p.ALICE_ID] = p.member(p.ALICE)
    server.members[p.BOB_ID] = p.member(p.BOB)
    await server.start()
    monkeypatch.setattr(discord.http.Route, "BASE", server.base)
    yield server
    await server.close()


async def make_harness(api: FakeDiscord, **options: Any) -> Harness:
    """Log an adapter in against ``api`` and bring its guild in through READY and GUILD_CREATE."""
    sink = RecordingSink()
    adapter = DiscordAdapter("test-token", guild_ids=[int(p.GUILD_ID)], tag_source=tag_source, **options)
    await adapter.login(sink)
    harness = Harness(adapter, sink, api)
    harness.state.guild_ready_timeout = 0.01
    harness.gateway("READY", p.ready())
    harness.gateway("GUILD_CREATE", p.guild_create())
    await asyncio.wait_for(adapter.client.wait_until_ready(), 5)
    return harness


@pytest.fixture
async def bot(api: FakeDiscord) -> AsyncIterator[Harness]:
    """A logged-in adapter that knows the test guild."""
    harness = await make_harness(api)
    yield harness
    await harness.adapter.stop()
