"""Helpers for Matrix adapter tests: an event collector and member-side room actions."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, TypeVar

from nio import (
    AsyncClient,
    JoinedMembersResponse,
    JoinResponse,
    RoomCreateResponse,
    RoomGetEventResponse,
    RoomMessagesResponse,
    RoomSendResponse,
)

from copbot.core.events import AnyEvent

E = TypeVar("E")


class Collector:
    """An EventSink that appends every event, with a way to wait for one."""

    def __init__(self) -> None:
        self.events: list[AnyEvent] = []

    async def __call__(self, event: AnyEvent) -> None:
        self.events.append(event)

    def of(self, kind: type[E]) -> list[E]:
        return [event for event in self.events if isinstance(event, kind)]

    async def wait_for(self, kind: type[E], match: Callable[[E], bool], within: float = 20) -> E:
        """The first collected event of ``kind`` that ``match`` accepts, waiting up to ``within`` seconds."""
        deadline = time.monotonic() + within
        while True:
            for event in self.of(kind):
                if match(event):
                    return event
            if time.monotonic() > deadline:
                raise AssertionError(f"no matching {kind.__name__} within {within}s; got {self.events}")
            await asyncio.sleep(0.05)


class SlowCollector(Collector):
    """A Collector that takes ``delay`` seconds over each event, as a busy bot would."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def __call__(self, event: AnyEvent) -> None:
        await asyncio.sleep(self.delay)
        await super().__call__(event)


async def eventually(check: Callable[[], Any], within: float = 20) -> Any:
    """Await ``check()`` until it returns something truthy, failing after ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s")
        await asyncio.sleep(0.1)


async def create_room(member: AsyncClient, invite: list[str], *, encrypted: bool = False) -> str:
    """A private room created by ``member`` (power level 100) with ``invite`` invited."""
    state = [{"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]
    response = await member.room_create(invite=invite, initial_state=state if encrypted else ())
    assert isinstance(response, RoomCreateResponse), response
    return str(response.room_id)


async def is_joined(member: AsyncClient, room_id: str, user_id: str) -> bool:
    response = await member.joined_members(room_id)
    return isinstance(response, JoinedMembersResponse) and any(m.user_id == user_id for m in response.members)


async def wait_joined(member: AsyncClient, room_id: str, user_id: str) -> None:
    await eventually(lambda: is_joined(member, room_id, user_id))


async def room_with_bot(member: AsyncClient, bot_user_id: str) -> str:
    """A new room the member created with the bot invited, once the bot has joined it."""
    room = await create_room(member, [bot_user_id])
    await wait_joined(member, room, bot_user_id)
    return room


async def say(member: AsyncClient, room_id: str, body: str, **extra: Any) -> str:
    """Send an ``m.text`` message as ``member`` and return its event id."""
    return await send(member, room_id, "m.room.message", {"msgtype": "m.text", "body": body, **extra})


async def send(member: AsyncClient, room_id: str, event_type: str, content: dict[str, Any]) -> str:
    response = await member.room_send(room_id, event_type, content)
    assert isinstance(response, RoomSendResponse), response
    return str(response.event_id)


async def get_event(member: AsyncClient, room_id: str, event_id: str) -> dict[str, Any]:
    """The event as the member's client sees it."""
    response = await member.room_get_event(room_id, event_id)
    assert isinstance(response, RoomGetEventResponse), response
    source: dict[str, Any] = response.event.source
    return source


async def messages_from(member: AsyncClient, room_id: str, sender: str) -> list[dict[str, Any]]:
    """The recent ``m.room.message`` events ``sender`` posted in the room, newest first."""
    response = await member.room_messages(room_id, limit=100)
    assert isinstance(response, RoomMessagesResponse), response
    return [
        e.source
        for e in response.chunk
        if e.source.get("sender") == sender and e.source.get("type") == "m.room.message"
    ]


async def direct_room(member: AsyncClient, bot_id: str, within: float = 45) -> str:
    """Join the direct-message room the bot invited ``member`` to, and return its id."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        response = await member.sync(timeout=1000, full_state=True)
        for room_id, invite in getattr(getattr(response, "rooms", None), "invite", {}).items():
            if any(getattr(event, "sender", None) == bot_id for event in invite.invite_state):
                joined = await member.join(room_id)
                assert isinstance(joined, JoinResponse), joined
                return str(room_id)
    raise AssertionError(f"{bot_id} never invited {member.user_id} to a direct-message room")
