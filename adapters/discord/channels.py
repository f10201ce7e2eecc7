"""Finding Discord channels, threads and members behind copbot places, from cache or over REST."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

import discord

from copbot.adapters.discord import convert
from copbot.core.adapter import MemberInfo
from copbot.core.events import Member, MessagePosted, Place

logger = logging.getLogger(__name__)

Sendable = discord.TextChannel | discord.Thread | discord.VoiceChannel | discord.PartialMessageable
_REMEMBERED = 4096
HISTORY_LIMIT = 500
MAX_APPLIED_TAGS = 5


class ChannelResolver:
    """Resolves ids to channels and places, remembering thread parents and guilds it has looked up."""

    def __init__(self, client: discord.Client, *, history_limit: int = HISTORY_LIMIT) -> None:
        self._client = client
        self._history_limit = history_limit
        self._known: OrderedDict[int, tuple[int | None, int | None]] = OrderedDict()
        """Channel id -> (thread parent id, guild id), for channels fetched over REST."""

    def remember(self, channel: discord.abc.GuildChannel | discord.Thread) -> None:
        """Note a channel's parent and guild so later places and links need no lookup."""
        parent = channel.parent_id if isinstance(channel, discord.Thread) else None
        self._known[channel.id] = (parent, channel.guild.id)
        while len(self._known) > _REMEMBERED:
            self._known.popitem(last=False)

    async def channel(self, channel_id: int) -> Any:
        """The channel or thread with this id from cache, else fetched; None if Discord does not know it."""
        found = self._client.get_channel(channel_id)
        if found is not None:
            return found
        try:
            fetched = await self._client.fetch_channel(channel_id)
        except discord.NotFound:
            return None
        if isinstance(fetched, discord.abc.GuildChannel | discord.Thread):
            self.remember(fetched)
        return fetched

    async def place_for(self, channel_id: int) -> Place:
        """The place of a channel id; a thread's place names its parent room."""
        known = self._known.get(channel_id)
        if known is not None and known[0] is not None:
            return Place(convert.PLATFORM, str(known[0]), str(channel_id))
        try:
            channel = await self.channel(channel_id)
        except discord.HTTPException:
            logger.warning("Could not look up channel %s", channel_id, exc_info=True)
            channel = None
        if channel is None:
            return Place(convert.PLATFORM, str(channel_id))
        return convert.place_of(channel)

    async def place_of(self, channel: object) -> Place:
        """The place of a channel object; partial channels are looked up by id."""
        if isinstance(channel, discord.PartialMessageable | discord.Object):
            return await self.place_for(channel.id)
        return convert.place_of(channel)

    async def place_of_interaction(self, interaction: discord.Interaction[Any]) -> Place:
        """Where an interaction was used."""
        if interaction.channel is not None:
            return await self.place_of(interaction.channel)
        return await self.place_for(interaction.channel_id or 0)

    def guild_id_of(self, place: Place) -> int | None:
        """The guild holding ``place``, from cache; the only guild when there is just one."""
        for channel_id in (place.thread, place.room):
            if channel_id is None:
                continue
            channel = self._client.get_channel(int(channel_id))
            guild = getattr(channel, "guild", None)
            if guild is not None:
                return int(guild.id)
            known = self._known.get(int(channel_id))
            if known is not None and known[1] is not None:
                return known[1]
        guilds = self._client.guilds
        return guilds[0].id if len(guilds) == 1 else None

    def messageable(self, channel_id: int) -> Sendable:
        """Something to send to: the cached channel, or a partial one that needs no lookup."""
        found = self._client.get_channel(channel_id)
        if isinstance(found, Sendable):
            return found
        guild_id = self.guild_id_of(Place(convert.PLATFORM, str(channel_id)))
        return self._client.get_partial_messageable(channel_id, guild_id=guild_id)

    async def thread_messages(self, place: Place) -> list[MessagePosted]:
        """A thread's messages oldest first, with the message it was started from; or a reply chain."""
        if place.thread is None:
            return []
        thread = await self.channel(int(place.thread))
        if not isinstance(thread, discord.Thread):
            return await self._reply_chain(place)
        here = convert.place_of(thread)
        found = [message async for message in thread.history(limit=self._history_limit, oldest_first=True)]
        posted: list[MessagePosted] = []
        for message in found:
            if message.type is discord.MessageType.thread_starter_message and message.reference is not None:
                starter = message.reference.resolved
                if not isinstance(starter, discord.Message):
                    parent = self.messageable(thread.parent_id)
                    starter = await parent.fetch_message(thread.id)
                posted.append(convert.message_posted(starter, here))
                continue
            event = convert.message_event(message, here)
            if isinstance(event, MessagePosted):
                posted.append(event)
        return posted

    async def _reply_chain(self, place: Place) -> list[MessagePosted]:
        """The message ``place.thread`` in ``place.room`` and every later reply leading back to it."""
        assert place.thread is not None
        channel = self.messageable(int(place.room))
        room = place.room_only()
        try:
            root = await channel.fetch_message(int(place.thread))
        except discord.NotFound:
            return []
        chain = [convert.message_posted(root, room)]
        ids = {chain[0].id}
        async for message in channel.history(limit=self._history_limit, after=root, oldest_first=True):
            event = convert.message_event(message, room)
            if isinstance(event, MessagePosted) and event.reply_to in ids:
                chain.append(event)
                ids.add(event.id)
        return chain

    async def member_info(self, place: Place, member: Member) -> MemberInfo:
        """Role ids and names and Manage Messages rights of ``member`` where ``place`` is."""
        channel = await self.channel(int(place.thread or place.room))
        guild: discord.Guild | None = getattr(channel, "guild", None)
        if guild is None:
            return MemberInfo()
        who = guild.get_member(int(member.id))
        if who is None:
            try:
                who = await guild.fetch_member(int(member.id))
            except discord.NotFound:
                return MemberInfo()
        roles = [role for role in who.roles if not role.is_default()]
        names = {str(role.id) for role in roles} | {role.name for role in roles}
        try:
            permissions = channel.permissions_for(who)
        except (AttributeError, discord.ClientException):
            permissions = who.guild_permissions
        return MemberInfo(roles=frozenset(names), platform_moderator=permissions.manage_messages)

    async def mark_solved(self, place: Place, tag_name: str) -> None:
        """Add the forum's tag named ``tag_name`` to the forum post at ``place``; nothing elsewhere."""
        if place.thread is None:
            return
        thread = await self.channel(int(place.thread))
        if not isinstance(thread, discord.Thread) or not isinstance(thread.parent, discord.ForumChannel):
            return
        wanted = tag_name.casefold()
        tag = next((t for t in thread.parent.available_tags if t.name.casefold() == wanted), None)
        applied = thread.applied_tags
        if tag is None or any(t.id == tag.id for t in applied):
            return
        if len(applied) >= MAX_APPLIED_TAGS:
            logger.warning("Thread %s already has %d tags; not adding %r", thread.id, len(applied), tag_name)
            return
        await thread.edit(applied_tags=[*applied, tag])
