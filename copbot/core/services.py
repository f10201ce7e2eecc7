"""The services a handler can reach, built once by the application."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.activities.recognition.recogniser import Recogniser
from copbot.config.settings import Settings
from copbot.core.clock import Clock
from copbot.core.labels import Label
from copbot.members.permissions import Permissions
from copbot.members.ratelimit import RateLimiter


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
