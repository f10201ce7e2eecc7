"""Which rooms the bot may be in: the allow-list by room id or server, plus its own direct-message rooms."""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

from nio import AsyncClient, JoinedRoomsResponse, RoomGetStateResponse

log = logging.getLogger(__name__)


def room_server(room_id: str, invite_state: Collection[Any] = (), user_id: str | None = None) -> str | None:
    """The server of a room: from its id, else (room version 12 ids have none) from its creator,
    else from whoever invited ``user_id`` (nio drops ``m.room.create`` from invite state)."""
    if ":" in room_id:
        return room_id.split(":", 1)[1]
    sources = [getattr(event, "source", None) or {} for event in invite_state]
    for source in sources:
        if source.get("type") == "m.room.create" and ":" in source.get("sender", ""):
            return str(source["sender"]).split(":", 1)[1]
    for event in invite_state:
        # nio's InviteMemberEvent keeps membership as an attribute, not in its source.
        if getattr(event, "membership", None) == "invite" and getattr(event, "state_key", None) == user_id:
            sender = str(getattr(event, "sender", ""))
            if ":" in sender:
                return sender.split(":", 1)[1]
    return None


class RoomPolicy:
    """Answers whether a room is allowed, remembering each answer; leaves rooms no longer allowed."""

    def __init__(self, client: AsyncClient, allowed: Collection[str]) -> None:
        self._client = client
        self._allowed = frozenset(allowed)
        self._known: dict[str, bool] = {}

    def names(self, room_id: str, server: str | None) -> bool:
        """Whether the allow-list names this room or its server."""
        return room_id in self._allowed or (server is not None and server in self._allowed)

    def allow(self, room_id: str) -> None:
        """Treat ``room_id`` as allowed (a direct-message room the bot keeps with a member)."""
        self._known[room_id] = True

    def allows_invite(self, room_id: str, invite_state: Collection[Any]) -> bool:
        """Whether an invite to ``room_id`` may be accepted."""
        allowed = self._known.get(room_id) or self.names(
            room_id, room_server(room_id, invite_state, self._client.user_id)
        )
        self._known[room_id] = allowed
        return allowed

    async def allows(self, room_id: str) -> bool:
        """Whether the bot may act in a room it is in (asks the homeserver for the creator once)."""
        known = self._known.get(room_id)
        if known is None:
            known = self.names(room_id, await self._server_of(room_id))
            self._known[room_id] = known
        return known

    async def _server_of(self, room_id: str) -> str | None:
        if ":" in room_id:
            return room_server(room_id)
        response = await self._client.room_get_state(room_id)
        if not isinstance(response, RoomGetStateResponse):
            log.warning("cannot read the state of %s to find its server: %s", room_id, response)
            return None
        for event in response.events:
            if event.get("type") == "m.room.create" and event.get("state_key") == "":
                sender = str(event.get("sender", ""))
                return sender.split(":", 1)[1] if ":" in sender else None
        return None

    async def leave_disallowed(self) -> list[str]:
        """Leave every joined room the allow-list no longer names; returns the rooms left."""
        joined = await self._client.joined_rooms()
        if not isinstance(joined, JoinedRoomsResponse):
            log.warning("cannot list the joined rooms to check the allow-list: %s", joined)
            return []
        left: list[str] = []
        for room_id in joined.rooms:
            if await self.allows(room_id):
                continue
            log.info("leaving %s: no longer in allowed_rooms or allowed_servers", room_id)
            await self._client.room_leave(room_id)
            left.append(room_id)
        return left
