"""A per-member sliding-window rate limit for commands."""

from __future__ import annotations

from collections import deque
from datetime import timedelta

from copbot.core.clock import Clock

WINDOW = timedelta(minutes=1)


class RateLimiter:
    """Allows each key at most ``per_minute`` actions in any sixty seconds."""

    def __init__(self, per_minute: int, clock: Clock, *, max_keys: int = 10_000) -> None:
        self._per_minute = per_minute
        self._clock = clock
        self._max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        """Record an attempt by ``key``; False when it is over the limit."""
        now = self._clock.now().timestamp()
        cutoff = now - WINDOW.total_seconds()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= cutoff:
            hits.popleft()
        if len(hits) >= self._per_minute:
            return False
        hits.append(now)
        if len(self._hits) > self._max_keys:
            self._forget_idle(cutoff)
        return True

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` may act again (0 when it may now)."""
        hits = self._hits.get(key)
        if not hits or len(hits) < self._per_minute:
            return 0.0
        return max(0.0, hits[0] + WINDOW.total_seconds() - self._clock.now().timestamp())

    def _forget_idle(self, cutoff: float) -> None:
        for key in [key for key, hits in self._hits.items() if not hits or hits[-1] <= cutoff]:
            del self._hits[key]
