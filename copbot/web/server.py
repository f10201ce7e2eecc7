"""The web server: routes, security headers, a per-address rate limit, friendly error pages; start and stop."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from copbot.web import handlers, report
from copbot.web.cache import PageCache
from copbot.web.handlers import PAGES_KEY, SITE_KEY
from copbot.web.site import Site
from copbot.web.views import Page, error

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
"""No script at all (the JSON-LD block is data, which a policy without script-src never runs)."""
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
LIMITER_KEY: web.AppKey[RateLimit] = web.AppKey("limiter")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MESSAGES = {
    400: ("That request did not make sense", "Check the address or the search words and try again."),
    404: ("Not found", "There is no such page here. It may never have existed, or it is not published."),
    405: ("Not allowed", "This site can only be read."),
    410: ("Gone", "This entry was deleted or withdrawn by the people who wrote it."),
    429: ("Too many requests", "Please wait a minute before asking again."),
    500: ("Something went wrong", "The page could not be made just now. Please try again later."),
}


class RateLimit:
    """At most ``per_minute`` requests per address in any sliding minute."""

    def __init__(self, per_minute: int, now: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._now = now
        self._seen: dict[str, deque[float]] = {}

    def allow(self, address: str) -> bool:
        """Count a request from ``address``; False when it is over the limit."""
        now = self._now()
        times = self._seen.setdefault(address, deque())
        while times and times[0] <= now - 60:
            times.popleft()
        if len(self._seen) > 10_000:  # forget addresses quiet for a minute, so memory stays bounded
            for key in [key for key, value in self._seen.items() if not value or value[-1] <= now - 60]:
                if key != address:
                    del self._seen[key]
        if len(times) >= self.per_minute:
            return False
        times.append(now)
        return True


def address(request: web.Request, forwarded_for: bool) -> str:
    """The client's address: the first X-Forwarded-For hop behind a proxy that sets it, else the peer's."""
    if forwarded_for:
        hop = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
        if hop:
            return hop
    return request.remote or "unknown"


def error_response(request: web.Request, status: int, detail: str | None = None) -> web.Response:
    """A friendly page (or JSON under /api/) with the right status; never a stack trace."""
    title, text = MESSAGES.get(status, MESSAGES[500])
    if request.path.startswith("/api/"):
        return web.json_response({"error": title, "detail": detail or text, "status": status}, status=status)
    site = request.app[SITE_KEY]
    body = error(Page(site, handlers.base(request)), status, title, detail or text)
    return web.Response(text=body, status=status, content_type="text/html")


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Rate limit, read-only methods, error pages for every failure, security headers on every answer."""
    site = request.app[SITE_KEY]
    response: web.StreamResponse
    if request.method not in ("GET", "HEAD"):
        response = error_response(request, 405)
    elif not request.app[LIMITER_KEY].allow(address(request, site.web.forwarded_for)):
        response = error_response(request, 429)
        response.headers["Retry-After"] = "60"
    else:
        try:
            response = await handler(request)
        except handlers.BadRequest as bad:
            response = error_response(request, 400, str(bad))
        except web.HTTPRedirection as moved:
            response = web.Response(status=moved.status, headers={"Location": moved.headers["Location"]})
        except web.HTTPException as failed:
            response = error_response(request, failed.status if failed.status in MESSAGES else 404)
        except Exception:
            log.exception("web: %s %s failed", request.method, request.path)
            response = error_response(request, 500)
    for name, value in HEADERS.items():  # a handler that set its own policy (the health report) keeps it
        response.headers.setdefault(name, value)
    return response


def build_app(site: Site) -> web.Application:
    """The aiohttp application of ``site``: read-only routes behind the guard."""
    app = web.Application(middlewares=[guard])
    app[SITE_KEY] = site
    app[LIMITER_KEY] = RateLimit(site.web.rate_limit_per_minute)
    app[PAGES_KEY] = PageCache()
    handlers.add_routes(app)
    report.add_routes(app)
    app.router.add_static("/static", STATIC, append_version=False)
    return app


class WebServer:
    """The web server of one process: ``start`` listens on ``[web] bind``; ``stop`` closes it."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen on the configured address."""
        host, port = self.site.web.host_port
        self._runner = web.AppRunner(build_app(self.site), access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, host or None, port).start()
        log.info("web pages on http://%s:%s", host or "0.0.0.0", port)

    async def stop(self) -> None:
        """Stop listening and finish open requests; safe to call twice."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
