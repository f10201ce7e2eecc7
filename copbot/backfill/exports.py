"""Export files as history: DiscordChatExporter's JSON (one channel or thread a file) and Element's JSON room export."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from copbot.core.adapter import HistoryReader, PastMessage, PastSource
from copbot.core.events import Member, MessagePosted, Place

THREAD_KINDS = {"GuildPublicThread", "GuildPrivateThread", "GuildNewsThread"}
"""DiscordChatExporter's channel kinds of threads (a forum post is a public thread); their categoryId is the parent."""
ORDINARY_KINDS = {"Default", "Reply"}
"""Message kinds members write; every other kind (joins, pins, thread created, boosts) is a system notice."""
SOLVED_MARKS = ("[solved]", "solved:", "✅", "[resolved]")
"""DiscordChatExporter exports no forum tags: a post whose name starts with one of these counts as tagged solved."""


class ExportError(ValueError):
    """An export file copbot cannot read; the message names the file and says why."""


class FileHistory(HistoryReader):
    """History held in memory from export files of one platform, grouped into sources."""

    def __init__(self, platform: str, guild: str = "") -> None:
        self.platform = platform
        self.guild = guild
        self.found: dict[str, PastSource] = {}
        self.held: dict[str, list[PastMessage]] = defaultdict(list)

    def add(self, source: PastSource, messages: Iterable[PastMessage]) -> None:
        """Add a source's messages (a second file of the same source continues it)."""
        held = self.held[source.key]
        held.extend(messages)
        self.found[source.key] = PastSource(source.place, source.name, len(held), source.solved, source.public)

    async def sources(self, rooms: Sequence[str]) -> list[PastSource]:
        """The sources whose room (or own id) is named, rooms before their threads."""
        chosen = [s for s in self.found.values() if s.place.room in rooms or s.key in rooms]
        return sorted(chosen, key=lambda source: (source.place.thread is not None, source.place.room, source.key))

    async def messages(self, source: PastSource, *, skip: int, after: str | None) -> AsyncIterator[PastMessage]:
        """The held messages after the first ``skip``, when the ``skip``-th is ``after`` (the same export, or a later
        one that continues it); else after message ``after``, or all of them (storing is idempotent)."""
        held = self.held[source.key]
        if after is not None and not (0 < skip <= len(held) and held[skip - 1].event.id == after):
            skip = next((index + 1 for index, m in enumerate(held) if m.event.id == after), 0)
        for message in held[skip:]:
            yield message

    def message_url(self, place: Place, message_id: str) -> str | None:
        """discord.com or matrix.to links, as the live adapters write them."""
        if self.platform == "discord":
            return f"https://discord.com/channels/{self.guild or '@me'}/{place.thread or place.room}/{message_id}"
        server = place.room.split(":", 1)[-1]
        return f"https://matrix.to/#/{quote(place.room, safe='!:')}/{quote(message_id, safe='$')}?via={server}"


def _when(text: str, path: Path) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise ExportError(f"{path}: {text!r} is not a timestamp") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def discord_messages(data: dict[str, Any], place: Place, path: Path) -> Iterable[PastMessage]:
    """The messages of one DiscordChatExporter file, as the live Discord adapter would deliver them."""
    for raw in data.get("messages", []):
        author = raw.get("author") or {}
        member = Member(str(author.get("id", "")), str(author.get("nickname") or author.get("name") or ""),
                        bool(author.get("isBot", False)))  # fmt: skip
        reference = raw.get("reference") or {}
        kind = str(raw.get("type", "Default"))
        reply_to = reference.get("messageId") if kind == "Reply" else None
        event = MessagePosted(
            place=place,
            created_at=_when(raw.get("timestamp", ""), path),
            id=str(raw["id"]),
            author=member,
            text=str(raw.get("content") or ""),
            reply_to=str(reply_to) if reply_to else None,
            opens_thread=place.thread is not None and place.thread == str(raw["id"]),
        )
        reactions = tuple(
            (str((r.get("emoji") or {}).get("name", "")), tuple(str(u.get("id")) for u in r.get("users") or []))
            for r in raw.get("reactions") or []
        )
        yield PastMessage(event, reactions, bool(raw.get("isPinned", False)), kind not in ORDINARY_KINDS)


def read_discord(data: dict[str, Any], path: Path, history: FileHistory) -> None:
    """Add one DiscordChatExporter file (its channel or thread) to ``history``."""
    channel = data.get("channel") or {}
    if "id" not in channel:
        raise ExportError(f"{path}: no channel id; is this a DiscordChatExporter JSON export?")
    history.guild = history.guild or str((data.get("guild") or {}).get("id", ""))
    name = str(channel.get("name") or "")
    if channel.get("type") in THREAD_KINDS and channel.get("categoryId"):
        place = Place("discord", str(channel["categoryId"]), str(channel["id"]))
    else:
        place = Place("discord", str(channel["id"]))
    solved = place.thread is not None and name.strip().casefold().startswith(SOLVED_MARKS)
    history.add(PastSource(place, name, solved=solved), list(discord_messages(data, place, path)))


def matrix_messages(events: Sequence[dict[str, Any]], room: str, path: Path) -> Iterable[PastMessage]:
    """The room messages of an Element export with their ✅ and other reactions and the room's pins."""
    names: dict[str, str] = {}
    reactions: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    pinned: set[str] = set()
    for event in events:
        content = event.get("content") or {}
        if event.get("type") == "m.room.member" and content.get("displayname"):
            names[str(event.get("state_key"))] = str(content["displayname"])
        elif event.get("type") == "m.reaction":
            relation = content.get("m.relates_to") or {}
            if relation.get("rel_type") == "m.annotation" and relation.get("event_id"):
                reactions[str(relation["event_id"])][str(relation.get("key", ""))].append(str(event.get("sender")))
        elif event.get("type") == "m.room.pinned_events":
            pinned = {str(ident) for ident in content.get("pinned") or []}
    for event in events:
        content = event.get("content") or {}
        relation = content.get("m.relates_to") or {}
        if event.get("type") != "m.room.message" or relation.get("rel_type") == "m.replace":
            continue
        sender, ident = str(event.get("sender", "")), str(event.get("event_id", ""))
        thread = str(relation["event_id"]) if relation.get("rel_type") == "m.thread" else None
        reply = (relation.get("m.in_reply_to") or {}).get("event_id")
        posted = MessagePosted(
            place=Place("matrix", room, thread),
            created_at=datetime.fromtimestamp(int(event.get("origin_server_ts", 0)) / 1000, UTC),
            id=ident,
            author=Member(sender, names.get(sender, sender), content.get("msgtype") == "m.notice"),
            text=str(content.get("body") or ""),
            reply_to=str(reply) if reply and not relation.get("is_falling_back") else None,
        )
        given = tuple((key, tuple(users)) for key, users in reactions.get(ident, {}).items())
        redacted = "redacted_because" in (event.get("unsigned") or {}) or not content
        yield PastMessage(posted, given, ident in pinned, redacted)


def read_element(data: dict[str, Any], path: Path, history: FileHistory) -> None:
    """Add one Element JSON room export to ``history``."""
    events = [event for event in data.get("messages", []) if isinstance(event, dict)]
    room = next((str(e["room_id"]) for e in events if e.get("room_id")), str(data.get("room_id", "")))
    if not room:
        raise ExportError(f"{path}: no room id in the export; is this an Element JSON export?")
    history.add(
        PastSource(Place("matrix", room), str(data.get("room_name") or "")), matrix_messages(events, room, path)
    )


def read_exports(paths: Sequence[Path]) -> list[FileHistory]:
    """Each platform's history from export files (DiscordChatExporter or Element JSON, told apart by content)."""
    found: dict[str, FileHistory] = {}
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise ExportError(f"{path}: not a UTF-8 JSON file") from None
        except json.JSONDecodeError as error:
            raise ExportError(f"{path}:{error.lineno}: not valid JSON ({error.msg})") from None
        if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
            raise ExportError(f"{path}: expected a DiscordChatExporter or Element JSON export (no message list)")
        platform = "discord" if "channel" in data and "guild" in data else "matrix"
        history = found.setdefault(platform, FileHistory(platform))
        try:
            (read_discord if platform == "discord" else read_element)(data, path, history)
        except (KeyError, TypeError, AttributeError) as error:
            raise ExportError(f"{path}: a message lacks what the format requires ({error!r})") from None
    return list(found.values())
