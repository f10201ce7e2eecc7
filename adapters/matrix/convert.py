"""Pure conversion of Matrix events (raw dicts or nio events) into copbot events."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from copbot.commands.catalog import builtin_registry
from copbot.commands.parse import TextCommands
from copbot.core.clock import Clock, SystemClock
from copbot.core.events import (
    AnyEvent,
    Attachment,
    CommandInvoked,
    Member,
    MessageDeleted,
    MessageEdited,
    MessagePinned,
    MessagePosted,
    MessageUnpinned,
    Place,
    ReactionAdded,
    ReactionRemoved,
)

log = logging.getLogger(__name__)

PLATFORM = "matrix"
_TEXT_TYPES = frozenset({"m.text", "m.notice", "m.emote"})
_FILE_TYPES = frozenset({"m.file", "m.image", "m.video", "m.audio"})

NameOf = Callable[[str], str | None]
"""Gives a user's display name in the room being converted, if known."""


def builtin_names() -> frozenset[str]:
    """The names of copbot's own commands, from their declarations."""
    return frozenset(builtin_registry().names())


@dataclass(frozen=True, slots=True)
class ConvertContext:
    """What conversion needs to know besides the event: command words, prefix and bot ids."""

    commands: frozenset[str] = field(default_factory=builtin_names)
    prefix: str = "!"
    bots: frozenset[str] = field(default_factory=frozenset)

    @property
    def text_commands(self) -> TextCommands:
        """The shared parser for typed commands with this room's prefix ("/" works too)."""
        return TextCommands(self.prefix, self.commands)


_SYSTEM = SystemClock()
"""The time of an event that carries none (real Matrix events always carry one)."""


def timestamp(origin_server_ts: int | float | None, clock: Clock = _SYSTEM) -> datetime:
    """Milliseconds since the epoch as an aware UTC datetime (``clock``'s now when missing)."""
    if origin_server_ts is None:
        return clock.now()
    return datetime.fromtimestamp(origin_server_ts / 1000, tz=UTC)


def strip_reply_fallback(body: str) -> str:
    """Drop the ``> <@user> quoted`` lines a client puts in front of a reply's body."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith("> <"):
        return body
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    if index < len(lines) and lines[index] == "":
        index += 1
    return "\n".join(lines[index:])


def member_of(user_id: str, ctx: ConvertContext, name_of: NameOf | None = None) -> Member:
    """The copbot member for a Matrix user id, with display name when known."""
    name = (name_of(user_id) if name_of else None) or user_id.split(":", 1)[0].lstrip("@")
    return Member(id=user_id, name=name, is_bot=user_id in ctx.bots)


def _relation(content: Mapping[str, Any]) -> Mapping[str, Any]:
    relates = content.get("m.relates_to")
    return relates if isinstance(relates, Mapping) else {}


def thread_root_of(source: Mapping[str, Any]) -> str | None:
    """The thread root event id when ``source`` is in a thread, or is a root with known replies."""
    relates = _relation(source.get("content") or {})
    if relates.get("rel_type") == "m.thread" and isinstance(relates.get("event_id"), str):
        return str(relates["event_id"])
    relations = (source.get("unsigned") or {}).get("m.relations") or {}
    if "m.thread" in relations:
        return str(source["event_id"])
    return None


def convert_event(
    source: Mapping[str, Any],
    room_id: str,
    ctx: ConvertContext,
    name_of: NameOf | None = None,
    *,
    pinned_before: Collection[str] | None = None,
    reactions: Mapping[str, ReactionAdded] | None = None,
) -> list[AnyEvent]:
    """The copbot events for one Matrix room event; empty when it means nothing to copbot.

    ``pinned_before`` is the previous pin list when the event has no ``unsigned.prev_content``;
    ``reactions`` maps known reaction event ids so that their redaction becomes ReactionRemoved.
    """
    kind = source.get("type")
    content = source.get("content") or {}
    sender = source.get("sender", "")
    created = timestamp(source.get("origin_server_ts"))
    room = Place(PLATFORM, room_id)
    if kind == "m.room.message":
        return _message(source, content, room, created, ctx, name_of)
    if kind == "m.reaction":
        relates = _relation(content)
        if relates.get("rel_type") != "m.annotation" or "event_id" not in relates:
            return []
        return [
            ReactionAdded(
                place=room,
                created_at=created,
                raw=source,
                message_id=relates["event_id"],
                member=member_of(sender, ctx, name_of),
                emoji=str(relates.get("key", "")),
            )
        ]
    if kind == "m.room.redaction":
        redacts = source.get("redacts") or content.get("redacts")
        if not isinstance(redacts, str):
            return []
        known = (reactions or {}).get(redacts)
        if known is not None:
            return [
                ReactionRemoved(
                    place=known.place,
                    created_at=created,
                    raw=source,
                    message_id=known.message_id,
                    member=known.member,
                    emoji=known.emoji,
                )
            ]
        return [MessageDeleted(place=room, created_at=created, raw=source, message_id=redacts)]
    if kind == "m.room.pinned_events" and source.get("state_key") == "":
        return _pins(source, content, room, created, ctx, name_of, pinned_before)
    return []


def _message(
    source: Mapping[str, Any],
    content: Mapping[str, Any],
    room: Place,
    created: datetime,
    ctx: ConvertContext,
    name_of: NameOf | None,
) -> list[AnyEvent]:
    msgtype = content.get("msgtype")
    relates = _relation(content)
    author = member_of(source.get("sender", ""), ctx, name_of)
    if relates.get("rel_type") == "m.replace":
        new = content.get("m.new_content") or {}
        target = relates.get("event_id")
        if not isinstance(target, str) or not isinstance(new.get("body"), str):
            return []
        text = strip_reply_fallback(new["body"])
        return [MessageEdited(place=room, created_at=created, raw=source, message_id=target, text=text, author=author)]
    body = content.get("body")
    if not isinstance(body, str) or (msgtype not in _TEXT_TYPES and msgtype not in _FILE_TYPES):
        return []
    event_id = str(source.get("event_id", ""))
    root = thread_root_of(source)
    place = room.in_thread(root) if root else room
    in_reply = relates.get("m.in_reply_to") or {}
    reply_to = in_reply.get("event_id") if isinstance(in_reply, Mapping) else None
    if relates.get("rel_type") == "m.thread" and relates.get("is_falling_back", False):
        reply_to = None
    text = strip_reply_fallback(body) if reply_to or body.startswith("> <") else body
    attachments: tuple[Attachment, ...] = ()
    if msgtype in _FILE_TYPES:
        info = content.get("info") or {}
        attachments = (Attachment(body, str(content.get("url", "")), info.get("mimetype")),)
        text = ""
    if msgtype == "m.text":
        command = ctx.text_commands.recognise(text)
        if command is not None:
            return [
                CommandInvoked(
                    place=place,
                    created_at=created,
                    raw=source,
                    id=event_id,
                    author=author,
                    name=command[0],
                    args=command[1],
                    target_message_id=reply_to,
                )
            ]
    return [
        MessagePosted(
            place=place,
            created_at=created,
            raw=source,
            id=event_id,
            author=author,
            text=text,
            reply_to=reply_to if isinstance(reply_to, str) else None,
            attachments=attachments,
            opens_thread=root == event_id,
        )
    ]


def _pins(
    source: Mapping[str, Any],
    content: Mapping[str, Any],
    room: Place,
    created: datetime,
    ctx: ConvertContext,
    name_of: NameOf | None,
    pinned_before: Collection[str] | None,
) -> list[AnyEvent]:
    prev_content = (source.get("unsigned") or {}).get("prev_content")
    previous = prev_content.get("pinned") if isinstance(prev_content, Mapping) else pinned_before
    before = list(previous or [])
    after = list(content.get("pinned") or [])
    who = member_of(source.get("sender", ""), ctx, name_of)
    events: list[AnyEvent] = [
        MessagePinned(place=room, created_at=created, raw=source, message_id=event_id, member=who)
        for event_id in after
        if event_id not in before
    ]
    events.extend(
        MessageUnpinned(place=room, created_at=created, raw=source, message_id=event_id, member=who)
        for event_id in before
        if event_id not in after
    )
    return events


def convert_nio(
    event: Any,
    room_id: str,
    ctx: ConvertContext,
    name_of: NameOf | None = None,
    *,
    pinned_before: Collection[str] | None = None,
    reactions: Mapping[str, ReactionAdded] | None = None,
) -> list[AnyEvent]:
    """Convert a parsed nio event (any ``nio.Event``, even a BadEvent) through its ``source`` dict."""
    source = getattr(event, "source", None)
    if not isinstance(source, Mapping) or ("unsigned" in source and "redacted_because" in source["unsigned"]):
        return []
    return convert_event(source, room_id, ctx, name_of, pinned_before=pinned_before, reactions=reactions)
