"""Pure conversion of discord.py objects into copbot events."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import discord

from copbot.commands.spec import SUBCOMMAND
from copbot.core.events import (
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
    ThreadClosed,
)

logger = logging.getLogger(__name__)

PLATFORM = "discord"

_POSTED_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})
_SUBCOMMAND_TYPES = frozenset({1, 2})


def place_of(channel: object) -> Place:
    """The place of a channel: a thread is its parent's room with the thread set."""
    if isinstance(channel, discord.Thread):
        return Place(PLATFORM, str(channel.parent_id), str(channel.id))
    channel_id = getattr(channel, "id", None)
    if channel_id is None:
        raise ValueError(f"not a channel: {channel!r}")
    return Place(PLATFORM, str(channel_id))


def member_of(user: discord.abc.User) -> Member:
    """A copbot member for a Discord user or guild member, named by its display name."""
    return Member(id=str(user.id), name=user.display_name, is_bot=user.bot)


def emoji_text(emoji: discord.PartialEmoji) -> str:
    """A reaction emoji as text: the character itself, or ``<:name:id>`` for a custom emoji."""
    return str(emoji)


def message_posted(message: discord.Message, place: Place) -> MessagePosted:
    """A MessagePosted for a user message; a forum post's opening message opens its thread."""
    reply_to = None
    reference = message.reference
    if message.type is discord.MessageType.reply and reference is not None and reference.message_id:
        reply_to = str(reference.message_id)
    attachments = tuple(
        Attachment(filename=item.filename, url=item.url, content_type=item.content_type) for item in message.attachments
    )
    opens_thread = place.thread is not None and place.thread == str(message.id)
    return MessagePosted(
        place=place,
        created_at=message.created_at,
        raw=message,
        id=str(message.id),
        author=member_of(message.author),
        text=message.content,
        reply_to=reply_to,
        attachments=attachments,
        opens_thread=opens_thread,
    )


def message_event(message: discord.Message, place: Place) -> MessagePosted | MessagePinned | None:
    """The event for a newly created message; None for system messages copbot ignores."""
    if message.type in _POSTED_TYPES:
        return message_posted(message, place)
    if message.type is discord.MessageType.pins_add and message.reference is not None:
        pinned_id = message.reference.message_id
        if pinned_id is not None:
            return MessagePinned(
                place=place,
                created_at=message.created_at,
                raw=message,
                message_id=str(pinned_id),
                member=member_of(message.author),
            )
    return None


def edit_events(
    payload: discord.RawMessageUpdateEvent, place: Place, now: datetime
) -> list[MessageEdited | MessagePinned | MessageUnpinned]:
    """Events for a message update, cached or not: text edits and pin transitions."""
    after = payload.message
    before = payload.cached_message
    when = after.edited_at or now
    events: list[MessageEdited | MessagePinned | MessageUnpinned] = []
    if before is not None:
        if before.pinned != after.pinned:
            pin_type = MessagePinned if after.pinned else MessageUnpinned
            events.append(pin_type(place=place, created_at=now, raw=payload, message_id=str(after.id)))
        text_changed = before.content != after.content
    else:
        # Uncached: Discord sends the full message, so an edit timestamp is the best evidence of an edit.
        text_changed = after.edited_at is not None
    if text_changed:
        events.append(
            MessageEdited(place=place, created_at=when, raw=payload, message_id=str(after.id), text=after.content)
        )
    return events


def reaction_event(
    payload: discord.RawReactionActionEvent, place: Place, member: Member, now: datetime
) -> ReactionAdded | ReactionRemoved:
    """A ReactionAdded or ReactionRemoved for a raw reaction event, cached message or not."""
    kind = ReactionAdded if payload.event_type == "REACTION_ADD" else ReactionRemoved
    return kind(
        place=place,
        created_at=now,
        raw=payload,
        message_id=str(payload.message_id),
        member=member,
        emoji=emoji_text(payload.emoji),
    )


def message_deleted(payload: discord.RawMessageDeleteEvent, place: Place, now: datetime) -> MessageDeleted:
    """A MessageDeleted for a raw delete event, whether or not the message was cached."""
    return MessageDeleted(place=place, created_at=now, raw=payload, message_id=str(payload.message_id))


def thread_closed(before: discord.Thread, after: discord.Thread, now: datetime) -> ThreadClosed | None:
    """A ThreadClosed when a cached thread goes from open to archived or locked."""
    was_open = not before.archived and not before.locked
    if was_open and (after.archived or after.locked):
        return ThreadClosed(place=place_of(after), created_at=now, raw=after)
    return None


def thread_closed_raw(payload: discord.RawThreadUpdateEvent, now: datetime) -> ThreadClosed | None:
    """A ThreadClosed for an update of a thread that was not cached and is now archived."""
    metadata: Mapping[str, Any] = payload.data.get("thread_metadata", {})
    if metadata.get("archived") or metadata.get("locked"):
        place = Place(PLATFORM, str(payload.parent_id), str(payload.thread_id))
        return ThreadClosed(place=place, created_at=now, raw=payload)
    return None


def flatten_options(options: Sequence[Mapping[str, Any]]) -> tuple[list[str], dict[str, str]]:
    """Subcommand path and option values (as strings) from an interaction's ``data.options``."""
    path: list[str] = []
    values: dict[str, str] = {}
    current = options
    while current:
        first = current[0]
        if first.get("type") in _SUBCOMMAND_TYPES:
            path.append(str(first["name"]))
            current = first.get("options", [])
            continue
        for option in current:
            values[str(option["name"])] = str(option.get("value", ""))
        break
    return path, values


def command_invoked(
    interaction: discord.Interaction[Any], place: Place, menus: Mapping[str, str]
) -> CommandInvoked | None:
    """A CommandInvoked for a slash or message context-menu interaction; None for anything else.

    Slash options keep the names the command declares, so the core binds them as it binds typed text; a context
    menu in ``menus`` (its name: the command it runs) names the message it was used on."""
    if interaction.type is not discord.InteractionType.application_command or interaction.data is None:
        return None
    data: Mapping[str, Any] = interaction.data
    name = str(data.get("name", ""))
    target: str | None = None
    options: dict[str, str] = {}
    if data.get("type", 1) == 1:
        path, options = flatten_options(data.get("options", []))
        if path:
            options[SUBCOMMAND] = " ".join(path)
    else:
        name = menus.get(name, name)
        target = str(data["target_id"]) if data.get("target_id") is not None else None
    return CommandInvoked(
        place=place,
        created_at=interaction.created_at,
        raw=interaction,
        id=str(interaction.id),
        author=member_of(interaction.user),
        name=name,
        options=options,
        target_message_id=target,
        interactive=True,
    )
