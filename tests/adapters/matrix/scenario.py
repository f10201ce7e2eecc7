"""A community on a real Synapse for end-to-end scenarios: the real copbot app, a room admin and two members."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from nio import (
    AsyncClient,
    AsyncClientConfig,
    JoinResponse,
    RoomMessagesResponse,
    RoomPutStateResponse,
    RoomRedactResponse,
)
from sqlalchemy import select

from copbot.adapters.matrix.adapter import MatrixAdapter
from copbot.app import Application
from copbot.config.settings import parse_settings
from copbot.knowledge.search.backend import search
from copbot.store.models import EntryMessage, KnowledgeEntry
from tests.adapters.matrix.helpers import create_room, direct_room, eventually, say, send, wait_joined
from tests.adapters.matrix.homeserver import unique
from tests.adapters.matrix.synapse import RegisteredUser, Synapse

TOKEN_ENV = "COPBOT_TEST_MATRIX_ACCESS_TOKEN"
WAIT = 30.0
"""Seconds any condition may take on a loaded machine."""


def client_for(synapse: Synapse, user: RegisteredUser) -> AsyncClient:
    """A logged-in matrix-nio client, as a person's Matrix client would be."""
    client = AsyncClient(
        synapse.url,
        user.user_id,
        device_id=user.device_id,
        config=AsyncClientConfig(max_timeouts=5, request_timeout=30),
    )
    client.restore_login(user.user_id, user.device_id, user.access_token)
    return client


def thread_content(root: str, body: str) -> dict[str, Any]:
    """An ``m.text`` reply in the thread of ``root``, as Element sends one."""
    relates = {"rel_type": "m.thread", "event_id": root, "is_falling_back": True, "m.in_reply_to": {"event_id": root}}
    return {"msgtype": "m.text", "body": body, "m.relates_to": relates}


def relates_to(content: dict[str, Any], event_id: str) -> bool:
    """Whether a message is in the thread of ``event_id`` or replies to it."""
    relates = content.get("m.relates_to") or {}
    if relates.get("rel_type") == "m.thread" and relates.get("event_id") == event_id:
        return True
    return bool((relates.get("m.in_reply_to") or {}).get("event_id") == event_id)


async def bot_reply(
    bot_messages: Callable[[], Awaitable[list[dict[str, Any]]]], event_id: str, containing: str, within: float
) -> dict[str, Any]:
    """Wait for the bot's first message in the thread of ``event_id`` (or replying to it) containing ``containing``."""

    async def found() -> dict[str, Any] | None:
        replies = [e for e in await bot_messages() if relates_to(e["content"], event_id)]
        matching = [e for e in replies if containing in e["content"]["body"]]
        return matching[0] if matching else None

    reply: dict[str, Any] = await eventually(found, within=within)
    return reply


@dataclass
class Community:
    """The running app, its bot account, the room and the people in it."""

    synapse: Synapse
    app: Application
    bot: RegisteredUser
    room: str
    admin: AsyncClient
    asker: AsyncClient
    helper: AsyncClient
    direct_rooms: dict[str, str] = field(default_factory=dict)
    """The bot's direct-message room with each member, once found."""

    async def bot_messages(self) -> list[dict[str, Any]]:
        """Every message the bot posted in the room, oldest first, as the asker's client reads them."""
        return await messages_by(self.asker, self.room, self.bot.user_id, pages=10)

    async def replies_to(self, event_id: str) -> list[dict[str, Any]]:
        """The bot's messages in the thread of ``event_id`` or replying to it."""
        return [e for e in await self.bot_messages() if relates_to(e["content"], event_id)]

    async def reply_to(self, event_id: str, containing: str = "", within: float = WAIT) -> dict[str, Any]:
        """Wait for the bot's first reply to ``event_id`` whose body contains ``containing``."""
        return await bot_reply(self.bot_messages, event_id, containing, within)

    async def command(
        self, who: AsyncClient, text: str, containing: str = "", within: float = WAIT
    ) -> tuple[str, dict[str, Any]]:
        """Send a command as ``who`` and wait for the bot's answer; returns the command's id and the answer."""
        command_id = await say(who, self.room, text)
        return command_id, await self.reply_to(command_id, containing, within)

    async def private_reply(self, who: AsyncClient, containing: str, within: float = WAIT) -> dict[str, Any]:
        """Wait for the bot's message containing ``containing`` in its direct-message room with ``who``."""
        room = self.direct_rooms.get(who.user_id) or await direct_room(who, self.bot.user_id, within)
        self.direct_rooms[who.user_id] = room

        async def found() -> dict[str, Any] | None:
            page = await who.room_messages(room, limit=100)
            assert isinstance(page, RoomMessagesResponse), page
            mine = [e.source for e in page.chunk if e.source.get("sender") == self.bot.user_id]
            return next((e for e in mine if containing in e.get("content", {}).get("body", "")), None)

        reply: dict[str, Any] = await eventually(found, within=within)
        return reply

    async def in_thread(self, who: AsyncClient, root: str, body: str) -> str:
        return await send(who, self.room, "m.room.message", thread_content(root, body))

    async def react(self, who: AsyncClient, event_id: str, key: str) -> str:
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}
        return await send(who, self.room, "m.reaction", content)

    async def edit(self, who: AsyncClient, event_id: str, body: str) -> str:
        new = {"msgtype": "m.text", "body": body}
        content = {**new, "body": f"* {body}", "m.new_content": new}
        content["m.relates_to"] = {"rel_type": "m.replace", "event_id": event_id}
        return await send(who, self.room, "m.room.message", content)

    async def redact(self, who: AsyncClient, event_id: str) -> None:
        response = await who.room_redact(self.room, event_id, reason="wrong answer")
        assert isinstance(response, RoomRedactResponse), response

    async def pin(self, who: AsyncClient, event_ids: list[str]) -> None:
        response = await who.room_put_state(self.room, "m.room.pinned_events", {"pinned": event_ids})
        assert isinstance(response, RoomPutStateResponse), response

    async def entries(self) -> list[KnowledgeEntry]:
        assert self.app.services is not None
        async with self.app.services.sessions() as session:
            return list(await session.scalars(select(KnowledgeEntry).order_by(KnowledgeEntry.id)))

    async def entry_texts(self, entry_id: int) -> list[tuple[str, str]]:
        """(role, text) of every message kept in an entry, in order."""
        assert self.app.services is not None
        async with self.app.services.sessions() as session:
            rows = await session.scalars(
                select(EntryMessage).where(EntryMessage.entry_id == entry_id).order_by(EntryMessage.position)
            )
            return [(row.role, row.text) for row in rows]

    async def search_ids(self, text: str) -> list[str]:
        """Public ids of the entries the knowledge base search finds for ``text``."""
        assert self.app.services is not None
        async with self.app.services.sessions() as session:
            return [hit.public_id for hit in await search(session, text)]


@asynccontextmanager
async def community(synapse: Synapse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Community]:
    """Register the people, start copbot from a ``[matrix]`` config (token from the environment), make a room."""
    bot, admin_user, asker_user, helper_user = [
        await synapse.register(unique(name)) for name in ("copbot", "admin", "asker", "helper")
    ]
    monkeypatch.setenv(TOKEN_ENV, bot.access_token)
    settings = parse_settings(
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "copbot.sqlite3"}"\n'
        f'[matrix]\nenabled = true\nhomeserver = "{synapse.url}"\nuser_id = "{bot.user_id}"\n'
        f'access_token = {{ env = "{TOKEN_ENV}" }}\nallowed_servers = ["{synapse.server_name}"]\n',
        source="scenario.toml",
        base_dir=tmp_path,
    )
    app = Application(settings)
    clients = [client_for(synapse, user) for user in (admin_user, asker_user, helper_user)]
    admin, asker, helper = clients
    try:
        await app.start()
        assert [type(adapter) for adapter in app.adapters] == [MatrixAdapter]
        room = await create_room(admin, [bot.user_id, asker_user.user_id, helper_user.user_id])
        for client in (asker, helper):
            joined = await client.join(room)
            assert isinstance(joined, JoinResponse), joined
        await wait_joined(admin, room, bot.user_id)
        yield Community(synapse, app, bot, room, admin, asker, helper)
    finally:
        await app.stop()
        for client in clients:
            await client.close()


async def messages_by(reader: AsyncClient, room_id: str, sender: str, *, pages: int) -> list[dict[str, Any]]:
    """Every message ``sender`` posted in ``room_id``, oldest first, as ``reader`` reads up to ``pages`` pages back."""
    found: list[dict[str, Any]] = []
    token: str | None = None
    for _ in range(pages):
        page = await reader.room_messages(room_id, start=token, limit=100)
        assert isinstance(page, RoomMessagesResponse), page
        found.extend(e.source for e in page.chunk if e.source.get("sender") == sender)
        if not page.chunk or not page.end:
            break
        token = page.end
    return [e for e in reversed(found) if e.get("type") == "m.room.message"]
