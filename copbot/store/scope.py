"""Per-application state carried by the session factory: the injected clock and features' per-app slots.

Every session made by one application's factory shares one ``Scope``; two applications in the same process (tests,
a CLI beside a bot) never share clocks, caches or search extensions. Nothing here is process-wide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from copbot.core.clock import Clock, SystemClock

SCOPE_KEY = "copbot.scope"
"""Where the scope sits in ``Session.info`` and in the factory's ``info`` keyword."""
T = TypeVar("T")


@dataclass
class Scope:
    """The clock every stored timestamp comes from, and named slots that features keep per application."""

    clock: Clock = field(default_factory=SystemClock)
    slots: dict[str, Any] = field(default_factory=dict)

    def slot(self, name: str, make: Callable[[], T]) -> T:
        """The value kept under ``name``, made by ``make`` on first use."""
        if name not in self.slots:
            self.slots[name] = make()
        value: T = self.slots[name]
        return value


def scope_of(session: AsyncSession | Session) -> Scope:
    """The scope of the application that made ``session`` (a fresh default for a bare session)."""
    info = session.info
    scope = info.get(SCOPE_KEY)
    if not isinstance(scope, Scope):
        scope = info[SCOPE_KEY] = Scope()
    return scope


def factory_scope(sessions: async_sessionmaker[AsyncSession]) -> Scope:
    """The scope shared by every session ``sessions`` makes."""
    info: dict[str, Any] = sessions.kw.setdefault("info", {})
    scope = info.get(SCOPE_KEY)
    if not isinstance(scope, Scope):
        scope = info[SCOPE_KEY] = Scope()
    return scope


def now(session: AsyncSession | Session) -> datetime:
    """The current time by the injected clock of the application that made ``session``."""
    return scope_of(session).clock.now()
