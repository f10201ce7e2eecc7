"""A key-value state store over the database, for adapters that persist tokens (Matrix sync)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.store.chat import get_state, set_state


class DatabaseStateStore:
    """Persists small values under a prefix in the ``kv_state`` table."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], prefix: str = "") -> None:
        self._sessions = sessions
        self._prefix = f"{prefix}:" if prefix else ""

    async def get(self, key: str) -> str | None:
        """The value stored under ``key``, or None."""
        return await get_state(self._sessions, f"{self._prefix}{key}")

    async def set(self, key: str, value: str) -> None:
        """Store ``value`` under ``key``, committed before returning."""
        await set_state(self._sessions, f"{self._prefix}{key}", value)
