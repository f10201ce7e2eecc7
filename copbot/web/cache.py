"""Rendered pages kept by one web server, each checked on every request against the database's content version.

Every write that can change what the web shows bumps ``web_content_version`` (triggers of migration
0011_web_version, in the database itself), so one read of that row per request tells whether a kept page still
holds, whichever process wrote: the bot, ``copbot web`` beside it, a CLI import. A deletion, an opt-out, an edit
or a rename therefore shows at once; a page is never served from a version older than the one just read.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

PAGES = 2_000
"""Pages kept (least recently used dropped first): about 20 MB of entry pages."""
_VERSION = text("SELECT version FROM web_content_version WHERE id = 1")


async def content_version(session: AsyncSession) -> int:
    """The database's web content version now (read before the page's own reads, so they are at least as new)."""
    return int(await session.scalar(_VERSION) or 0)


@dataclass(frozen=True, slots=True)
class Kept:
    """An answer as the server gives it again: status (200, 404, 410), canonical path, public id, body."""

    status: int
    path: str = ""
    public_id: str = ""
    body: object = None


class PageCache:
    """At most ``size`` answers, each valid only for the content version it was made from."""

    def __init__(self, size: int = PAGES) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._kept: OrderedDict[Hashable, tuple[int, Kept]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, key: Hashable, version: int) -> Kept | None:
        """The answer kept for ``key`` if it was made from ``version``; a stale one is dropped."""
        found = self._kept.get(key)
        if found is None or found[0] != version:
            if found is not None:
                del self._kept[key]
            self.misses += 1
            return None
        self._kept.move_to_end(key)
        self.hits += 1
        return found[1]

    def put(self, key: Hashable, version: int, kept: Kept) -> None:
        """Keep ``kept`` as made from ``version``, dropping the least recently used past ``size``."""
        self._kept[key] = (version, kept)
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
