"""What every page knows: the web settings, the database, the clock, and how an entry's URL is written."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.config.settings import HealthSection, WebSection
from copbot.core.clock import Clock
from copbot.store.models import KnowledgeEntry

SLUG_WORDS = 8
SLUG_CHARS = 60


def slug(title: str) -> str:
    """A readable URL part from a title: lower-case ASCII words joined by hyphens (may be empty)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())[:SLUG_WORDS]
    return "-".join(words)[:SLUG_CHARS].strip("-")


def entry_path(public_id: str, title: str) -> str:
    """The canonical path of an entry's page: ``/entries/ID-slug``."""
    words = slug(title)
    return f"/entries/{public_id}-{words}" if words else f"/entries/{public_id}"


def web_page(web: WebSection, entry: KnowledgeEntry) -> str | None:
    """The public URL of an entry's page (``/kb show`` links it): when the web is on, has a base URL and publishes
    the entry's room; the page itself still applies the web's consent rules."""
    if not web.enabled or not web.base_url or not entry.source_public:
        return None
    if entry.source_room not in web.published_channels:
        return None
    return web.base_url + entry_path(entry.public_id, entry.title)


@dataclass(frozen=True)
class Site:
    """The web's configuration and the database it reads; one per server (no globals)."""

    web: WebSection
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    name: str = "copbot"
    health: HealthSection = field(default_factory=HealthSection)
    """The participation thresholds and periods the moderators' health report at /health uses."""
    sitemap_size: int = 50_000
    """URLs in one sitemap file: the sitemap protocol's limit (tests make it small)."""

    @property
    def channels(self) -> tuple[str, ...]:
        """The published rooms."""
        return tuple(self.web.published_channels)
