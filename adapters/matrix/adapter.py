"""The Matrix adapter: copbot's Adapter on top of a matrix-nio AsyncClient."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Collection
from typing import Any
from urllib.parse import quote

from nio import (
    AsyncClient,
    AsyncClientConfig,
    LoginResponse,
    RoomGetEventResponse,
    RoomGetStateResponse,
    RoomSendResponse,
    WhoamiResponse,
)
from nio.api import MessageDirection, RelationshipType

from copbot.adapters.matrix.convert import PLATFORM, ConvertContext, builtin_names, convert_event
from copbot.adapters.matrix.direct import DirectRooms
from copbot.adapters.matrix.inbound import Inbound
from copbot.adapters.matrix.power import MODERATOR_LEVEL, power_level
from copbot.adapters.matrix.render import ENCRYPTION_NOTICE, message_content, reaction_content
from copbot.adapters.matrix.rooms import RoomPolicy, room_server
from copbot.adapters.matrix.state import StateStore
from copbot.adapters.matrix.sync import SyncLoop
from copbot.config.errors import ConfigError
from copbot.core.adapter import Adapter, Capabilities, EventSink, MemberInfo, Outgoing, SentMessage
from copbot.core.events import CommandInvoked, Member, MessagePosted, Place

log = logging.getLogger(__name__)


class MatrixError(RuntimeError):
    """A Matrix request the homeserver refused."""


class LoginRefused(MatrixError, ConfigError):
    """The homeserver refused the configured credentials: the command line says so in one sentence."""


class MatrixAdapter(Adapter):
    """Receives through /sync and acts through the client-server API, as one bot account."""

    platform = PLATFORM
    capabilities = Capabilities(
        threads=True, create_threads=False, ephemeral=False, native_pins=True, reactions=True, html=True
    )

    def __init__(
        self,
        homeserver: str,
        user_id: str,
        *,
        state: StateStore,
        access_token: str | None = None,
        password: str | None = None,
        device_id: str | None = None,
        device_name: str = "copbot",
        allowed: Collection[str] = (),
        command_prefix: str = "!",
        command_names: Collection[str] | None = None,
        bot_ids: Collection[str] = (),
        msgtype: str = "m.notice",
        sync_timeout_ms: int = 30_000,
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
    ) -> None:
        if not access_token and not password:
            raise ValueError("MatrixAdapter needs an access token or a password")
        self.homeserver = homeserver.rstrip("/")
        self.user_id = user_id
        self._state = state
        self._access_token = access_token
        self._password = password
        self._device_id = device_id
        self._device_name = device_name
        self._allowed = tuple(allowed)
        names = builtin_names() if command_names is None else frozenset(name.lower() for name in command_names)
        self._ctx = ConvertContext(commands=names, prefix=command_prefix, bots=frozenset(bot_ids))
        self.command_prefix = command_prefix
        self._msgtype = msgtype
        self._sync_timeout_ms = sync_timeout_ms
        self._backoff = (backoff_initial, backoff_max)
        self._client: AsyncClient | None = None
        self._inbound: Inbound | None = None
        self._loop: SyncLoop | None = None
        self._direct: DirectRooms | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def client(self) -> AsyncClient:
        """The nio client, once started."""
        if self._client is None:
            raise RuntimeError("the Matrix adapter is not started")
        return self._client

    @property
    def sync_loop(self) -> SyncLoop:
        """The running sync loop, once started."""
        if self._loop is None:
            raise RuntimeError("the Matrix adapter is not started")
        return self._loop

    def _key(self, name: str) -> str:
        return f"matrix:{self.user_id}:{name}"

    async def start(self, sink: EventSink) -> None:
        """Log in, resume or skip history, then sync in the background; returns once connected."""
        if self._task is not None:
            raise RuntimeError("the Matrix adapter is already started")
        device_id = self._device_id or await self._state.get(self._key("device_id"))
        config = AsyncClientConfig(max_timeouts=2, max_limit_exceeded=20, request_timeout=60)
        client = AsyncClient(self.homeserver, self.user_id, device_id=device_id or "", config=config)
        self._client = client
        try:
            await self._login(client, device_id)
            rooms = RoomPolicy(client, self._allowed)
            self._direct = DirectRooms(client)
            for room_id in await self._direct.load():
                rooms.allow(room_id)
            self._inbound = Inbound(
                client,
                self._ctx,
                self._state,
                rooms=rooms,
                ignored={self.user_id, *self._ctx.bots},
                notify_encrypted=self._notify_encrypted,
            )
            self._loop = SyncLoop(
                client,
                self._state,
                self._key("next_batch"),
                self._inbound.handle,
                timeout_ms=self._sync_timeout_ms,
                backoff_initial=self._backoff[0],
                backoff_max=self._backoff[1],
            )
            await self._loop.prepare()
            await rooms.leave_disallowed()
        except BaseException:
            await client.close()
            self._client = None
            raise
        self._inbound.sink = sink
        self._task = self._loop.start(name=f"matrix-sync-{self.user_id}")

    async def _login(self, client: AsyncClient, device_id: str | None) -> None:
        if self._access_token:
            client.restore_login(self.user_id, device_id or "", self._access_token)
            who = await client.whoami()
            if not isinstance(who, WhoamiResponse):
                raise LoginRefused(
                    f"the Matrix homeserver refused the access token of {self.user_id} ({who.message}); "
                    "log the bot in again and give the new token"
                )
            device_id = who.device_id or device_id
            client.device_id = device_id or ""
        else:
            assert self._password is not None
            login = await client.login(self._password, device_name=self._device_name)
            if not isinstance(login, LoginResponse):
                raise LoginRefused(f"the Matrix homeserver refused the password of {self.user_id} ({login.message})")
            device_id = login.device_id
        if device_id:
            await self._state.set(self._key("device_id"), device_id)
        profile = await client.get_displayname(self.user_id)
        name = getattr(profile, "displayname", None) or self.user_id.split(":", 1)[0].lstrip("@")
        self.bot_member = Member(self.user_id, name, is_bot=True)
        log.info("logged in to Matrix as %s (device %s)", self.user_id, device_id)

    async def stop(self) -> None:
        """Finish the event being handled (the rest of its sync batch is handled after a restart), then disconnect."""
        task, self._task = self._task, None
        if task is not None and self._loop is not None:
            await self._loop.stop()
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    async def wait_closed(self) -> None:
        """Return when the adapter is stopped, or when its sync loop ends for good (a revoked token)."""
        task = self._task
        if task is None:
            return
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(task)

    async def _send_raw(self, room_id: str, event_type: str, content: dict[str, Any]) -> str:
        """Send one room event (nio waits out 429 / M_LIMIT_EXCEEDED and retries) and return its id."""
        response = await self.client.room_send(room_id, event_type, content)
        if not isinstance(response, RoomSendResponse):
            raise MatrixError(f"sending {event_type} to {room_id} failed: {response}")
        return str(response.event_id)

    async def _notify_encrypted(self, room_id: str) -> None:
        await self.send(Place(PLATFORM, room_id), ENCRYPTION_NOTICE)

    async def send(self, place: Place, content: Outgoing, *, reply_to: str | None = None) -> SentMessage:
        latest = None
        if place.thread is not None and self._inbound is not None:
            latest = self._inbound.thread_latest.get(place.thread)
        body = message_content(
            content, msgtype=self._msgtype, thread_root=place.thread, reply_to=reply_to, thread_latest=latest
        )
        event_id = await self._send_raw(place.room, "m.room.message", body)
        if place.thread is not None and self._inbound is not None:
            self._inbound.thread_latest.remember(place.thread, event_id)
        return SentMessage(event_id, place, self.message_url(place, event_id))

    async def open_thread(self, message: MessagePosted, title: str) -> Place:
        """Matrix threads hang off a message: replying in ``Place(thread=message.id)`` opens one."""
        if message.place.thread is not None:
            return message.place
        return message.place.in_thread(message.id)

    async def react(self, place: Place, message_id: str, emoji: str) -> None:
        await self._send_raw(place.room, "m.reaction", reaction_content(message_id, emoji))

    async def respond_privately(self, command: CommandInvoked, content: Outgoing) -> SentMessage | None:
        """Matrix has no ephemeral messages: answer in the direct-message room with the member (made once)."""
        if self._direct is None or self._inbound is None:
            raise RuntimeError("the Matrix adapter is not started")
        if self._direct.is_direct(command.place.room):
            return await self.send(command.place, content, reply_to=command.id)
        room = await self._direct.room_for(command.author.id)
        self._inbound.rooms.allow(room)
        return await self.send(Place(PLATFORM, room), content)

    async def fetch_thread(self, place: Place) -> list[MessagePosted]:
        """The thread root and its replies (through the relations API), oldest first."""
        if place.thread is None:
            return []
        plain = dataclasses.replace(self._ctx, commands=frozenset())
        root = await self.client.room_get_event(place.room, place.thread)
        if not isinstance(root, RoomGetEventResponse):
            raise MatrixError(f"cannot fetch thread root {place.thread}: {root}")
        sources: list[Any] = [root.event.source]
        relations = self.client.room_get_event_relations(
            place.room, place.thread, RelationshipType.thread, direction=MessageDirection.front, limit=100
        )
        try:
            sources.extend([event.source async for event in relations])
        except AttributeError:
            # nio reads next_batch from an error response; the page before it is kept.
            log.warning("fetching the relations of %s failed part way", place.thread)
        result: list[MessagePosted] = []
        for source in sources:
            for event in convert_event(source, place.room, plain):
                if isinstance(event, MessagePosted):
                    result.append(event)
        if result and result[0].id == place.thread:
            result[0] = dataclasses.replace(result[0], place=place, opens_thread=True)
        return result

    async def member_info(self, place: Place, member: Member) -> MemberInfo:
        """The member's power level in the room (creators of v12 rooms outrank all); 50+ moderates."""
        response = await self.client.room_get_state(place.room)
        if not isinstance(response, RoomGetStateResponse):
            raise MatrixError(f"cannot read the state of {place.room}: {response}")
        level = power_level(response.events, member.id)
        return MemberInfo(power_level=level, platform_moderator=level >= MODERATOR_LEVEL)

    async def place_is_public(self, place: Place) -> bool:
        """Public when anyone may join (join rule "public") or read it ("world_readable" history)."""
        response = await self.client.room_get_state(place.room)
        if not isinstance(response, RoomGetStateResponse):
            log.warning("cannot read the state of %s; treating it as private", place.room)
            return False
        join_rule, history = "invite", "shared"
        for event in response.events:
            content = event.get("content") or {}
            if event.get("type") == "m.room.join_rules" and event.get("state_key") == "":
                join_rule = str(content.get("join_rule", join_rule))
            elif event.get("type") == "m.room.history_visibility" and event.get("state_key") == "":
                history = str(content.get("history_visibility", history))
        return join_rule == "public" or history == "world_readable"

    def message_url(self, place: Place, message_id: str) -> str | None:
        """A matrix.to link with ``via`` servers (the bot's own is always in the room), so outsiders can open it."""
        servers = dict.fromkeys(s for s in (self.user_id.split(":", 1)[-1], room_server(place.room)) if s)
        via = "&".join(f"via={quote(server, safe='')}" for server in servers)
        return f"https://matrix.to/#/{quote(place.room, safe='!:')}/{quote(message_id, safe='$')}?{via}"
