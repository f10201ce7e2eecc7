"""Direct-message rooms with members, found and recorded through the ``m.direct`` account data."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import quote

from nio import AsyncClient, RoomCreateResponse, RoomGetStateEventResponse, RoomPreset

log = logging.getLogger(__name__)


class DirectRooms:
    """The bot's one direct-message room per member: reused from ``m.direct``, else created and recorded."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client
        self._rooms: dict[str, str] = {}
        self._checked: set[str] = set()
        self._lock = asyncio.Lock()

    def _path(self) -> str:
        return f"/_matrix/client/v3/user/{quote(self._client.user_id, safe='')}/account_data/m.direct"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._client.access_token}", "Content-Type": "application/json"}

    async def _read(self) -> dict[str, list[str]]:
        response = await self._client.send("GET", self._path(), headers=self._headers())
        if response.status == 404:
            return {}
        payload: Any = await response.json()
        if response.status != 200 or not isinstance(payload, dict):
            raise RuntimeError(f"cannot read m.direct: {response.status} {payload}")
        return {str(user): [str(room) for room in rooms] for user, rooms in payload.items() if isinstance(rooms, list)}

    async def load(self) -> set[str]:
        """Read ``m.direct``; returns every room it names, so the allow-list can keep them."""
        try:
            mapping = await self._read()
        except RuntimeError as error:
            log.warning("%s; direct-message rooms will be opened anew", error)
            return set()
        for user, rooms in mapping.items():
            if rooms:
                self._rooms[user] = rooms[-1]
        return {room for rooms in mapping.values() for room in rooms}

    def is_direct(self, room_id: str) -> bool:
        """Whether ``room_id`` is the bot's direct-message room with someone."""
        return room_id in self._rooms.values()

    async def room_for(self, user_id: str) -> str:
        """The direct-message room with ``user_id``, created (and the member invited) the first time."""
        async with self._lock:
            room = self._rooms.get(user_id)
            if room is not None and await self._usable(room, user_id):
                return room
            created = await self._client.room_create(
                is_direct=True, invite=[user_id], preset=RoomPreset.trusted_private_chat
            )
            if not isinstance(created, RoomCreateResponse):
                raise RuntimeError(f"cannot open a direct-message room with {user_id}: {created}")
            room = str(created.room_id)
            self._rooms[user_id] = room
            self._checked.add(room)
            mapping = await self._read()
            mapping.setdefault(user_id, [])
            if room not in mapping[user_id]:
                mapping[user_id].append(room)
            response = await self._client.send("PUT", self._path(), json.dumps(mapping), headers=self._headers())
            if response.status != 200:
                log.warning("could not record the direct-message room %s in m.direct: %s", room, response.status)
            log.info("opened a direct-message room %s with %s", room, user_id)
            return room

    async def _usable(self, room: str, user_id: str) -> bool:
        """Whether the bot is still in ``room`` with the member (re-inviting a member who left), once per run."""
        if room in self._checked:
            return True
        mine = await self._client.room_get_state_event(room, "m.room.member", self._client.user_id)
        if not isinstance(mine, RoomGetStateEventResponse) or mine.content.get("membership") != "join":
            return False
        theirs = await self._client.room_get_state_event(room, "m.room.member", user_id)
        membership = theirs.content.get("membership") if isinstance(theirs, RoomGetStateEventResponse) else None
        if membership not in ("join", "invite"):
            await self._client.room_invite(room, user_id)
        self._checked.add(room)
        return True
