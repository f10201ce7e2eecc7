"""Work the adapter has started (events and commands being handled), so stopping can let it finish."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

logger = logging.getLogger(__name__)


class InFlight:
    """The tasks handling something right now; ``drain`` waits for them, up to a limit."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    @contextlib.contextmanager
    def working(self) -> Iterator[None]:
        """Count the current task as busy until the block ends."""
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._tasks.discard(task)

    async def drain(self, within: float) -> None:
        """Wait until every busy task (other than the caller) is done, or ``within`` seconds have passed."""
        busy = {task for task in self._tasks if task is not asyncio.current_task()}
        if not busy:
            return
        _, late = await asyncio.wait(busy, timeout=within)
        if late:
            logger.warning("%d Discord events were still being handled after %.0f s; stopping them", len(late), within)


RECENT = 512
"""How many recent ids a bounded record keeps."""


def remember(recent: OrderedDict[str, None], key: str) -> None:
    """Add ``key`` to a bounded record of recent ids, forgetting the oldest."""
    recent[key] = None
    while len(recent) > RECENT:
        recent.popitem(last=False)
