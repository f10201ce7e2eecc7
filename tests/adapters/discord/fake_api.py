"""A local aiohttp server standing in for Discord's REST API; it records every request it gets."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from tests.adapters.discord import interaction_payloads as ip
from tests.adapters.discord import payloads as p

logger = logging.getLogger(__name__)

Payload = dict[str, Any]
Handler = Callable[[web.Request, "re.Match[str]", Any], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Recorded:
    """One request as the fake API received it."""

    method: str
    path: str
    query: dict[str, str]
    body: Any


def json_response(data: Any, status: int = 200) -> web.Response:
    # discord.py only decodes bodies whose Content-Type is exactly application/json, as Discord sends.
    body = json.dumps(data).encode()
    return web.Response(body=body, status=status, headers={"Content-Type": "application/json"})


def _not_found(message: str, code: int) -> web.Response:
    return json_response({"message": message, "code": code}, status=404)


@dataclass
class Hold:
    """A request the fake keeps waiting (a slow Discord) until the test releases it."""

    method: str
    pattern: str
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class FakeDiscord:
    """Discord's REST API on 127.0.0.1 with just enough state to answer like Discord does."""

    records: list[Recorded] = field(default_factory=list)
    messages: dict[str, list[Payload]] = field(default_factory=dict)
    channels: dict[str, Payload] = field(default_factory=dict)
    members: dict[str, Payload] = field(default_factory=dict)
    failures: list[tuple[str, str, int, Payload]] = field(default_factory=list)
    callback_messages: dict[str, Payload] = field(default_factory=dict)
    holds: list[Hold] = field(default_factory=list)
    """Interaction id -> the message its callback created."""
    _runner: web.AppRunner | None = None
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)
    base: str = ""

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        self._runner = web.AppRunner(self._web_app())
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base = f"http://127.0.0.1:{port}/api/v10"

    def _web_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/v10/{tail:.*}", self._dispatch)
        return app

    async def close(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    def requests(self, method: str, pattern: str) -> list[Recorded]:
        """Recorded requests with this method whose path fully matches the regular expression."""
        return [r for r in self.records if r.method == method and re.fullmatch(pattern, r.path)]

    async def expect(self, method: str, pattern: str, count: int = 1) -> list[Recorded]:
        """The matching requests once at least ``count`` have arrived; fails after five seconds."""
        async with asyncio.timeout(5), self._arrived:
            await self._arrived.wait_for(lambda: len(self.requests(method, pattern)) >= count)
        return self.requests(method, pattern)

    def hold_next(self, method: str, pattern: str) -> Hold:
        """Keep the next matching request waiting until its ``released`` is set."""
        hold = Hold(method, pattern)
        self.holds.append(hold)
        return hold

    def fail_next(self, method: str, pattern: str, status: int = 403, code: int = 50013) -> None:
        """Answer the next matching request with an error, as Discord does (403 50013: Missing Permissions)."""
        self.failures.append((method, pattern, status, {"message": "Missing Permissions", "code": code}))

    def threads_of(self, parent_id: str) -> list[Payload]:
        """The threads created or known under a channel, oldest first."""
        found = [c for c in self.channels.values() if c.get("parent_id") == parent_id and c["type"] == 11]
        return sorted(found, key=lambda c: int(c["id"]))

    def add_message(self, message: Payload) -> None:
        """Make a message known to history and message lookups."""
        self.messages.setdefault(message["channel_id"], []).append(message)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.content_type.startswith("multipart/"):  # files: the JSON rides in payload_json
            body = {"files": {}}
            async for part in await request.multipart():
                if not isinstance(part, BodyPartReader):
                    continue
                if part.name == "payload_json":
                    body.update(json.loads(await part.text()))
                else:
                    body["files"][part.filename or part.name or ""] = bytes(await part.read())
        elif request.can_read_body:
            text = await request.text()
            body = json.loads(text) if text else None
        async with self._arrived:
            self.records.append(Recorded(request.method, path, dict(request.query), body))
            self._arrived.notify_all()
        for hold in self.holds:
            if hold.method == request.method and re.fullmatch(hold.pattern, path):
                self.holds.remove(hold)
                hold.arrived.set()
                await hold.released.wait()
                break
        for failure in self.failures:
            if failure[0] == request.method and re.fullmatch(failure[1], path):
                self.failures.remove(failure)
                return json_response(failure[3], status=failure[2])
        for method, pattern, handler in self._routes():
            match = re.fullmatch(pattern, path)
            if method == request.method and match:
                return await handler(request, match, body)
        logger.warning("Fake Discord has no route for %s %s", request.method, path)
        return _not_found("404: Not Found", 0)

    def _routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("GET", r"/users/@me", self._me),
            ("GET", r"/oauth2/applications/@me", self._application),
            ("PUT", r"/applications/(\d+)/guilds/(\d+)/commands", self._commands),
            ("PUT", r"/applications/(\d+)/commands", self._commands),
            ("POST", r"/channels/(\d+)/messages", self._create_message),
            ("GET", r"/channels/(\d+)/messages", self._history),
            ("GET", r"/channels/(\d+)/messages/(\d+)", self._get_message),
            ("POST", r"/channels/(\d+)/messages/(\d+)/threads", self._start_thread),
            ("POST", r"/channels/(\d+)/threads", self._start_thread_alone),
            ("PUT", r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/@me", self._no_content),
            ("GET", r"/channels/(\d+)", self._get_channel),
            ("PATCH", r"/channels/(\d+)", self._edit_channel),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", self._callback),
            ("POST", r"/webhooks/(\d+)/([^/]+)", self._followup),
            ("DELETE", r"/webhooks/(\d+)/([^/]+)/messages/@original", self._no_content),
            ("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/@original", self._followup),
            ("GET", r"/guilds/(\d+)/members/(\d+)", self._member),
        ]

    async def _me(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        return json_response(p.bot_user())

    async def _application(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        return json_response(ip.application())

    async def _commands(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        guild_id = match.group(2) if match.lastindex == 2 else None
        return json_response([ip.registered_command(command, guild_id) for command in body])

    async def _create_message(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        channel_id = match.group(1)
        reference = body.get("message_reference")
        message = p.message(
            channel_id,
            body.get("content") or "",
            author=p.bot_user(),
            embeds=body.get("embeds") or [],
            reply_to=reference["message_id"] if reference else None,
        )
        self.add_message(message)
        return json_response(message)

    async def _history(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        found = sorted(self.messages.get(match.group(1), []), key=lambda m: int(m["id"]))
        limit = int(request.query.get("limit", "50"))
        if "after" in request.query:
            found = [m for m in found if int(m["id"]) > int(request.query["after"])][:limit]
        else:
            if "before" in request.query:
                found = [m for m in found if int(m["id"]) < int(request.query["before"])]
            found = found[-limit:]
        return json_response(list(reversed(found)))

    async def _get_message(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        for message in self.messages.get(match.group(1), []):
            if message["id"] == match.group(2):
                return json_response(message)
        return _not_found("Unknown Message", 10008)

    async def _start_thread(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        thread = p.thread(match.group(2), match.group(1), body["name"])
        self.channels[thread["id"]] = thread
        return json_response(thread, status=201)

    async def _start_thread_alone(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        thread = p.thread(p.snowflake(), match.group(1), body["name"], owner=p.BOT_ID)
        thread["type"] = body.get("type", 12)
        self.channels[thread["id"]] = thread
        return json_response(thread, status=201)

    async def _no_content(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        return web.Response(status=204)

    async def _get_channel(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        channel = self.channels.get(match.group(1))
        return json_response(channel) if channel else _not_found("Unknown Channel", 10003)

    async def _edit_channel(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        channel = self.channels.get(match.group(1))
        if channel is None:
            return _not_found("Unknown Channel", 10003)
        channel.update(body)
        return json_response(channel)

    async def _callback(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        response = ip.callback_response(match.group(1), body)
        self.callback_messages[match.group(1)] = response["resource"]["message"]
        if request.query.get("with_response") not in ("1", "true"):
            return web.Response(status=204)
        return json_response(response)

    async def _followup(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        message = p.message("0", body.get("content") or "", author=p.bot_user(), flags=body.get("flags", 0))
        message["webhook_id"] = match.group(1)
        return json_response(message)

    async def _member(self, request: web.Request, match: re.Match[str], body: Any) -> web.StreamResponse:
        member = self.members.get(match.group(2))
        return json_response(member) if member else _not_found("Unknown Member", 10007)
