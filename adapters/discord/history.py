"""Discord's past through discord.py's REST iterators: channel history, active and archived threads, forum posts."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Collection, Sequence
from typing import Any

import discord

from copbot.core.adapter import HistoryReader, PastMessage, PastSource
from copbot.core.events import Place

from .convert import PLATFORM, message_posted, place_of

_POSTED = frozenset({discord.MessageType.default, discord.MessageType.reply})


class DiscordHistory(HistoryReader):
    """Reads what a logged-in client may see of the guilds' channels; discord.py waits out rate limits itself."""

    platform = PLATFORM

    def __init__(self, client: discord.Client, guild_ids: Sequence[int], solved_tag: str, marks: Collection[str]):
        self.client = client
        self.guild_ids = list(guild_ids)
        self.solved_tag = solved_tag.casefold()
        self.marks = set(marks)
        self._channels: dict[str, Any] = {}
        self._guild_of: dict[str, int] = {}

    async def sources(self, rooms: Sequence[str]) -> list[PastSource]:
        """Each named channel, then its active and archived threads (a forum's posts)."""
        found: list[PastSource] = []
        for guild_id in self.guild_ids:
            guild = await self.client.fetch_guild(guild_id)
            channels = {str(channel.id): channel for channel in await guild.fetch_channels()}
            threads = [t for t in await guild.active_threads() if str(t.parent_id) in rooms]
            for room in rooms:
                channel = channels.get(room)
                if channel is None:
                    continue
                public = self._public(guild, channel)
                if isinstance(channel, discord.TextChannel):
                    found.append(self._remember(PastSource(place_of(channel), channel.name, public=public), channel))
                if isinstance(channel, discord.TextChannel | discord.ForumChannel):
                    threads += [thread async for thread in channel.archived_threads(limit=None)]
                for thread in threads:
                    if str(thread.parent_id) == room and str(thread.id) not in self._channels:
                        solved = self._solved(channel, thread)
                        source = PastSource(place_of(thread), thread.name, thread.message_count, solved, public)
                        found.append(self._remember(source, thread))
            self._guild_of.update({key: guild_id for key in self._channels})
        return found

    def _remember(self, source: PastSource, channel: Any) -> PastSource:
        self._channels[source.key] = channel
        return source

    @staticmethod
    def _public(guild: discord.Guild, channel: Any) -> bool | None:
        with contextlib.suppress(Exception):
            return bool(channel.permissions_for(guild.default_role).view_channel)
        return None

    def _solved(self, parent: Any, thread: discord.Thread) -> bool:
        tags = {str(tag.id): tag.name for tag in getattr(parent, "available_tags", [])}
        applied = [str(tag) for tag in getattr(thread, "_applied_tags", [])]
        return any(tags.get(tag, "").casefold() == self.solved_tag for tag in applied)

    async def messages(self, source: PastSource, *, skip: int, after: str | None) -> AsyncIterator[PastMessage]:
        """The source's messages oldest first, after message ``after``."""
        channel = self._channels[source.key]
        start = discord.Object(int(after)) if after else None
        async for message in channel.history(limit=None, after=start, oldest_first=True):
            yield await self._past(message, source.place)

    async def _past(self, message: discord.Message, place: Place) -> PastMessage:
        reactions: list[tuple[str, tuple[str, ...]]] = []
        for reaction in message.reactions:
            if str(reaction.emoji) in self.marks:
                users = tuple([str(user.id) async for user in reaction.users(limit=None)])
                reactions.append((str(reaction.emoji), users))
        event = message_posted(message, place)
        return PastMessage(event, tuple(reactions), message.pinned, message.type not in _POSTED)

    async def announce(self, place: Place, text: str) -> None:
        """The backfill notice, in the channel itself."""
        await self._channels[place.thread or place.room].send(text)

    def message_url(self, place: Place, message_id: str) -> str | None:
        """A discord.com link, as the adapter writes it."""
        guild = self._guild_of.get(place.thread or place.room) or (self.guild_ids[0] if self.guild_ids else None)
        return f"https://discord.com/channels/{guild or '@me'}/{place.thread or place.room}/{message_id}"


@contextlib.asynccontextmanager
async def discord_history(
    token: str, guild_ids: Sequence[int], solved_tag: str, marks: Collection[str]
) -> AsyncIterator[DiscordHistory]:
    """A client logged in over REST (no gateway session: the backfill only reads), closed afterwards."""
    client = discord.Client(intents=discord.Intents.none())
    await client.login(token)
    try:
        yield DiscordHistory(client, guild_ids, solved_tag, marks)
    finally:
        await client.close()
