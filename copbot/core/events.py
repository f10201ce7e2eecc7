"""Platform-neutral events that adapters produce and the core consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {value!r}")


@dataclass(frozen=True, slots=True)
class Place:
    """Where something happened: a platform, a room or channel, and optionally a thread in it."""

    platform: str
    room: str
    thread: str | None = None

    def room_only(self) -> Place:
        """The same room without the thread."""
        return Place(self.platform, self.room)

    def in_thread(self, thread: str) -> Place:
        """The same room, inside the given thread."""
        return Place(self.platform, self.room, thread)

    @property
    def key(self) -> str:
        """A stable string key for this place, used in storage."""
        return f"{self.platform}:{self.room}:{self.thread or ''}"


@dataclass(frozen=True, slots=True)
class Member:
    """Someone who writes in a place; ``id`` is the platform's stable user id."""

    id: str
    name: str
    is_bot: bool = False


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file attached to a message."""

    filename: str
    url: str
    content_type: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of every incoming event."""

    place: Place
    created_at: datetime
    raw: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        _require_aware(self.created_at, "created_at")


@dataclass(frozen=True, slots=True, kw_only=True)
class MessagePosted(Event):
    """A new message. ``reply_to`` is the id of the message it answers, if any."""

    id: str
    author: Member
    text: str
    reply_to: str | None = None
    attachments: tuple[Attachment, ...] = ()
    opens_thread: bool = False
    """True when this message is the opening post of ``place.thread`` (a forum post or thread root)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandInvoked(Event):
    """A command such as /ask, typed as text or sent as a platform slash command."""

    id: str
    author: Member
    name: str
    args: str = ""
    options: dict[str, str] = field(default_factory=dict)
    target_message_id: str | None = None
    """For context-menu style commands: the message the command was invoked on."""
    interactive: bool = False
    """True for platform interactions (slash commands) that can be answered privately."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReactionAdded(Event):
    """A member reacted to a message."""

    message_id: str
    member: Member
    emoji: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReactionRemoved(Event):
    """A member took a reaction back."""

    message_id: str
    member: Member
    emoji: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageEdited(Event):
    """A message's text changed."""

    message_id: str
    text: str
    author: Member | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageDeleted(Event):
    """A message was deleted or redacted; ``member`` is who did it, where the platform says."""

    message_id: str
    member: Member | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MessagePinned(Event):
    """A message was pinned with the platform's own pin action."""

    message_id: str
    member: Member | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageUnpinned(Event):
    """A message was unpinned with the platform's own pin action."""

    message_id: str
    member: Member | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ThreadClosed(Event):
    """A thread was archived, locked or closed; ``place.thread`` names it."""


AnyEvent = (
    MessagePosted
    | CommandInvoked
    | ReactionAdded
    | ReactionRemoved
    | MessageEdited
    | MessageDeleted
    | MessagePinned
    | MessageUnpinned
    | ThreadClosed
)
