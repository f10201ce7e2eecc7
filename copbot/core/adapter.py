"""The adapter interface every platform implements, and the outgoing content it renders."""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from copbot.core.events import AnyEvent, CommandInvoked, Member, MessagePosted, Place

EventSink = Callable[[AnyEvent], Awaitable[None]]
"""Where an adapter delivers incoming events; the dispatcher provides it."""


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a platform can do, so the core can degrade gracefully."""

    threads: bool = False
    """Replies can go into a thread."""
    create_threads: bool = False
    """The bot can open a new thread from a message (Discord); else a reply in a thread is the thread."""
    ephemeral: bool = False
    """Command answers can be private to the one who asked."""
    native_pins: bool = False
    reactions: bool = True
    slash_commands: bool = False
    html: bool = False


@dataclass(frozen=True, slots=True)
class Card:
    """A linked item shown under a message: a search hit, a suggested entry."""

    title: str
    url: str | None = None
    description: str = ""
    footer: str = ""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message the bot sends: plain text (light Markdown), optional HTML, optional cards."""

    text: str
    html: str | None = None
    cards: tuple[Card, ...] = ()

    @classmethod
    def of(cls, text: str, cards: Sequence[Card] = ()) -> Outgoing:
        """Plain text with optional cards."""
        return cls(text=text, cards=tuple(cards))

    def as_plain_text(self) -> str:
        """Text and cards as one plain-text block, for platforms without rich rendering."""
        lines = [self.text]
        for number, card in enumerate(self.cards, start=1):
            line = f"  {number}. {card.title}"
            if card.url:
                line += f" <{card.url}>"
            lines.append(line)
            if card.description:
                lines.append(f"     {card.description}")
            if card.footer:
                lines.append(f"     {card.footer}")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class SentMessage:
    """What the platform gave back for a message the bot sent."""

    id: str
    place: Place
    url: str | None = None


@dataclass(frozen=True, slots=True)
class MemberInfo:
    """A member's standing in a place, for permission checks."""

    roles: frozenset[str] = field(default_factory=frozenset)
    """Role ids and role names (Discord); empty elsewhere."""
    power_level: int | None = None
    """Matrix power level; None elsewhere."""
    platform_moderator: bool = False
    """The platform's own notion: Discord "Manage Messages", Matrix power level >= 50, console moderators."""


class Adapter(abc.ABC):
    """A chat platform seen through platform-neutral events and actions."""

    platform: str
    capabilities: Capabilities
    bot_member: Member | None = None
    """The bot's own identity on the platform, known once started."""
    command_prefix: str = "/"
    """What a command starts with here: "/" on Discord and the console, "!" (configurable) on Matrix."""

    @abc.abstractmethod
    async def start(self, sink: EventSink) -> None:
        """Connect and begin delivering events to ``sink``; returns once connected."""

    @abc.abstractmethod
    async def stop(self) -> None:
        """Disconnect and cancel every task this adapter started."""

    async def wait_closed(self) -> None:
        """Wait until the adapter ends on its own (for example the console at end of input)."""
        return None

    @abc.abstractmethod
    async def send(self, place: Place, content: Outgoing, *, reply_to: str | None = None) -> SentMessage:
        """Post a message in ``place`` (in its thread when ``place.thread`` is set)."""

    @abc.abstractmethod
    async def open_thread(self, message: MessagePosted, title: str) -> Place:
        """Open a thread on ``message`` and return its place; platforms without threads return the room."""

    @abc.abstractmethod
    async def react(self, place: Place, message_id: str, emoji: str) -> None:
        """Add the bot's reaction to a message."""

    @abc.abstractmethod
    async def respond_privately(self, command: CommandInvoked, content: Outgoing) -> SentMessage | None:
        """Answer a command so only its author sees it where the platform can; else answer in place."""

    @abc.abstractmethod
    async def fetch_thread(self, place: Place) -> list[MessagePosted]:
        """The messages of the thread at ``place`` (or the reply chain rooted at it), oldest first."""

    @abc.abstractmethod
    async def member_info(self, place: Place, member: Member) -> MemberInfo:
        """Roles, power level and platform moderator rights of ``member`` in ``place``."""

    def command_text(self, name: str, args: str = "") -> str:
        """A command as members write it here, for replies that name one: "!solved" on Matrix, "/solved" elsewhere."""
        return f"{self.command_prefix}{name} {args}".rstrip()

    def message_url(self, place: Place, message_id: str) -> str | None:
        """A link back to a message, where the platform has one."""
        return None

    async def mark_thread_solved(self, place: Place) -> None:
        """Show on the platform that the thread at ``place`` is solved (a forum tag, say); optional."""
        return None
