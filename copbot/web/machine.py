"""What machines read: the JSON API, the Atom feed, the sitemap (an index past 50,000 URLs) and robots.txt."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy.ext.asyncio import AsyncSession

from copbot.knowledge.search.filters import SearchHit
from copbot.web import queries
from copbot.web.markup import cut, plain
from copbot.web.site import Site, entry_path
from copbot.web.views import ANONYMOUS

SITEMAP_URLS = 50_000
"""The sitemap protocol's limit of URLs in one file; past it the sitemap is an index of files of this size."""
FEED_ENTRIES = 50
STATIC_URLS = 1
"""Pages besides the entries in the first sitemap file (the home page)."""
XMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def hit_json(base: str, hit: SearchHit) -> dict[str, Any]:
    """One search hit for ``/api/search``."""
    return {
        "id": hit.public_id, "title": hit.title, "url": base + entry_path(hit.public_id, hit.title),
        "snippet": plain(hit.snippet), "solved": hit.solved, "kind": hit.kind, "score": round(hit.score, 4),
    }  # fmt: skip


def entry_json(site: Site, base: str, shown: queries.Shown) -> dict[str, Any]:
    """One entry for ``/api/entries/ID``: only what the page shows."""

    def message(item: Any) -> dict[str, Any]:
        name = item.author_name if site.web.show_names and item.author_name else ANONYMOUS
        made = item.created_at.isoformat() if item.created_at is not None else None
        return {"author": name, "text": item.text, "created_at": made}

    item = shown.entry
    return {
        "id": item.public_id, "title": item.title, "url": base + shown.path, "kind": item.kind,
        "solved": item.solved, "summary": item.summary, "activity": item.activity, "tags": shown.tags,
        "resource_url": item.resource_url, "source_url": item.source_url,
        "created_at": item.created_at.isoformat(), "updated_at": item.updated_at.isoformat(),
        "question": message(shown.question) if shown.question else None,
        "accepted_answers": [message(m) for m in shown.answers], "discussion": [message(m) for m in shown.others],
    }  # fmt: skip


async def feed(site: Site, base: str, session: AsyncSession) -> bytes:
    """An Atom feed of the newest published entries."""
    from feedgen.feed import FeedGenerator  # lxml and dateutil: loaded on the first feed, not with the server

    entries = await queries.newest(session, site.channels, FEED_ENTRIES)
    generator = FeedGenerator()
    generator.id(base + "/")
    generator.title(f"{site.name} knowledge base: new entries")
    generator.link(href=base + "/", rel="alternate")
    generator.link(href=base + "/feed.xml", rel="self")
    generator.language("en")
    generator.updated(entries[0].updated_at if entries else site.clock.now())
    for listed in reversed(entries):  # feedgen puts the last added first
        item = generator.add_entry()
        item.id(base + listed.path)
        item.title(listed.title)
        item.link(href=base + listed.path)
        item.published(listed.created_at)
        item.updated(listed.updated_at)
        item.summary(cut(listed.summary or listed.title, 300))
        if listed.activity:
            item.category(term=listed.activity)
    return bytes(generator.atom_str(pretty=True))


def _urlset(base: str, rows: Sequence[tuple[str, str, datetime]], with_home: bool) -> str:
    lines = [f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{XMLNS}">']
    if with_home:
        lines.append(f"<url><loc>{escape(base)}/</loc></url>")
    lines += [
        f"<url><loc>{escape(base + entry_path(public_id, title))}</loc><lastmod>{updated:%Y-%m-%d}</lastmod></url>"
        for public_id, title, updated in rows
    ]
    lines.append("</urlset>\n")
    return "\n".join(lines)


async def sitemap(site: Site, base: str, session: AsyncSession, part: int | None = None) -> str | None:
    """``/sitemap.xml`` (``part`` None): every URL, or an index of parts past ``SITEMAP_URLS``; a part: its URLs.

    None for a part that does not exist.
    """
    size = site.sitemap_size
    total = await queries.count(session, site.channels) + STATIC_URLS
    parts = max(1, -(-total // size))
    if part is None and parts > 1:
        lines = [f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{XMLNS}">']
        lines += [f"<sitemap><loc>{escape(base)}/sitemaps/{n}.xml</loc></sitemap>" for n in range(1, parts + 1)]
        return "\n".join([*lines, "</sitemapindex>\n"])
    if part is not None and not 1 <= part <= parts:
        return None
    number = part or 1
    first = number == 1
    wanted = size - STATIC_URLS if first else size
    skip = 0 if first else size * (number - 1) - STATIC_URLS
    rows = await queries.sitemap_rows(session, site.channels, skip, wanted)
    return _urlset(base, rows, first)


def robots(base: str) -> str:
    """Everything public may be crawled except search results; the sitemap is named."""
    return (
        f"User-agent: *\nAllow: /\nDisallow: /search\nDisallow: /api/\nDisallow: /health\nSitemap: {base}/sitemap.xml\n"
    )
