"""The Discord adapter: discord.py gateway events in, copbot actions out."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import discord

from copbot.adapters.discord import convert
from copbot.adapters.discord.channels import ChannelResolver
from copbot.adapters.discord.inflight import InFlight, remember
from copbot.adapters.discord.interactions import DEFER_AFTER, InteractionReplies
from copbot.adapters.discord.render import NO_MENTIONS, REPLY_MENTIONS, Rendered, clip_words, render
from copbot.adapters.discord.sharing import PostToChannel
from copbot.adapters.discord.slash import CopbotTree, TagSource, build_tree, context_menus
from copbot.adapters.discord.startup import check_message_content, explained, intents
from copbot.commands.catalog import builtin_registry
from copbot.commands.spec import CommandSpec
from copbot.core.adapter import Adapter, Capabilities, EventSink, MemberInfo, Outgoing, SentMessage
from copbot.core.clock import Clock, SystemClock
from copbot.core.events import AnyEvent, CommandInvoked, Member, MessagePinned, MessagePosted, Place

logger = logging.getLogger(__name__)

_MAX_THREAD_NAME = 100
DRAIN_SECONDS = 5.0
"""On stop, how long events and commands already received may take to finish before they are cancelled."""


class DiscordAdapter(Adapter):
    """copbot on Discord through discord.py, with slash commands synced to the configured guilds."""

    platform = convert.PLATFORM
    capabilities = Capabilities(
        threads=True, create_threads=True, ephemeral=True, share_private=True, native_pins=True, slash_commands=True
    )

    def __init__(
        self,
        token: str,
        *,
        guild_ids: Sequence[int] = (),
        sharded: bool = False,
        shard_count: int | None = None,
        tag_source: TagSource | None = None,
        defer_after: float = DEFER_AFTER,
        solved_tag: str = "solved",
        commands: Sequence[CommandSpec] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._clock = clock or SystemClock()
        self._token = token
        self._solved_tag = solved_tag
        self._guild_ids = tuple(guild_ids)
        options: dict[str, Any] = {"intents": intents(), "allowed_mentions": NO_MENTIONS}
        if sharded or shard_count is not None:
            self.client: discord.Client = discord.AutoShardedClient(shard_count=shard_count, **options)
        else:
            self.client = discord.Client(**options)
        declared = builtin_registry().specs() if commands is None else list(commands)
        self.tree: CopbotTree = build_tree(self.client, self._on_command, tag_source, declared)
        self._menus = context_menus(declared)
        self.channels = ChannelResolver(self.client)
        self._replies = InteractionReplies(defer_after=defer_after)
        self._sink: EventSink | None = None
        self._connection: asyncio.Task[None] | None = None
        self._recent_pins: OrderedDict[str, None] = OrderedDict()
        self._interactions: OrderedDict[str, None] = OrderedDict()
        """Ids of recent interactions: no message has such an id, so there is nothing to link to."""
        self._askers: dict[int, int] = {}
        """Threads opened for a member's command whose first message mentions (so adds) that member."""
        self._in_flight = InFlight()
        self._closing = False
        for name in ("on_message", "on_raw_message_edit", "on_raw_message_delete", "on_thread_update"):
            setattr(self.client, name, getattr(self, f"_{name}"))
        for name in ("on_raw_thread_update", "on_error"):
            setattr(self.client, name, getattr(self, f"_{name}"))
        for name in ("on_raw_reaction_add", "on_raw_reaction_remove"):
            setattr(self.client, name, self._on_reaction)

    async def login(self, sink: EventSink) -> None:
        """Log in over REST, check the portal grants what copbot needs, and sync the slash commands, without
        opening the gateway yet; a bad token or a missing intent raise ConfigError saying what to fix."""
        self._sink = sink
        await explained(self.client.login(self._token))
        check_message_content(self.client.application_flags)
        user = self.client.user
        if user is not None:
            self.bot_member = Member(id=str(user.id), name=user.name, is_bot=True)
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """Register the commands in every configured guild (instantly), or globally if none are set."""
        if not self._guild_ids:
            await self.tree.sync()
            return
        for guild_id in self._guild_ids:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            logger.info("Synced %d commands to guild %s", len(synced), guild_id)

    async def start(self, sink: EventSink) -> None:
        await self.login(sink)
        self._connection = asyncio.create_task(self.client.connect(reconnect=True), name="discord-gateway")
        ready = asyncio.create_task(self.client.wait_until_ready())
        await asyncio.wait({self._connection, ready}, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            await explained(self._connection)

    async def stop(self) -> None:
        """Stop taking events, let those already taken finish (briefly), then disconnect."""
        self._closing = True
        if self._connection is not None:
            self._connection.cancel()
            await asyncio.gather(self._connection, return_exceptions=True)
        await self._in_flight.drain(DRAIN_SECONDS)
        self._replies.cancel_all()
        await self.client.close()

    async def wait_closed(self) -> None:
        if self._connection is not None:
            await asyncio.gather(self._connection, return_exceptions=True)

    def _first_pin(self, event: MessagePinned) -> bool:
        """Whether to pass a pin on. Discord tells of one pin twice, in either order: a MESSAGE_UPDATE that names
        no pinner (which the core cannot act on) and the "pinned a message" notice naming the moderator; only
        the notice takes the de-duplication slot, so it always gets through once."""
        if event.member is None:
            return True
        if event.message_id in self._recent_pins:
            return False
        remember(self._recent_pins, event.message_id)
        return True

    async def _deliver(self, event: AnyEvent | None) -> None:
        if event is None or self._sink is None or self._closing:
            return
        if isinstance(event, MessagePinned) and not self._first_pin(event):
            return
        with self._in_flight.working():
            try:
                await self._sink(event)
            except Exception:
                logger.exception("The event sink failed on %s %s", type(event).__name__, event.place.key)

    async def _on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        logger.exception("Ignoring exception in Discord event %s", event_method)

    async def _on_message(self, message: discord.Message) -> None:
        if message.guild is None:
            return
        place = await self.channels.place_of(message.channel)
        await self._deliver(convert.message_event(message, place))

    async def _on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        if payload.guild_id is None:
            return
        place = await self.channels.place_of(payload.message.channel)
        for event in convert.edit_events(payload, place, self._clock.now()):
            if not isinstance(event, MessagePinned):
                self._recent_pins.pop(event.message_id, None)
            await self._deliver(event)

    async def _on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        if payload.guild_id is None:
            return
        place = await self.channels.place_for(payload.channel_id)
        await self._deliver(convert.message_deleted(payload, place, self._clock.now()))

    async def _on_reaction(self, payload: discord.RawReactionActionEvent) -> None:
        if payload.guild_id is None:
            return
        place = await self.channels.place_for(payload.channel_id)
        user = payload.member or self.client.get_user(payload.user_id)
        fallback = Member(id=str(payload.user_id), name=str(payload.user_id))
        member = convert.member_of(user) if user else fallback
        await self._deliver(convert.reaction_event(payload, place, member, self._clock.now()))

    async def _on_thread_update(self, before: discord.Thread, after: discord.Thread) -> None:
        await self._deliver(convert.thread_closed(before, after, self._clock.now()))

    async def _on_raw_thread_update(self, payload: discord.RawThreadUpdateEvent) -> None:
        if payload.thread is None:
            await self._deliver(convert.thread_closed_raw(payload, self._clock.now()))

    async def _on_command(self, interaction: discord.Interaction[Any]) -> None:
        if self._closing:
            return
        with self._in_flight.working():
            remember(self._interactions, str(interaction.id))
            place = await self.channels.place_of_interaction(interaction)
            event = convert.command_invoked(interaction, place, self._menus)
            if event is not None:
                await self._replies.handle(interaction, self._deliver(event))

    async def send(self, place: Place, content: Outgoing, *, reply_to: str | None = None) -> SentMessage:
        """Post ``content`` in as many messages as its text needs; the first message answers the command being
        handled when it goes to the command's channel."""
        channel_id = int(place.thread or place.room)
        if self._replies.replies_to_command(reply_to):
            reply_to = None
        first: str | None = None
        parts = render(content)
        asker = self._askers.pop(channel_id, None)
        if asker is not None:
            parts[0] = Rendered(f"<@{asker}> {parts[0].content}", parts[0].embeds)
        for rendered in parts:
            sent = await self._replies.answer_publicly(channel_id, rendered) if first is None else None
            if sent is None:
                sent = await self._post(channel_id, rendered, reply_to if first is None else None)
                self._replies.posted_publicly()
            first = first or sent
        assert first is not None
        return SentMessage(first, place, self.message_url(place, first))

    async def _post(self, channel_id: int, rendered: Rendered, reply_to: str | None) -> str:
        channel = self.channels.messageable(channel_id)
        if reply_to is None:
            message = await channel.send(rendered.content, embeds=rendered.embeds, allowed_mentions=NO_MENTIONS)
        else:
            reference = discord.MessageReference(
                message_id=int(reply_to), channel_id=channel_id, fail_if_not_exists=False
            )
            message = await channel.send(
                rendered.content, embeds=rendered.embeds, reference=reference, allowed_mentions=REPLY_MENTIONS
            )
        return str(message.id)

    async def open_thread(self, message: MessagePosted, title: str) -> Place:
        """A thread on ``message``; for a slash command (no message to start from), a thread on its own."""
        if message.place.thread is not None:
            return message.place
        name = clip_words(title, _MAX_THREAD_NAME) or "Question"
        interaction = message.raw
        if isinstance(interaction, discord.Interaction):
            channel = await self.channels.channel(int(message.place.room))
            if not isinstance(channel, discord.TextChannel):
                return message.place
            thread = await channel.create_thread(name=name, type=discord.ChannelType.public_thread)
            self._askers[thread.id] = interaction.user.id
            said = f"Your question has its own thread, where you will be notified of answers: {thread.jump_url}"
            await self._replies.respond(interaction, Outgoing.of(said))
        else:
            channel = self.channels.messageable(int(message.place.room))
            thread = await channel.get_partial_message(int(message.id)).create_thread(name=name)
        self.channels.remember(thread)
        return message.place.in_thread(str(thread.id))

    async def react(self, place: Place, message_id: str, emoji: str) -> None:
        channel = self.channels.messageable(int(place.thread or place.room))
        await channel.get_partial_message(int(message_id)).add_reaction(emoji)

    async def respond_privately(self, command: CommandInvoked, content: Outgoing) -> SentMessage | None:
        interaction = command.raw
        if not isinstance(interaction, discord.Interaction):
            return await self.send(command.place, content, reply_to=command.id)
        view = PostToChannel(content) if content.shareable else None
        try:
            message_id = await self._replies.respond(interaction, content, view)
        except discord.HTTPException:
            logger.warning("Could not answer interaction %s privately", interaction.id, exc_info=True)
            return None
        return SentMessage(message_id or str(interaction.id), command.place)

    async def fetch_thread(self, place: Place) -> list[MessagePosted]:
        return await self.channels.thread_messages(place)

    async def member_info(self, place: Place, member: Member) -> MemberInfo:
        return await self.channels.member_info(place, member)

    async def place_is_public(self, place: Place) -> bool:
        """Public when @everyone may view the channel (a thread follows its parent); unknown places are private."""
        try:
            channel = await self.channels.channel(int(place.room))
        except (ValueError, discord.HTTPException):
            return False
        guild: discord.Guild | None = getattr(channel, "guild", None)
        if guild is None or not hasattr(channel, "permissions_for"):
            return False
        return bool(channel.permissions_for(guild.default_role).view_channel)

    def message_url(self, place: Place, message_id: str) -> str | None:
        guild_id = self.channels.guild_id_of(place)
        if guild_id is None or message_id in self._interactions:
            return None
        channel = place.thread or place.room
        parent = self.client.get_channel(int(place.room))
        if place.thread == message_id and not isinstance(parent, discord.ForumChannel):
            channel = place.room  # a thread started from a message: that message lives in the parent channel
        return f"https://discord.com/channels/{guild_id}/{channel}/{message_id}"

    async def mark_thread_solved(self, place: Place) -> None:
        await self.channels.mark_solved(place, self._solved_tag)
