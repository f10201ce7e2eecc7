"""The adapter interface every platform implements, and the outgoing content it renders."""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
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
    share_private: bool = False
    """A private answer can carry a way for its member to post it to the channel (Discord's buttons)."""
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
class OutgoingFile:
    """A file the bot attaches to a message (a member's data export, say)."""

    filename: str
    data: bytes
    content_type: str = "application/octet-stream"

    def as_plain_text(self) -> str:
        """The file inline, whole, for platforms that cannot attach files."""
        body = self.data.decode("utf-8", errors="replace")
        return f"--- {self.filename} ---\n{body}\n--- end of {self.filename} ---"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message the bot sends: plain text (light Markdown), optional HTML, optional cards and files."""

    text: str
    html: str | None = None
    cards: tuple[Card, ...] = ()
    files: tuple[OutgoingFile, ...] = ()
    """Attached where the platform allows it; ``as_plain_text`` shows them inline otherwise."""
    shareable: bool = False
    """A private answer the member may choose to post where they asked (search results, an entry)."""

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
        lines.extend(file.as_plain_text() for file in self.files)
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

    @abc.abstractmethod
    async def place_is_public(self, place: Place) -> bool:
        """Whether everyone in the space can read ``place``'s room, so what is learnt there is shared with all.

        Entries remember the answer when they are captured; a private room's entries are seen only there.
        """


@dataclass(frozen=True, slots=True)
class PastMessage:
    """A message of a channel's history, as a backfill reads it: the event, who reacted with what, pinned or not."""

    event: MessagePosted
    reactions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(emoji, the platform ids of the members who reacted with it)."""
    pinned: bool = False
    system: bool = False
    """A platform notice (member joined, thread created, ...): never stored."""


@dataclass(frozen=True, slots=True)
class PastSource:
    """One stream of history to backfill: a channel, a thread or forum post in it, or a Matrix room."""

    place: Place
    """The room, and the thread when the source is a thread or forum post."""
    name: str = ""
    total: int | None = None
    """How many messages it holds, where the platform says."""
    solved: bool = False
    """A forum post tagged solved."""
    public: bool | None = None
    """Whether everyone may read it (None: the platform cannot say)."""

    @property
    def key(self) -> str:
        """The source's own id: the thread's, else the room's."""
        return self.place.thread or self.place.room


class HistoryReader(abc.ABC):
    """A platform's past, read oldest first: what ``copbot backfill`` consumes, live or from an export file."""

    platform: str

    @abc.abstractmethod
    async def sources(self, rooms: Sequence[str]) -> list[PastSource]:
        """The sources in ``rooms`` (channels or rooms an admin named): each room, then its threads and posts."""

    @abc.abstractmethod
    def messages(self, source: PastSource, *, skip: int, after: str | None) -> AsyncIterator[PastMessage]:
        """The source's messages oldest first, after the first ``skip`` ones (or after message ``after``)."""

    @abc.abstractmethod
    def message_url(self, place: Place, message_id: str) -> str | None:
        """A link back to a message."""

    async def announce(self, place: Place, text: str) -> None:
        """Post ``text`` in the source's channel (the backfill notice); files have nowhere to post."""
        return None
