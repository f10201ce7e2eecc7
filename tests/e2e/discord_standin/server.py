"""The stand-in's REST API: the fake API's routes with Discord's validation, each change sent to the gateway."""

from __future__ import annotations

import asyncio
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.adapters.discord import interaction_payloads as ip
from tests.adapters.discord import payloads as p
from tests.adapters.discord.fake_api import FakeDiscord, Handler, json_response
from tests.e2e.discord_standin import history, rules
from tests.e2e.discord_standin.gateway import Gateway

Payload = dict[str, Any]
BOT_ROLE_ID = "1200000000000000052"
BOT_PERMISSIONS = (
    rules.VIEW_CHANNEL | rules.SEND_MESSAGES | rules.READ_MESSAGE_HISTORY | rules.ADD_REACTIONS | rules.EMBED_LINKS
    | rules.CREATE_PUBLIC_THREADS | rules.SEND_MESSAGES_IN_THREADS | rules.MANAGE_THREADS
)  # fmt: skip
"""What an admin grants copbot when inviting it."""
_UNAUTHENTICATED = re.compile(r"/(interactions|webhooks)/.*")
_MENTION = re.compile(r"<@!?(\d+)>")
_SNOWFLAKE = re.compile(r"/\d{15,}")


@dataclass
class Interaction:
    """One interaction as Discord tracks it: when it was created and what its member got back."""

    payload: Payload
    created: float
    callback: int | None = None
    answers: list[Payload] = field(default_factory=list)
    """The messages the member saw in answer: the callback's, edits of the original and followups."""

    @property
    def id(self) -> str:
        return str(self.payload["id"])

    @property
    def contents(self) -> list[str]:
        return [str(answer.get("content") or "") for answer in self.answers]


@dataclass
class StandIn(FakeDiscord):
    """Discord on 127.0.0.1: REST under /api/v10 and the gateway at /gateway, over one guild."""

    token: str = "stand-in-token"
    message_content_enabled: bool = True
    rate_limit: int = 50
    """Requests per route and second before a 429, as Discord's buckets do."""
    gateway: Gateway = field(init=False)
    interactions: dict[str, Interaction] = field(default_factory=dict)
    commands: dict[str, Payload] = field(default_factory=dict)
    thread_members: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    limited: list[str] = field(default_factory=list)
    _forced_limits: list[tuple[str, str, float]] = field(default_factory=list)
    _hits: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        self.gateway = Gateway(self.token, self._ready, lambda: [self.guild_create()])
        self.channels.update({c["id"]: c for c in p.guild_create()["channels"]})
        self.channels[p.FORUM_POST_ID] = p.forum_post()
        self.members.update({m[1]: p.member(m) for m in (p.ALICE, p.BOB)})
        self.members[p.BOT_ID] = {**p.member(("copbot", p.BOT_ID, [BOT_ROLE_ID])), "user": p.bot_user()}

    @property
    def gateway_url(self) -> str:
        return self.base.removesuffix("/api/v10") + "/gateway"

    async def start(self) -> None:
        await super().start()
        self.gateway.url = self.gateway_url
        self.gateway.allowed_intents = ~0 if self.message_content_enabled else ~(1 << 15)

    def _web_app(self) -> web.Application:
        app = super()._web_app()
        app.router.add_get("/gateway", self.gateway.handle)
        return app

    def guild_create(self) -> Payload:
        """GUILD_CREATE as Discord would send it now: the guild with its current channels and threads."""
        guild = p.guild_create()
        guild["roles"] = [*guild["roles"], p.role(BOT_ROLE_ID, "copbot", BOT_PERMISSIONS, 3)]
        guild["members"] = [self.members[p.BOT_ID]]
        guild["channels"] = [c for c in self.channels.values() if c["type"] not in rules.THREAD_TYPES]
        guild["threads"] = [c for c in self.channels.values() if c["type"] in rules.THREAD_TYPES]
        return guild

    def _ready(self) -> Payload:
        return p.ready()

    def permissions(self, user_id: str, channel_id: str) -> int:
        """What ``user_id`` may do in a channel or thread (a thread follows its parent)."""
        channel = self.channels.get(channel_id)
        if channel is not None and channel["type"] in rules.THREAD_TYPES:
            channel = self.channels.get(channel["parent_id"])
        roles = self.members.get(user_id, {}).get("roles", [])
        return rules.permissions(self.guild_create(), roles, user_id, channel)

    def may(self, user_id: str, channel_id: str, wanted: int) -> bool:
        return self.permissions(user_id, channel_id) & wanted == wanted

    def rate_limit_next(self, method: str, pattern: str, retry_after: float = 0.3) -> None:
        """Answer the next matching bot request with 429 and ``retry_after`` seconds."""
        self._forced_limits.append((method, pattern, retry_after))

    async def until(self, predicate: Callable[[], bool], within: float = 10.0) -> None:
        """Wait until ``predicate`` holds; checked after every request."""
        async with asyncio.timeout(within), self._arrived:
            await self._arrived.wait_for(predicate)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        if not _UNAUTHENTICATED.fullmatch(path):
            if request.headers.get("Authorization") != f"Bot {self.token}":
                return rules.error(401, 0, "401: Unauthorized")
            limited = self._limit(request.method, path)
            if limited is not None:
                self.limited.append(f"{request.method} {path}")
                return limited
        response = await super()._dispatch(request)
        async with self._arrived:
            self._arrived.notify_all()
        return response

    def _limit(self, method: str, path: str) -> web.Response | None:
        for forced in self._forced_limits:
            if forced[0] == method and re.fullmatch(forced[1], path):
                self._forced_limits.remove(forced)
                return rules.rate_limited(forced[2], "forced")
        bucket = method + " " + _SNOWFLAKE.sub("/:id", path, count=2)
        now = time.monotonic()
        hits = [hit for hit in self._hits[bucket] if now - hit < 1.0]
        if len(hits) >= self.rate_limit:
            self._hits[bucket] = hits
            return rules.rate_limited(1.0 - (now - hits[0]), bucket)
        self._hits[bucket] = [*hits, now]
        return None

    def _routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("GET", r"/gateway(/bot)?", self._gateway_info),
            ("DELETE", r"/webhooks/(\d+)/([^/]+)/messages/@original", self._delete_original),
            ("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/@original", self._edit_original),
            ("PUT", r"/channels/(\d+)/thread-members/(\d+|@me)", self._join_thread),
            ("GET", r"/channels/(\d+)/pins", self._pins),
            *history.history_routes(self),
            *super()._routes(),
        ]

    async def _gateway_info(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return json_response({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _application(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        return json_response(ip.application(message_content=self.message_content_enabled))

    async def _commands(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        response = await super()._commands(request, match, body)
        self.commands = {command["name"]: command for command in body}
        return response

    async def _create_message(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        channel_id = match.group(1)
        channel = self.channels.get(channel_id)
        if channel is None:
            return rules.error(404, 10003, "Unknown Channel")
        in_thread = channel["type"] in rules.THREAD_TYPES
        send = rules.SEND_MESSAGES_IN_THREADS if in_thread else rules.SEND_MESSAGES
        if not self.may(p.BOT_ID, channel_id, rules.VIEW_CHANNEL | send):
            return rules.missing_permissions()
        problem = rules.content_problem(body)
        if problem is not None:
            return problem
        response = await super()._create_message(request, match, body)
        message = self.messages[channel_id][-1]
        await self._announce_bot_message(message, body)
        return response

    async def _announce_bot_message(self, message: Payload, body: Payload) -> None:
        """Mentions add users to a thread; the message goes out as MESSAGE_CREATE."""
        mentioned = _MENTION.findall(message["content"])
        message["mentions"] = [self.members[m]["user"] for m in mentioned if m in self.members]
        if message["channel_id"] in self.channels and self.channels[message["channel_id"]]["type"] == 11:
            self.thread_members[message["channel_id"]].update(m for m in mentioned if m in self.members)
        await self.gateway.dispatch("MESSAGE_CREATE", message)

    async def _history(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        if not self.may(p.BOT_ID, match.group(1), rules.VIEW_CHANNEL | rules.READ_MESSAGE_HISTORY):
            return rules.missing_access()
        return await super()._history(request, match, body)

    async def _start_thread(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        channel_id, message_id = match.group(1), match.group(2)
        problem = self._thread_problem(channel_id, body)
        if problem is not None:
            return problem
        if not any(m["id"] == message_id for m in self.messages.get(channel_id, [])):
            return rules.error(404, 10008, "Unknown Message")
        if message_id in self.channels:
            return rules.error(400, 160004, "A thread has already been created for this message")
        response = await super()._start_thread(request, match, body)
        await self._announce_thread(message_id)
        return response

    async def _start_thread_alone(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        problem = self._thread_problem(match.group(1), body)
        if problem is not None:
            return problem
        response = await super()._start_thread_alone(request, match, body)
        await self._announce_thread(self.threads_of(match.group(1))[-1]["id"])
        return response

    def _thread_problem(self, channel_id: str, body: Payload) -> web.Response | None:
        if channel_id not in self.channels:
            return rules.error(404, 10003, "Unknown Channel")
        if not self.may(p.BOT_ID, channel_id, rules.VIEW_CHANNEL | rules.CREATE_PUBLIC_THREADS):
            return rules.missing_permissions()
        return rules.thread_name_problem(body)

    async def _announce_thread(self, thread_id: str) -> None:
        self.thread_members[thread_id].add(p.BOT_ID)
        await self.gateway.dispatch("THREAD_CREATE", {**self.channels[thread_id], "newly_created": True})

    async def _join_thread(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        user = p.BOT_ID if match.group(2) == "@me" else match.group(2)
        self.thread_members[match.group(1)].add(user)
        return web.Response(status=204)

    async def _pins(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        return json_response([m for m in self.messages.get(match.group(1), []) if m.get("pinned")])

    async def _no_content(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        if request.method == "PUT" and "/reactions/" in request.path:
            wanted = rules.VIEW_CHANNEL | rules.READ_MESSAGE_HISTORY | rules.ADD_REACTIONS
            if not self.may(p.BOT_ID, match.group(1), wanted):
                return rules.missing_permissions()
        return await super()._no_content(request, match, body)

    async def _edit_channel(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        channel = self.channels.get(match.group(1))
        owner = channel is not None and channel.get("owner_id") == p.BOT_ID
        if channel is not None and not owner and not self.may(p.BOT_ID, match.group(1), rules.MANAGE_THREADS):
            return rules.missing_permissions()
        response = await super()._edit_channel(request, match, body)
        if channel is not None:
            await self.gateway.dispatch("THREAD_UPDATE" if channel["type"] == 11 else "CHANNEL_UPDATE", channel)
        return response

    def _interaction(self, interaction_id: str, token: str) -> Interaction | None:
        found = self.interactions.get(interaction_id)
        return found if found is not None and found.payload["token"] == token else None

    def _by_token(self, token: str) -> Interaction | None:
        return next((i for i in self.interactions.values() if i.payload["token"] == token), None)

    async def _callback(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        interaction = self._interaction(match.group(1), match.group(2))
        if interaction is None or time.monotonic() - interaction.created > rules.INTERACTION_DEADLINE:
            return rules.unknown_interaction()
        if interaction.callback is not None:
            return rules.error(400, 40060, "Interaction has already been acknowledged.")
        data = body.get("data") or {}
        if body["type"] in (4, 7):
            problem = rules.content_problem(data)
            if problem is not None:
                return problem
            interaction.answers.append(data)
        interaction.callback = body["type"]
        return await super()._callback(request, match, body)

    async def _followup(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        interaction = self._by_token(match.group(2))
        if interaction is None or interaction.callback is None:
            return rules.error(404, 10015, "Unknown Webhook")
        if time.monotonic() - interaction.created > rules.FOLLOWUP_WINDOW:
            return rules.error(401, 50027, "Invalid Webhook Token")
        problem = rules.content_problem(body)
        if problem is not None:
            return problem
        interaction.answers.append(body)
        return await super()._followup(request, match, body)

    async def _edit_original(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        return await self._followup(request, match, body)

    async def _delete_original(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        interaction = self._by_token(match.group(2))
        if interaction is None or interaction.callback is None:
            return rules.error(404, 10015, "Unknown Webhook")
        return web.Response(status=204)
