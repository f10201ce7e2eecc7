"""The small key-value state the Matrix adapter persists: sync token and device id."""

from __future__ import annotations

from typing import Protocol


class StateStore(Protocol):
    """Where the adapter keeps its sync token, device id and once-only notices between runs."""

    async def get(self, key: str) -> str | None:
        """The stored value for ``key``, or None."""
        ...

    async def set(self, key: str, value: str) -> None:
        """Store ``value`` under ``key``, replacing any earlier value."""
        ...
