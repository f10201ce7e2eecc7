"""INTERACTION_CREATE payloads and the REST answers Discord gives about commands and interactions."""

from __future__ import annotations

from typing import Any

from tests.adapters.discord import payloads as p

Payload = dict[str, Any]
EPHEMERAL = 1 << 6
GATEWAY_MESSAGE_CONTENT = 1 << 19
"""The application flag saying the Message Content intent is switched on in the Developer Portal."""


def application(*, message_content: bool = True) -> Payload:
    """The application object of GET /oauth2/applications/@me."""
    return {
        "id": p.APP_ID,
        "name": "copbot",
        "icon": None,
        "description": "Community of practice bot",
        "bot_public": False,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": GATEWAY_MESSAGE_CONTENT if message_content else 0,
        "owner": p.user("1200000000000000099", "Owner"),
        "team": None,
        "summary": "",
        "rpc_origins": [],
        "interactions_endpoint_url": None,
    }


def registered_command(command: Payload, guild_id: str | None) -> Payload:
    """An application command object as the bulk overwrite answers it."""
    data = {**command, "id": p.snowflake(), "application_id": p.APP_ID, "version": p.snowflake()}
    data.setdefault("description", "")
    data.setdefault("default_member_permissions", None)
    if guild_id is not None:
        data["guild_id"] = guild_id
    return data


def callback_response(interaction_id: str, callback: Payload) -> Payload:
    """The interaction callback response object returned when ``with_response`` is set."""
    flags = (callback.get("data") or {}).get("flags", 0)
    message = p.message(p.TEXT_ID, (callback.get("data") or {}).get("content") or "", author=p.bot_user())
    message["flags"] = flags
    message["interaction_metadata"] = {"id": interaction_id, "type": 2, "user": p.user(p.ALICE_ID, "Alice")}
    return {
        "interaction": {
            "id": interaction_id,
            "type": 2,
            "activity_instance_id": None,
            "response_message_id": message["id"],
            "response_message_loading": callback["type"] == 5,
            "response_message_ephemeral": bool(flags & EPHEMERAL),
        },
        "resource": {"type": callback["type"], "message": message},
    }


def _interaction(data: Payload, channel: Payload, who: p.Who) -> Payload:
    permissions = 1 << 10 | 1 << 11 | (p.MANAGE_MESSAGES if p.MODERATOR_ROLE_ID in who[2] else 0)
    return {
        "id": p.snowflake(),
        "application_id": p.APP_ID,
        "type": 2,
        "data": data,
        "guild_id": p.GUILD_ID,
        "guild": {"id": p.GUILD_ID, "locale": "en-US", "features": []},
        "channel_id": channel["id"],
        "channel": channel,
        "member": {**p.member(who), "permissions": str(permissions)},
        "token": "aW50ZXJhY3Rpb24tdG9rZW4",
        "version": 1,
        "app_permissions": str(1 << 10 | 1 << 11 | 1 << 34),
        "locale": "en-GB",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": p.GUILD_ID},
        "context": 0,
        "attachment_size_limit": 10485760,
    }


def slash(name: str, options: list[Payload], channel: Payload | None = None, who: p.Who = p.ALICE) -> Payload:
    """A chat input command (data.type 1) used by ``who`` in ``channel``, the text channel by default."""
    data = {"id": p.snowflake(), "name": name, "type": 1, "options": options, "guild_id": p.GUILD_ID}
    return _interaction(data, channel or p.text_channel(p.TEXT_ID, "general"), who)


def option(name: str, value: str) -> Payload:
    """A string option (type 3)."""
    return {"name": name, "type": 3, "value": value}


def subcommand(name: str, options: list[Payload]) -> Payload:
    """A subcommand option (type 1) with its own options."""
    return {"name": name, "type": 1, "options": options}


def button_click(message: Payload, custom_id: str, who: p.Who = p.ALICE) -> Payload:
    """A message component interaction (type 3): ``who`` clicks the button ``custom_id`` under ``message``."""
    data = {"custom_id": custom_id, "component_type": 2}
    payload = _interaction(data, p.text_channel(message["channel_id"], "general"), who)
    return {**payload, "type": 3, "message": message}


def message_menu(name: str, target: Payload, who: p.Who = p.ALICE) -> Payload:
    """A message context-menu command (data.type 3) by ``who`` on ``target``, with it in ``resolved.messages``."""
    data = {
        "id": p.snowflake(),
        "name": name,
        "type": 3,
        "target_id": target["id"],
        "resolved": {"messages": {target["id"]: target}},
        "guild_id": p.GUILD_ID,
    }
    return _interaction(data, p.text_channel(target["channel_id"], "general"), who)
