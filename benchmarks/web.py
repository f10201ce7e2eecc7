"""The web pages over 100,000 entries: server time of entry, search and sitemap against a bare aiohttp handler."""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import aiohttp
import corpus
from aiohttp import web
from aiohttp.test_utils import TestServer
from search import build, percentile
from sqlalchemy import select

from copbot.config.settings import WebSection
from copbot.core.clock import SystemClock
from copbot.knowledge.search.backend import search
from copbot.knowledge.search.filters import SearchFilters
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory
from copbot.store.models import KnowledgeEntry
from copbot.web import queries
from copbot.web.server import build_app
from copbot.web.site import Site, entry_path

ROOMS = [f"room{number}" for number in range(20)]
"""The rooms ``corpus.entry_lines`` spreads entries over: all published."""
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def timed_app(site: Site, times: dict[str, list[float]]) -> web.Application:
    """The product's application with a bare handler beside it and an outermost middleware timing every request."""

    @web.middleware
    async def timer(request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        response = await handler(request)
        if isinstance(response, web.Response):
            response.body  # noqa: B018  (the body is built inside the handler; this keeps the measure honest)
        times.setdefault(request.headers.get("X-Kind", "?"), []).append((time.perf_counter() - started) * 1000)
        return response

    async def bare(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = build_app(site)
    app.middlewares.insert(0, timer)
    app.router.add_get("/bare", bare)
    return app


async def fetch(
    client: aiohttp.ClientSession,
    url: str,
    kind: str,
    seen: dict[str, list[float]] | None = None,
    params: dict[str, str] | None = None,
) -> int:
    """GET ``url``; ``seen`` gets the round trip as the client sees it (request to last byte, loopback)."""
    started = time.perf_counter()
    async with client.get(url, headers={"X-Kind": kind}, params=params, allow_redirects=False) as response:
        await response.read()
    if seen is not None:
        seen.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
    return response.status


async def run(size: int, rounds: int) -> None:
    texts = corpus.load()
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(scratch) / 'web.sqlite3'}")
        try:
            await migrate.upgrade(engine)
            sessions = session_factory(engine)
            print(f"texts: {corpus.SOURCES}; {await build(sessions, texts, size)}", flush=True)
            web_settings = WebSection(enabled=True, published_channels=ROOMS, rate_limit_per_minute=10**9)
            site = Site(web_settings, sessions, SystemClock())
            async with sessions() as session:
                rows = (await session.execute(select(KnowledgeEntry.public_id, KnowledgeEntry.title))).all()
            rng = random.Random(11)
            paths = [entry_path(public_id, title) for public_id, title in rng.sample(rows, rounds)]
            words = [query[:200] for query in texts.queries[:rounds]]
            await measure(site, paths, words, max(3, rounds // 20))
        finally:
            await engine.dispose()


async def search_call(site: Site, words: Sequence[str]) -> dict[str, list[float]]:
    """The product's search call alone: as the page makes it (published filter) and as /search makes it."""
    times: dict[str, list[float]] = {"search call (web filter)": [], "search call (no filter)": []}
    for text in words:
        for kind, call in (("search call (web filter)", True), ("search call (no filter)", False)):
            async with site.sessions() as session:
                started = time.perf_counter()
                if call:
                    await queries.find(session, site.channels, text, SearchFilters(), 20)
                else:
                    await search(session, text, SearchFilters(), limit=20)
                times[kind].append((time.perf_counter() - started) * 1000)
    return times


async def measure(site: Site, paths: Sequence[str], words: Sequence[str], sitemap_rounds: int) -> None:
    times: dict[str, list[float]] = {}
    seen: dict[str, list[float]] = {}
    server = TestServer(timed_app(site, times))
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    try:
        async with aiohttp.ClientSession() as client:
            for _ in range(20):  # warm up
                await fetch(client, base + "/bare", "warm")
                await fetch(client, base + paths[0], "warm")
            for path, text in zip(paths, words, strict=False):
                assert await fetch(client, base + "/bare", "bare handler", seen) == 200
                assert await fetch(client, base + path, "entry page (made)", seen) == 200
                assert await fetch(client, base + "/search", "search page", seen, {"q": text}) == 200
            for path in paths:  # the same pages again: kept, each checked against the content version
                assert await fetch(client, base + "/bare", "bare handler", seen) == 200
                assert await fetch(client, base + path, "entry page (kept)", seen) == 200
            for round_ in range(sitemap_rounds):
                state = "made" if round_ == 0 else "kept"
                assert await fetch(client, base + "/sitemap.xml", f"sitemap.xml, index ({state})", seen) == 200
                assert await fetch(client, base + "/sitemaps/1.xml", f"sitemap part 1 ({state})", seen) == 200
    finally:
        await server.close()
    calls = await search_call(site, words)
    times.pop("warm", None)
    print(f"load average {os.getloadavg()[0]:.1f}; ms, p50 / p95: inside the application (every middleware and the "
          "handler) | request to last byte at a client on loopback (aiohttp's HTTP work too)")  # fmt: skip
    for kind, values in {**times, **calls}.items():
        app = f"app p50 {statistics.median(values):8.2f} p95 {percentile(values, 0.95):8.2f}"
        row = f"  {kind:32} n={len(values):4} {app}"
        if kind in seen:
            row += f" | client p50 {statistics.median(seen[kind]):8.2f} p95 {percentile(seen[kind], 0.95):8.2f}"
        print(row)
    for label, figures in (("app", times), ("client", seen)):
        p95 = {kind: percentile(values, 0.95) for kind, values in figures.items()}
        made, kept = (p95[f"entry page ({state})"] / p95["bare handler"] for state in ("made", "kept"))
        found = p95["search page"] / percentile(calls["search call (web filter)"], 0.95)
        print(f"{label}: entry page p95 = x{kept:.2f} the bare handler's when kept (target <= 3: "
              f"{'met' if kept <= 3 else 'MISSED'}), x{made:.2f} when made; search page p95 = x{found:.2f} the "
              f"search call's (target <= 1.5: {'met' if found <= 1.5 else 'MISSED'})")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000, help="entries to build")
    parser.add_argument("--rounds", type=int, default=200, help="requests of each kind")
    args = parser.parse_args()
    if absent := corpus.missing():
        print(f"data sets not found ({', '.join(map(str, absent))}); nothing to benchmark.")
        return 0
    asyncio.run(run(args.size, args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
