"""Shared base of the in-process adapters (memory and console): a message log with threads and reactions."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from copbot.commands.parse import TextCommands
from copbot.core.adapter import Adapter, Capabilities, EventSink, MemberInfo, Outgoing, SentMessage
from copbot.core.clock import Clock, SystemClock
from copbot.core.events import (
    AnyEvent,
    CommandInvoked,
    Member,
    MessageDeleted,
    MessageEdited,
    MessagePinned,
    MessagePosted,
    MessageUnpinned,
    Place,
    ReactionAdded,
    ThreadClosed,
)

LOCAL_CAPABILITIES = Capabilities(
    threads=True, create_threads=True, ephemeral=True, native_pins=True, reactions=True, slash_commands=False
)


@dataclass
class Posted:
    """One message in the local log, from a member or from the bot."""

    id: str
    place: Place
    author: Member
    text: str
    created_at: datetime
    reply_to: str | None = None
    content: Outgoing | None = None
    private_to: str | None = None
    reactions: list[tuple[str, str]] = field(default_factory=list)


class LocalAdapter(Adapter):
    """An adapter whose platform lives in this process: it keeps every message and answers from that log."""

    def __init__(
        self,
        *,
        platform: str,
        room: str = "general",
        moderators: Iterable[str] = (),
        bot_name: str = "copbot",
        clock: Clock | None = None,
        capabilities: Capabilities = LOCAL_CAPABILITIES,
        command_prefix: str = "/",
    ) -> None:
        self.platform = platform
        self.command_prefix = command_prefix
        self.commands = TextCommands(command_prefix, frozenset(), also=(), claim_unknown=True)
        """Every prefixed line is a command here: the local room talks to the bot."""
        self.capabilities = capabilities
        self.room = room
        self.moderators = set(moderators)
        self.roles: dict[str, frozenset[str]] = {}
        self.power_levels: dict[str, int] = {}
        self.me = Member(id=f"bot:{bot_name}", name=bot_name, is_bot=True)
        self.bot_member = self.me
        self.clock = clock or SystemClock()
        self.log: list[Posted] = []
        self._ids = itertools.count(1)
        self._sink: EventSink | None = None

    # ----- the Adapter interface -----
    async def start(self, sink: EventSink) -> None:
        """Remember where events go."""
        self._sink = sink

    async def stop(self) -> None:
        """Nothing runs in the background."""
        self._sink = None

    async def send(self, place: Place, content: Outgoing, *, reply_to: str | None = None) -> SentMessage:
        """Append the bot's message to the log and show it."""
        posted = self._append(place, self.me, content.text, reply_to=reply_to, content=content)
        self.show(posted)
        return SentMessage(id=posted.id, place=place, url=self.message_url(place, posted.id))

    async def open_thread(self, message: MessagePosted, title: str) -> Place:
        """Threads here are keyed by the message they start at."""
        return message.place.in_thread(message.place.thread or message.id)

    async def react(self, place: Place, message_id: str, emoji: str) -> None:
        """Record the bot's reaction."""
        target = self.find(message_id)
        if target is not None:
            target.reactions.append((self.me.id, emoji))

    async def respond_privately(self, command: CommandInvoked, content: Outgoing) -> SentMessage | None:
        """Private answers are logged with their addressee."""
        posted = self._append(command.place, self.me, content.text, content=content, private_to=command.author.id)
        self.show(posted)
        return SentMessage(id=posted.id, place=command.place)

    async def fetch_thread(self, place: Place) -> list[MessagePosted]:
        """Members' messages of the thread (or reply chain) at ``place``, oldest first."""
        root = place.thread
        if root is None:
            return []
        in_chain = {root}
        out: list[MessagePosted] = []
        for posted in self.log:
            if posted.private_to is not None:
                continue
            member_of = posted.id == root or posted.place.thread == root or posted.reply_to in in_chain
            if not member_of:
                continue
            in_chain.add(posted.id)
            if not posted.author.is_bot:
                out.append(self._as_event(posted))
        return out

    async def member_info(self, place: Place, member: Member) -> MemberInfo:
        """Moderators are named in the config; roles and power levels can be set by tests."""
        level = self.power_levels.get(member.id)
        moderator = member.id in self.moderators or member.name in self.moderators or (level or 0) >= 50
        return MemberInfo(roles=self.roles.get(member.id, frozenset()), power_level=level, platform_moderator=moderator)

    def message_url(self, place: Place, message_id: str) -> str | None:
        """A pseudo-link that names the local message."""
        return f"{self.platform}://{place.room}/{message_id}"

    # ----- driving it, as a member would -----
    def show(self, posted: Posted) -> None:
        """Present a bot message; the console prints it, the memory adapter only keeps it."""

    def now(self) -> datetime:
        """The adapter's clock, aware."""
        return self.clock.now().astimezone(UTC)

    def find(self, message_id: str) -> Posted | None:
        """A logged message by id."""
        return next((posted for posted in self.log if posted.id == message_id), None)

    def _append(
        self,
        place: Place,
        author: Member,
        text: str,
        *,
        reply_to: str | None = None,
        content: Outgoing | None = None,
        private_to: str | None = None,
    ) -> Posted:
        posted = Posted(
            id=f"{self.platform[0]}{next(self._ids)}",
            place=place,
            author=author,
            text=text,
            created_at=self.now(),
            reply_to=reply_to,
            content=content,
            private_to=private_to,
        )
        self.log.append(posted)
        return posted

    def _as_event(self, posted: Posted) -> MessagePosted:
        return MessagePosted(
            id=posted.id,
            place=posted.place,
            author=posted.author,
            text=posted.text,
            created_at=posted.created_at,
            reply_to=posted.reply_to,
            opens_thread=posted.place.thread == posted.id,
        )

    async def deliver(self, event: AnyEvent) -> None:
        """Hand an event to the bot and wait until it has been handled."""
        if self._sink is None:
            raise RuntimeError(f"the {self.platform} adapter is not started")
        await self._sink(event)

    def place(self, thread: str | None = None) -> Place:
        """The local room, or a thread in it."""
        return Place(self.platform, self.room, thread)

    async def post(
        self, author: Member, text: str, *, thread: str | None = None, reply_to: str | None = None
    ) -> MessagePosted:
        """``author`` writes ``text`` in the room (or a thread); returns the event the bot received."""
        posted = self._append(self.place(thread), author, text, reply_to=reply_to)
        event = self._as_event(posted)
        await self.deliver(event)
        return event

    async def command(
        self,
        author: Member,
        line: str,
        *,
        thread: str | None = None,
        options: dict[str, str] | None = None,
        target: str | None = None,
    ) -> CommandInvoked:
        """``author`` types a command such as ``/ask how do I ...`` (with this adapter's prefix)."""
        recognised = self.commands.recognise(line)
        if recognised is None:
            raise ValueError(f"{line!r} is no command here; commands start with {self.command_prefix!r}")
        name, args = recognised
        posted = self._append(self.place(thread), author, line)
        event = CommandInvoked(
            id=posted.id,
            place=self.place(thread),
            author=author,
            created_at=posted.created_at,
            name=name,
            args=args,
            options=dict(options or {}),
            target_message_id=target,
            interactive=True,
        )
        await self.deliver(event)
        return event

    async def react_as(self, member: Member, message_id: str, emoji: str) -> None:
        """``member`` reacts to a message."""
        target = self.find(message_id)
        place = target.place if target else self.place()
        if target is not None:
            target.reactions.append((member.id, emoji))
        await self.deliver(
            ReactionAdded(place=place, created_at=self.now(), message_id=message_id, member=member, emoji=emoji)
        )

    async def edit_as(self, member: Member, message_id: str, text: str) -> None:
        """``member`` edits one of their messages."""
        target = self.find(message_id)
        if target is None:
            raise KeyError(message_id)
        target.text = text
        await self.deliver(
            MessageEdited(place=target.place, created_at=self.now(), message_id=message_id, text=text, author=member)
        )

    async def delete(self, message_id: str) -> None:
        """A message is deleted."""
        target = self.find(message_id)
        if target is None:
            raise KeyError(message_id)
        self.log.remove(target)
        await self.deliver(MessageDeleted(place=target.place, created_at=self.now(), message_id=message_id))

    async def pin_as(self, member: Member, message_id: str, *, unpin: bool = False) -> None:
        """``member`` uses the platform's own pin (or unpin) action."""
        target = self.find(message_id)
        place = target.place if target else self.place()
        kind = MessageUnpinned if unpin else MessagePinned
        await self.deliver(kind(place=place, created_at=self.now(), message_id=message_id, member=member))

    async def close_thread(self, thread: str) -> None:
        """A thread is archived."""
        await self.deliver(ThreadClosed(place=self.place(thread), created_at=self.now()))
