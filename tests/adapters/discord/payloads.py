"""Gateway and REST payloads shaped as Discord's API documentation gives them, for one test guild."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import discord

Payload = dict[str, Any]

APP_ID = BOT_ID = "1200000000000000100"
GUILD_ID = "1200000000000000001"
TEXT_ID = "1200000000000000010"
FORUM_ID = "1200000000000000020"
SOLVED_TAG_ID = "1200000000000000021"
PYTHON_TAG_ID = "1200000000000000022"
FORUM_POST_ID = "1200000000000000030"
MEMBER_ROLE_ID = "1200000000000000050"
MODERATOR_ROLE_ID = "1200000000000000051"
ALICE_ID = "1200000000000000060"
BOB_ID = "1200000000000000061"

_BASIC = 1 << 10 | 1 << 11 | 1 << 16 | 1 << 6  # view channel, send, read history, add reactions
MANAGE_MESSAGES = 1 << 13
_ids = itertools.count(1)


def snowflake() -> str:
    """A fresh snowflake for now, unique within the test run."""
    return str(discord.utils.time_snowflake(datetime.now(UTC)) + next(_ids))


def timestamp(when: datetime | None = None) -> str:
    """An ISO 8601 timestamp as Discord writes them."""
    return (when or datetime.now(UTC)).isoformat()


def user(user_id: str, name: str, *, bot: bool = False) -> Payload:
    """A user object."""
    data: Payload = {
        "id": user_id,
        "username": name.lower(),
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "public_flags": 0,
    }
    if bot:
        data["bot"] = True
    return data


def bot_user() -> Payload:
    """The bot's own user, as GET /users/@me gives it."""
    return {**user(BOT_ID, "copbot", bot=True), "verified": True, "mfa_enabled": False, "flags": 0}


Who = tuple[str, str, list[str]]
"""A member's display name, user id and role ids."""
ALICE: Who = ("Alice", ALICE_ID, [MEMBER_ROLE_ID])
BOB: Who = ("Bob", BOB_ID, [MEMBER_ROLE_ID, MODERATOR_ROLE_ID])


def member(who: Who, *, with_user: bool = True) -> Payload:
    """A guild member object; message payloads carry it without the user."""
    name, user_id, roles = who
    data: Payload = {
        "nick": None,
        "avatar": None,
        "roles": roles,
        "joined_at": "2024-01-02T03:04:05.000000+00:00",
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
    }
    if with_user:
        data["user"] = user(user_id, name)
    return data


def role(role_id: str, name: str, permissions: int, position: int) -> Payload:
    """A role object; permissions are a bitfield serialised as a string."""
    return {
        "id": role_id,
        "name": name,
        "color": 0,
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def text_channel(channel_id: str, name: str) -> Payload:
    """A guild text channel (type 0)."""
    return {
        "id": channel_id,
        "type": 0,
        "guild_id": GUILD_ID,
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "topic": None,
        "nsfw": False,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "parent_id": None,
        "default_auto_archive_duration": 1440,
        "flags": 0,
    }


def forum_channel() -> Payload:
    """A forum channel (type 15) whose available tags include "Solved"."""
    tags = [
        {"id": SOLVED_TAG_ID, "name": "Solved", "moderated": False, "emoji_id": None, "emoji_name": "✅"},
        {"id": PYTHON_TAG_ID, "name": "python", "moderated": False, "emoji_id": None, "emoji_name": None},
    ]
    return {
        **text_channel(FORUM_ID, "help"),
        "type": 15,
        "available_tags": tags,
        "default_reaction_emoji": None,
        "default_sort_order": None,
        "default_forum_layout": 0,
        "default_thread_rate_limit_per_user": 0,
    }


def thread(
    thread_id: str,
    parent_id: str,
    name: str,
    *,
    archived: bool = False,
    tags: list[str] | None = None,
    owner: str = ALICE_ID,
) -> Payload:
    """A public thread (type 11); in a forum, a post."""
    return {
        "id": thread_id,
        "type": 11,
        "guild_id": GUILD_ID,
        "parent_id": parent_id,
        "owner_id": owner,
        "name": name,
        "last_message_id": thread_id,
        "message_count": 1,
        "member_count": 1,
        "rate_limit_per_user": 0,
        "flags": 0,
        "applied_tags": tags or [],
        "total_message_sent": 1,
        "thread_metadata": {
            "archived": archived,
            "auto_archive_duration": 1440,
            "archive_timestamp": timestamp(),
            "locked": False,
            "create_timestamp": timestamp(),
        },
    }


def forum_post() -> Payload:
    """An open forum post in the help forum, tagged python."""
    return thread(FORUM_POST_ID, FORUM_ID, "How do I cancel a task?", tags=[PYTHON_TAG_ID])


def guild_create() -> Payload:
    """The GUILD_CREATE for the test guild: roles, a text channel, a forum and an open forum post."""
    return {
        "id": GUILD_ID,
        "name": "Practice",
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": "1200000000000000099",
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_progress_bar_enabled": False,
        "preferred_locale": "en-US",
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "vanity_url_code": None,
        "application_id": None,
        "features": [],
        "emojis": [],
        "stickers": [],
        "roles": [
            role(GUILD_ID, "@everyone", _BASIC, 0),
            role(MEMBER_ROLE_ID, "member", _BASIC, 1),
            role(MODERATOR_ROLE_ID, "moderators", _BASIC | MANAGE_MESSAGES, 2),
        ],
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "large": False,
        "unavailable": False,
        "member_count": 3,
        "members": [{**member(("copbot", BOT_ID, [])), "user": bot_user()}],
        "channels": [text_channel(TEXT_ID, "general"), forum_channel()],
        "threads": [forum_post()],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def ready() -> Payload:
    """The READY dispatch: the bot user, its application and the (still unavailable) guild."""
    return {
        "v": 10,
        "user": bot_user(),
        "guilds": [{"id": GUILD_ID, "unavailable": True}],
        "session_id": "0123456789abcdef",
        "resume_gateway_url": "wss://127.0.0.1/",
        "shard": [0, 1],
        "application": {"id": APP_ID, "flags": 0},
    }


def message(
    channel_id: str,
    content: str,
    *,
    author: Payload | None = None,
    message_id: str | None = None,
    reply_to: str | None = None,
    embeds: list[Payload] | None = None,
    message_type: int = 0,
    pinned: bool = False,
    edited: bool = False,
    flags: int = 0,
) -> Payload:
    """A message object in the test guild (MESSAGE_CREATE and MESSAGE_UPDATE carry the same shape)."""
    author = author or user(ALICE_ID, "Alice")
    data: Payload = {
        "id": message_id or snowflake(),
        "channel_id": channel_id,
        "guild_id": GUILD_ID,
        "author": author,
        "content": content,
        "timestamp": timestamp(),
        "edited_timestamp": timestamp() if edited else None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": embeds or [],
        "pinned": pinned,
        "type": 19 if reply_to and message_type == 0 else message_type,
        "flags": flags,
        "components": [],
    }
    if author["id"] != BOT_ID:
        data["member"] = member(ALICE if author["id"] == ALICE_ID else BOB, with_user=False)
    if reply_to is not None:
        data["message_reference"] = {"type": 0, "message_id": reply_to, "channel_id": channel_id}
    return data


def reaction(message_id: str, channel_id: str, emoji: str, *, add: bool = True) -> Payload:
    """A MESSAGE_REACTION_ADD (with the member) or MESSAGE_REACTION_REMOVE payload from Alice."""
    data: Payload = {
        "user_id": ALICE_ID,
        "channel_id": channel_id,
        "message_id": message_id,
        "guild_id": GUILD_ID,
        "emoji": {"id": None, "name": emoji},
        "burst": False,
        "type": 0,
    }
    if add:
        data.update(member=member(ALICE), message_author_id=BOB_ID, burst_colors=[])
    return data


def message_delete(message_id: str, channel_id: str) -> Payload:
    """A MESSAGE_DELETE payload."""
    return {"id": message_id, "channel_id": channel_id, "guild_id": GUILD_ID}
