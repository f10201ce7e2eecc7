"""The services a handler can reach, built once by the application."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.activities.labels import Label
from copbot.activities.recogniser import Recogniser
from copbot.clock import Clock
from copbot.config import Settings
from copbot.permissions import Permissions
from copbot.ratelimit import RateLimiter


@dataclass
class Services:
    """Everything the dispatcher and commands need; no platform library in here."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    permissions: Permissions
    rate_limiter: RateLimiter
    recogniser: Recogniser | None = None
    """The practice-activity recogniser, built once at start; None when activity recognition is off."""
    refine_label: Callable[[str, Label], Awaitable[Label]] | None = None
    """A second opinion on a cue label too weak to act on: the semantic extra's embedding head, when running."""
