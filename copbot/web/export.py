"""``copbot web export DIR``: the same pages as static files, with a Pagefind search index for any static host."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from copbot.web import machine, queries, views
from copbot.web.site import Site

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
BATCH = 500


def _write(root: Path, relative: str, content: str | bytes) -> None:
    target = root / relative.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")


async def _entries(page: views.Page, session: AsyncSession, root: Path) -> int:
    """Every published entry's page (``entries/ID-slug/index.html``) and its JSON; returns how many."""
    after, written = 0, 0
    while True:
        batch = await queries.in_order(session, page.site.channels, after, BATCH)
        if not batch:
            return written
        for entry_id, listed in batch:
            after = entry_id
            shown = await queries.lookup(session, page.site.channels, listed.public_id)
            if not isinstance(shown, queries.Shown):
                continue
            _write(root, f"{shown.path}/index.html", views.entry(page, shown))
            data = machine.entry_json(page.site, page.base, shown)
            _write(root, f"api/entries/{listed.public_id}.json", json.dumps(data, ensure_ascii=False))
            written += 1


async def export(site: Site, base: str, root: Path, *, index: bool = True) -> int:
    """Write the site under ``root``; with ``index``, run Pagefind over it for the static search. Returns entries."""
    page = views.Page(site, base, static=True)
    async with site.sessions() as session:
        _write(root, "index.html", await views.home(page, session))
        for name, _ in await queries.tag_counts(session, site.channels, limit=10_000):
            _write(root, f"tags/{name}/index.html", await views.listing(page, session, tag=name))
        for name, _ in await queries.activity_counts(session, site.channels):
            _write(root, f"activities/{name}/index.html", await views.listing(page, session, activity=name))
        _write(root, "resources/index.html", await views.listing(page, session))
        written = await _entries(page, session, root)
        _write(root, "feed.xml", await machine.feed(site, base, session))
        sitemap = await machine.sitemap(site, base, session) or ""
        _write(root, "sitemap.xml", sitemap)
        number = 1
        while "<sitemapindex" in sitemap and (part := await machine.sitemap(site, base, session, number)) is not None:
            _write(root, f"sitemaps/{number}.xml", part)
            number += 1
    _write(root, "robots.txt", machine.robots(base).replace("Disallow: /search\n", ""))
    _write(root, "search/index.html", page.render("static_search.html", canonical=None))
    shutil.copytree(STATIC, root / "static", dirs_exist_ok=True)
    if index:
        await pagefind(root)
    return written


async def pagefind(root: Path) -> None:
    """Index the written pages with Pagefind's binary (the ``pagefind[bin]`` package): ``root/pagefind/``."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pagefind", "--site", str(root), "--glob", "entries/**/*.html",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await process.communicate()
    if process.returncode != 0:
        last = output.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"pagefind failed: {last[0]}")
