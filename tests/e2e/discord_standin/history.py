"""The stand-in's history routes: a guild's channels, active and archived threads, who reacted with an emoji."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aiohttp import web

from tests.adapters.discord.fake_api import Handler, json_response
from tests.e2e.discord_standin import rules

if TYPE_CHECKING:
    from tests.e2e.discord_standin.server import StandIn

Route = tuple[str, str, Handler]
REACTED = "reacted_by"
"""A message payload's own record of who reacted with each emoji (discord.py ignores the key)."""


def history_routes(api: StandIn) -> list[Route]:
    """GET /guilds/{id}, its channels and active threads, archived public threads, reaction users."""

    def handler(make: Callable[[re.Match[str], web.Request], Any]) -> Handler:
        async def handle(request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
            return json_response(make(match, request))

        return handle

    def threads(archived: bool) -> list[dict[str, Any]]:
        return [c for c in api.channels.values()
                if c["type"] in rules.THREAD_TYPES and c["thread_metadata"]["archived"] is archived]  # fmt: skip

    def guild(match: re.Match[str], request: web.Request) -> dict[str, Any]:
        found = api.guild_create()
        return {key: value for key, value in found.items() if key not in ("channels", "threads", "members")}

    def channels(match: re.Match[str], request: web.Request) -> list[dict[str, Any]]:
        return list(api.guild_create()["channels"])

    def active(match: re.Match[str], request: web.Request) -> dict[str, Any]:
        return {"threads": threads(False), "members": []}

    def archived(match: re.Match[str], request: web.Request) -> dict[str, Any]:
        mine = [t for t in threads(True) if t["parent_id"] == match.group(1)]
        return {"threads": mine, "members": [], "has_more": False}

    def reacted(match: re.Match[str], request: web.Request) -> list[dict[str, Any]]:
        found = [m for m in api.messages.get(match.group(1), []) if m["id"] == match.group(2)]
        users = found[0].get(REACTED, {}).get(unquote(match.group(3)), []) if found else []
        after = int(request.query.get("after", "0"))
        return [user for user in users if int(user["id"]) > after][: int(request.query.get("limit", "100"))]

    return [
        ("GET", r"/guilds/(\d+)", handler(guild)),
        ("GET", r"/guilds/(\d+)/channels", handler(channels)),
        ("GET", r"/guilds/(\d+)/threads/active", handler(active)),
        ("GET", r"/channels/(\d+)/threads/archived/public", handler(archived)),
        ("GET", r"/channels/(\d+)/messages/(\d+)/reactions/([^/@]+)", handler(reacted)),
    ]
