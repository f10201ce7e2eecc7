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
"""Answers kept (least recently used dropped first): about 20 MB of entry pages."""
CHARACTERS = 64_000_000
"""And at most this many characters of bodies in all: a 50,000-URL sitemap part is about 6 million."""
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
    """At most ``size`` answers and ``characters`` of bodies, each valid only for the version it was made from."""

    def __init__(self, size: int = PAGES, characters: int = CHARACTERS) -> None:
        self.size = size
        self.characters = characters
        self._held = 0
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
                self._drop(key)
            self.misses += 1
            return None
        self._kept.move_to_end(key)
        self.hits += 1
        return found[1]

    def put(self, key: Hashable, version: int, kept: Kept) -> None:
        """Keep ``kept`` as made from ``version``, dropping the least recently used past ``size``."""
        if key in self._kept:
            self._drop(key)
        self._kept[key] = (version, kept)
        self._held += _length(kept)
        while len(self._kept) > self.size or (self._held > self.characters and len(self._kept) > 1):
            self._drop(next(iter(self._kept)))

    def _drop(self, key: Hashable) -> None:
        self._held -= _length(self._kept.pop(key)[1])


def _length(kept: Kept) -> int:
    return len(kept.body) if isinstance(kept.body, str) else 1_000
