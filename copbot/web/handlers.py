"""The routes: each reads through ``queries`` in a read-only session and answers HTML, JSON or XML."""

from __future__ import annotations

from aiohttp import web

from copbot.config.sections import ACTIVITY_IDS
from copbot.core.words import normalise_tag
from copbot.web import machine, queries, views
from copbot.web.cache import Kept, PageCache, content_version
from copbot.web.site import Site

MAX_QUERY = 300
"""Characters of search text accepted; longer is a bad request."""
SITE_KEY = web.AppKey("site", Site)
"""Where the aiohttp application keeps its ``Site``."""
PAGES_KEY = web.AppKey("pages", PageCache)
"""Where it keeps its rendered pages (``cache``): entry pages, API entries and sitemaps."""
API_LIMIT = 20
FEED_TYPE = "application/atom+xml"


class BadRequest(Exception):
    """The request cannot be answered as asked (400); the message says why, in one sentence."""


def base(request: web.Request) -> str:
    """The public URL: ``[web] base_url``, else the scheme and host the request came to."""
    site = request.app[SITE_KEY]
    return site.web.base_url or f"{request.scheme}://{request.host}"


def _site(request: web.Request) -> Site:
    return request.app[SITE_KEY]


def _page(request: web.Request) -> views.Page:
    return views.Page(_site(request), base(request))


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html")


def _search_args(request: web.Request) -> tuple[str, str, str, bool]:
    text = request.query.get("q", "").strip()
    if not text:
        raise BadRequest("Type some words to search for.")
    if len(text) > MAX_QUERY:
        raise BadRequest(f"Search with at most {MAX_QUERY} characters.")
    tag = normalise_tag(request.query.get("tag", "")) if request.query.get("tag") else ""
    activity = request.query.get("activity", "")
    if activity and activity not in ACTIVITY_IDS:
        raise BadRequest(f"There is no practice activity {activity[:40]!r}.")
    solved = request.query.get("solved", "") in ("1", "on", "true", "yes")
    return text, tag, activity, solved


async def home(request: web.Request) -> web.Response:
    async with _site(request).sessions() as session:
        return _html(await views.home(_page(request), session))


async def search(request: web.Request) -> web.Response:
    text, tag, activity, solved = _search_args(request)
    async with _site(request).sessions() as session:
        html, _ = await views.results(_page(request), session, text, views.search_filters(tag, activity, solved))
    return _html(html)


def _answer(kept: Kept) -> Kept:
    if kept.status == 410:
        raise web.HTTPGone()
    if kept.status != 200:
        raise web.HTTPNotFound()
    return kept


def _made(found: queries.Shown | queries.Gone | None, body: object) -> Kept:
    if isinstance(found, queries.Gone):
        return Kept(410)
    if found is None:
        return Kept(404)
    return Kept(200, found.path, found.entry.public_id, body)


async def _entry(request: web.Request, kind: str) -> Kept:
    """The entry a URL names, rendered as ``kind`` ("page", or "api" for the JSON): kept while the content version
    read first in the request is unchanged, else read and rendered again."""
    site, pages, ident = _site(request), request.app[PAGES_KEY], request.match_info["ident"]
    key = (kind, ident, base(request))
    async with site.sessions() as session:
        version = await content_version(session)
        if (kept := pages.get(key, version)) is not None:
            return _answer(kept)
        found = await queries.lookup(session, site.channels, ident)
        if not isinstance(found, queries.Shown):
            kept = _made(found, None)
        elif kind == "page":
            kept = _made(found, views.entry(_page(request), found))
        else:
            kept = _made(found, machine.entry_json(site, base(request), found))
    if ident in (kept.public_id, kept.path.removeprefix("/entries/")):  # kept at canonical URLs only, so made-up
        pages.put(key, version, kept)  # slugs, unknown and deleted ids never push real pages out
    return _answer(kept)


async def entry(request: web.Request) -> web.Response:
    kept = await _entry(request, "page")
    if request.path != kept.path:
        raise web.HTTPMovedPermanently(kept.path)
    return _html(str(kept.body))


async def tag(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if normalise_tag(name) != name:
        raise web.HTTPMovedPermanently(f"/tags/{normalise_tag(name)}")
    async with _site(request).sessions() as session:
        return _html(await views.listing(_page(request), session, tag=name))


async def activity(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in ACTIVITY_IDS:
        raise web.HTTPNotFound()
    async with _site(request).sessions() as session:
        return _html(await views.listing(_page(request), session, activity=name))


async def resources(request: web.Request) -> web.Response:
    async with _site(request).sessions() as session:
        return _html(await views.listing(_page(request), session))


async def api_search(request: web.Request) -> web.Response:
    text, tag, activity, solved = _search_args(request)
    async with _site(request).sessions() as session:
        hits = await queries.find(session, _site(request).channels, text, views.search_filters(tag, activity, solved),
                                  API_LIMIT)  # fmt: skip
    return web.json_response({"query": text, "results": [machine.hit_json(base(request), hit) for hit in hits]})


async def api_entry(request: web.Request) -> web.Response:
    kept = await _entry(request, "api")
    if request.match_info["ident"] != kept.public_id:
        raise web.HTTPNotFound()
    return web.json_response(kept.body)


async def feed(request: web.Request) -> web.Response:
    async with _site(request).sessions() as session:
        body = await machine.feed(_site(request), base(request), session)
    return web.Response(body=body, content_type=FEED_TYPE, charset="utf-8")


async def sitemap(request: web.Request) -> web.Response:
    part = request.match_info.get("part")
    site, pages = _site(request), request.app[PAGES_KEY]
    key = ("sitemap", part, base(request))
    async with site.sessions() as session:
        version = await content_version(session)
        if (kept := pages.get(key, version)) is None:
            xml = await machine.sitemap(site, base(request), session, int(part) if part else None)
            kept = Kept(404) if xml is None else Kept(200, body=xml)
            if xml is not None:
                pages.put(key, version, kept)
    return web.Response(text=str(_answer(kept).body), content_type="application/xml")


async def robots(request: web.Request) -> web.Response:
    return web.Response(text=machine.robots(base(request)), content_type="text/plain")


def add_routes(app: web.Application) -> None:
    """Every page of the site, GET only (HEAD follows)."""
    app.router.add_get("/", home)
    app.router.add_get("/search", search)
    app.router.add_get("/entries/{ident}", entry)
    app.router.add_get("/tags/{name}", tag)
    app.router.add_get("/activities/{name}", activity)
    app.router.add_get("/resources", resources)
    app.router.add_get("/api/search", api_search)
    app.router.add_get("/api/entries/{ident}", api_entry)
    app.router.add_get("/feed.xml", feed)
    app.router.add_get("/sitemap.xml", sitemap)
    app.router.add_get(r"/sitemaps/{part:\d{1,6}}.xml", sitemap)
    app.router.add_get("/robots.txt", robots)
