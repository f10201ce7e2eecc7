"""The services a handler can reach, built once by the application: interfaces here, implementations in features."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.config.settings import Settings
from copbot.core.adapter import Adapter
from copbot.core.clock import Clock
from copbot.core.events import Member, Place
from copbot.core.labels import Label
from copbot.core.roles import Standing


class RoleSource(Protocol):
    """Decides a member's standing in a place (``copbot.members.permissions.Permissions``)."""

    async def standing(self, adapter: Adapter, place: Place, member: Member) -> Standing:
        """The role of ``member`` in ``place`` and how it was decided."""
        ...


class Limiter(Protocol):
    """A per-key budget of actions (``copbot.members.ratelimit.RateLimiter``)."""

    def allow(self, key: str) -> bool:
        """True if ``key`` may act now; counts the action."""
        ...

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` may act again (0 when it may now)."""
        ...


@dataclass
class Services:
    """Everything the dispatcher and commands need; no platform library in here."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    permissions: RoleSource
    rate_limiter: Limiter
    refine_label: Callable[[str, Label], Awaitable[Label]] | None = None
    """A second opinion on a cue label too weak to act on: the semantic extra's embedding head, when running."""
