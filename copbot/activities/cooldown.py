"""A per-member cool-down so the bot answers the same person at most once every N minutes."""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import datetime, timedelta

from copbot.core.clock import Clock

log = logging.getLogger(__name__)

MAX_TRACKED = 10_000
"""At most this many members are remembered; the longest-quiet ones are forgotten first."""


class Cooldown:
    """Remembers when the bot last replied to each member, on an injected clock, in bounded memory."""

    def __init__(self, minutes: float, clock: Clock, *, max_tracked: int = MAX_TRACKED) -> None:
        if minutes < 0:
            raise ValueError(f"cool-down minutes must not be negative, got {minutes!r}")
        if max_tracked < 1:
            raise ValueError(f"max_tracked must be at least 1, got {max_tracked!r}")
        self.period = timedelta(minutes=minutes)
        self.clock = clock
        self.max_tracked = max_tracked
        self._last: OrderedDict[str, datetime] = OrderedDict()

    def __len__(self) -> int:
        return len(self._last)

    def ready(self, key: str) -> bool:
        """Whether the bot may reply to ``key`` now (it has not replied within the period)."""
        if not self.period:
            return True
        last = self._last.get(key)
        return last is None or self.clock.now() - last >= self.period

    def mark(self, key: str) -> None:
        """Record that the bot replied to ``key`` now."""
        if not self.period:
            return
        now = self.clock.now()
        self._last[key] = now
        self._last.move_to_end(key)
        self._forget_expired(now)
        while len(self._last) > self.max_tracked:
            forgotten, _ = self._last.popitem(last=False)
            log.debug("cool-down full: forgot %s", forgotten)

    def try_take(self, key: str) -> bool:
        """If ``key`` is ready, mark it and return True; else return False."""
        if not self.ready(key):
            return False
        self.mark(key)
        return True

    def _forget_expired(self, now: datetime) -> None:
        """Drop members whose cool-down has run out; entries are in reply order, oldest first."""
        while self._last:
            key, last = next(iter(self._last.items()))
            if now - last < self.period:
                break
            del self._last[key]
