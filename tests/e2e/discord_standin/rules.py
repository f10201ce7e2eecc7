"""Discord's rules the stand-in enforces: permissions from roles and overwrites, limits, and its error bodies."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

Payload = dict[str, Any]

ADMINISTRATOR = 1 << 3
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
READ_MESSAGE_HISTORY = 1 << 16
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL = (1 << 51) - 1

MAX_CONTENT = 2000
MAX_THREAD_NAME = 100
INTERACTION_DEADLINE = 3.0
"""Seconds Discord gives an application to make the first response to an interaction."""
FOLLOWUP_WINDOW = 15 * 60.0
THREAD_TYPES = frozenset({10, 11, 12})


def permissions(guild: Payload, roles: list[str], user_id: str, channel: Payload | None) -> int:
    """A member's permissions in ``channel`` (a thread takes its parent's), as Discord computes them."""
    by_id = {role["id"]: int(role["permissions"]) for role in guild["roles"]}
    if guild.get("owner_id") == user_id:
        return ALL
    allowed = by_id.get(guild["id"], 0)
    for role in roles:
        allowed |= by_id.get(role, 0)
    if allowed & ADMINISTRATOR:
        return ALL
    if channel is None:
        return allowed
    overwrites = {item["id"]: item for item in channel.get("permission_overwrites", [])}
    everyone = overwrites.get(guild["id"])
    if everyone is not None:
        allowed = (allowed & ~int(everyone["deny"])) | int(everyone["allow"])
    deny = allow = 0
    for role in roles:
        if role in overwrites:
            deny |= int(overwrites[role]["deny"])
            allow |= int(overwrites[role]["allow"])
    allowed = (allowed & ~deny) | allow
    own = overwrites.get(user_id)
    if own is not None:
        allowed = (allowed & ~int(own["deny"])) | int(own["allow"])
    if not allowed & VIEW_CHANNEL:
        return 0
    return allowed


def error(status: int, code: int, message: str, errors: Payload | None = None) -> web.Response:
    """An error the way Discord's API sends one."""
    body: Payload = {"message": message, "code": code}
    if errors is not None:
        body["errors"] = errors
    return web.Response(body=json.dumps(body).encode(), status=status, headers={"Content-Type": "application/json"})


def invalid_form(field: str, code: str, message: str) -> web.Response:
    """400 Invalid Form Body (50035) naming one field."""
    return error(400, 50035, "Invalid Form Body", {field: {"_errors": [{"code": code, "message": message}]}})


def too_long(field: str, limit: int) -> web.Response:
    return invalid_form(field, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def missing_permissions() -> web.Response:
    return error(403, 50013, "Missing Permissions")


def missing_access() -> web.Response:
    return error(403, 50001, "Missing Access")


def unknown_interaction() -> web.Response:
    return error(404, 10062, "Unknown interaction")


def rate_limited(retry_after: float, bucket: str) -> web.Response:
    """429 as Discord sends it: body, Retry-After and the rate limit headers (and Via, which discord.py checks)."""
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
    headers = {
        "Content-Type": "application/json",
        "Retry-After": str(max(1, round(retry_after))),
        "Via": "1.1 google",
        "X-RateLimit-Limit": "1",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
        "X-RateLimit-Bucket": bucket,
        "X-RateLimit-Scope": "user",
    }
    return web.Response(body=json.dumps(body).encode(), status=429, headers=headers)


def content_problem(body: Payload) -> web.Response | None:
    """Why a message body would be refused: too long, or nothing to show."""
    content = body.get("content") or ""
    if len(content) > MAX_CONTENT:
        return too_long("content", MAX_CONTENT)
    if not content and not body.get("embeds") and not body.get("components"):
        return error(400, 50006, "Cannot send an empty message")
    return None


def thread_name_problem(body: Payload) -> web.Response | None:
    """Why a thread name would be refused: Discord wants 1 to 100 characters."""
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        return invalid_form("name", "BASE_TYPE_REQUIRED", "This field is required")
    if len(name) > MAX_THREAD_NAME:
        return too_long("name", MAX_THREAD_NAME)
    return None
