"""Turning Matrix sync responses into copbot events: filtering, invites and encryption notices."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from nio import AsyncClient, InviteInfo, JoinError, MegolmEvent, SyncResponse

from copbot.adapters.matrix.convert import ConvertContext, convert_event, thread_root_of
from copbot.adapters.matrix.rooms import RoomPolicy
from copbot.adapters.matrix.state import StateStore
from copbot.adapters.matrix.sync import Batch
from copbot.core.adapter import EventSink
from copbot.core.events import AnyEvent, ReactionAdded

log = logging.getLogger(__name__)

_REMEMBERED = 5000
"""How many reaction and thread entries are remembered (oldest forgotten first)."""


class SinkRefused(Exception):
    """The sink raised on an event: it was not handled."""


def is_notice(source: dict[str, Any]) -> bool:
    """Whether a message (or the new content of an edit) is an ``m.notice``: what bots post, never answered."""
    if source.get("type") != "m.room.message":
        return False
    content = source.get("content") or {}
    new = content.get("m.new_content")
    return (new if isinstance(new, dict) else content).get("msgtype") == "m.notice"


class _Bounded(OrderedDict[str, Any]):
    """A dict that forgets its oldest entries past a size."""

    def remember(self, key: str, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > _REMEMBERED:
            self.popitem(last=False)


class Inbound:
    """Handles each sync response for the adapter and feeds the sink in timeline order."""

    def __init__(
        self,
        client: AsyncClient,
        ctx: ConvertContext,
        state: StateStore,
        *,
        rooms: RoomPolicy,
        ignored: Collection[str],
        notify_encrypted: Callable[[str], Awaitable[None]],
    ) -> None:
        self._client = client
        self._ctx = ctx
        self._state = state
        self.rooms = rooms
        self._ignored = frozenset(ignored) | {client.user_id}
        self._notify_encrypted = notify_encrypted
        self.sink: EventSink | None = None
        self.pins: dict[str, list[str]] = {}
        self.reactions: _Bounded = _Bounded()
        self.thread_latest: _Bounded = _Bounded()
        self._warned: set[str] = set()

    async def handle(self, response: SyncResponse, gaps: dict[str, list[Any]], batch: Batch | None) -> None:
        """Process invites, room state and timelines; deliver events only with a ``batch``, each once."""
        for room_id, invite in response.rooms.invite.items():
            await self._on_invite(room_id, invite)
        for room_id, info in response.rooms.join.items():
            if not await self.rooms.allows(room_id):
                log.debug("ignoring %s: not in allowed_rooms or allowed_servers", room_id)
                continue
            for event in info.state:
                source = getattr(event, "source", None)
                if isinstance(source, dict):
                    await self._observe_state(room_id, source)
                    self._track(room_id, source)
            for event in [*gaps.get(room_id, []), *info.timeline.events]:
                source = getattr(event, "source", None)
                if not isinstance(source, dict):
                    continue
                if batch is not None:
                    if batch.stopping:
                        return
                    event_id = str(source.get("event_id", ""))
                    if not batch.is_done(event_id):
                        await self._observe_state(room_id, source)
                        try:
                            delivered = await self._deliver(room_id, event, source)
                        except SinkRefused:
                            batch.refused(event_id)
                            return
                        if delivered:
                            await batch.done(event_id)
                else:
                    await self._observe_state(room_id, source)
                self._track(room_id, source)

    async def _on_invite(self, room_id: str, invite: InviteInfo) -> None:
        if not self.rooms.allows_invite(room_id, invite.invite_state):
            log.info("declining invite to %s: not in the allow-list", room_id)
            await self._client.room_leave(room_id)
            return
        result = await self._client.join(room_id)
        if isinstance(result, JoinError):
            log.warning("could not join %s: %s", room_id, result)
        else:
            log.info("joined %s on invite", room_id)

    async def _observe_state(self, room_id: str, source: dict[str, Any]) -> None:
        kind = source.get("type")
        if kind == "m.room.encryption" and source.get("state_key") == "":
            await self._warn_encrypted(room_id)

    async def _warn_encrypted(self, room_id: str) -> None:
        if room_id in self._warned:
            return
        self._warned.add(room_id)
        key = f"matrix:{self._client.user_id}:encryption-notice:{room_id}"
        if await self._state.get(key) is not None:
            return
        log.warning("room %s is encrypted, which the bot cannot read; telling the room", room_id)
        await self._notify_encrypted(room_id)
        await self._state.set(key, "sent")

    def _name_of(self, room_id: str) -> Callable[[str], str | None]:
        room = self._client.rooms.get(room_id)

        def name_of(user_id: str) -> str | None:
            user = room.users.get(user_id) if room is not None else None
            return user.display_name if user is not None else None

        return name_of

    async def _deliver(self, room_id: str, event: Any, source: dict[str, Any]) -> bool:
        """Hand the event's copbot events to the sink; True when there was anything to hand over."""
        if source.get("sender") in self._ignored or is_notice(source):
            return False
        if isinstance(event, MegolmEvent):
            log.debug("ignoring an encrypted event in %s", room_id)
            return False
        events = convert_event(
            source,
            room_id,
            self._ctx,
            self._name_of(room_id),
            pinned_before=self.pins.get(room_id),
            reactions=self.reactions,
        )
        for converted in events:
            await self._emit(converted)
        return bool(events)

    async def _emit(self, event: AnyEvent) -> None:
        if self.sink is None:
            return
        try:
            await self.sink(event)
        except Exception as error:
            # The dispatcher guards every handler, so a sink that raises has refused the event because
            # the bot is stopping: it is not counted as handled, and the next run delivers it again.
            log.info(
                "the event sink refused %s (%s); it is delivered again after a restart", type(event).__name__, error
            )
            raise SinkRefused from error

    def _track(self, room_id: str, source: dict[str, Any]) -> None:
        """Remember pins, reactions and the newest event per thread, for later conversions."""
        kind = source.get("type")
        if kind == "m.room.pinned_events" and source.get("state_key") == "":
            self.pins[room_id] = list((source.get("content") or {}).get("pinned") or [])
        elif kind == "m.reaction":
            for event in convert_event(source, room_id, self._ctx, self._name_of(room_id)):
                if isinstance(event, ReactionAdded):
                    self.reactions.remember(str(source.get("event_id")), event)
        elif kind == "m.room.message":
            root = thread_root_of(source)
            if root is not None:
                self.thread_latest.remember(root, source.get("event_id"))
