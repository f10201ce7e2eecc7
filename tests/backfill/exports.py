"""Export files as DiscordChatExporter and Element write them, built from a few lines of a conversation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

START = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
GUILD = "9000"


def dce_user(ident: str, name: str, *, bot: bool = False) -> dict[str, Any]:
    """A DiscordChatExporter user object."""
    return {"id": ident, "name": name, "discriminator": "0000", "nickname": name.title(), "color": None,
            "isBot": bot, "roles": [], "avatarUrl": ""}  # fmt: skip


def dce_message(
    ident: str, author: dict[str, Any], content: str, minute: int, *, kind: str = "Default",
    reply_to: str | None = None, channel: str = "", reacted: Sequence[dict[str, Any]] = (), pinned: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """A DiscordChatExporter message object; ``reacted`` are the users who reacted ✅."""
    message: dict[str, Any] = {
        "id": ident, "type": "Reply" if reply_to else kind,
        "timestamp": (START + timedelta(minutes=minute)).isoformat(timespec="milliseconds"),
        "timestampEdited": None, "callEndedTimestamp": None, "isPinned": pinned, "content": content,
        "author": author, "attachments": [], "components": [], "embeds": [], "stickers": [],
        "reactions": [{"emoji": {"id": None, "name": "✅", "code": "white_check_mark", "isAnimated": False,
                                 "imageUrl": ""}, "count": len(reacted), "users": list(reacted)}] if reacted else [],
        "mentions": [], "inlineEmojis": [],
    }  # fmt: skip
    if reply_to:
        message["reference"] = {"type": "Default", "messageId": reply_to, "channelId": channel, "guildId": GUILD}
    return message


def dce_file(
    path: Path, channel: str, name: str, messages: list[dict[str, Any]], *, kind: str = "GuildTextChat",
    parent: str | None = None,
) -> Path:  # fmt: skip
    """Write one channel's (or thread's) DiscordChatExporter JSON export."""
    data = {
        "guild": {"id": GUILD, "name": "Growers", "iconUrl": ""},
        "channel": {"id": channel, "type": kind, "categoryId": parent, "category": "help" if parent else None,
                    "name": name, "topic": None},
        "dateRange": {"after": None, "before": None}, "exportedAt": "2024-06-01T00:00:00+00:00",
        "messages": messages, "messageCount": len(messages),
    }  # fmt: skip
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def element_event(ident: str, sender: str, body: str, minute: int, *, room: str, **extra: Any) -> dict[str, Any]:
    """A room message as Element's JSON export holds it; ``thread`` and ``reply_to`` relate it."""
    content: dict[str, Any] = {"msgtype": extra.get("msgtype", "m.text"), "body": body}
    if extra.get("thread"):
        content["m.relates_to"] = {"rel_type": "m.thread", "event_id": extra["thread"], "is_falling_back": True,
                                   "m.in_reply_to": {"event_id": extra["thread"]}}  # fmt: skip
    elif extra.get("reply_to"):
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": extra["reply_to"]}}
    stamp = int((START + timedelta(minutes=minute)).timestamp() * 1000)
    return {"type": "m.room.message", "sender": sender, "content": content, "event_id": ident,
            "origin_server_ts": stamp, "room_id": room, "unsigned": {}}  # fmt: skip


def element_reaction(ident: str, sender: str, target: str, minute: int, *, room: str) -> dict[str, Any]:
    """A ✅ reaction event."""
    stamp = int((START + timedelta(minutes=minute)).timestamp() * 1000)
    content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": target, "key": "✅"}}
    return {"type": "m.reaction", "sender": sender, "content": content, "event_id": ident,
            "origin_server_ts": stamp, "room_id": room}  # fmt: skip


def element_file(path: Path, name: str, events: list[dict[str, Any]]) -> Path:
    """Write an Element JSON room export."""
    data = {"room_name": name, "room_creator": "@alice:example.org", "topic": "", "export_date": "01/06/2024",
            "exported_by": "@alice:example.org", "messages": events}  # fmt: skip
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path
