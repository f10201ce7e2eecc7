"""The moderators' health report on the web: ``/health`` behind ``[web] report_token``, kept as a cookie.

The token is given once (the form, or ``/health?token=...``); the answer sets an HttpOnly cookie holding a keyed
digest of it (never the token) and redirects to the address without it, so the token stays out of logs and
history. The page is the one ``copbot report`` writes (the health issue's figures, aggregates only) and is
never cached or indexed.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

from aiohttp import web

from copbot.health.window import Window, parse_since
from copbot.prompts.health_page import health_report_text
from copbot.web.handlers import SITE_KEY, BadRequest, base
from copbot.web.site import Site
from copbot.web.views import Page

COOKIE = "copbot_report"
COOKIE_DAYS = 7
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
"""The report is one self-contained page: its charts are inline SVG with their own styles, and it runs no script."""
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow", "Content-Security-Policy": CSP}


def _digest(site: Site, token: str) -> str | None:
    """The cookie's value for ``token`` (None when the site has no report token)."""
    secret = site.web.report_token
    if secret is None or not secret.is_set():
        return None
    key = secret.resolve().encode()
    return hmac.new(key, b"copbot health report " + token.encode(), hashlib.sha256).hexdigest()


def _expected(site: Site) -> str | None:
    secret = site.web.report_token
    return _digest(site, secret.resolve()) if secret is not None and secret.is_set() else None


def _login(request: web.Request, status: int, text: str) -> web.Response:
    page = Page(request.app[SITE_KEY], base(request))
    body = page.render("report_login.html", text=text, canonical=None)
    return web.Response(text=body, status=status, content_type="text/html", headers=PRIVATE)


async def health(request: web.Request) -> web.StreamResponse:
    """The report for moderators who hold the token; a form for everyone else (404 when there is no token)."""
    site = request.app[SITE_KEY]
    expected = _expected(site)
    if expected is None:
        raise web.HTTPNotFound()
    kept = {key: value for key, value in request.query.items() if key in ("since", "channel")}
    given = request.query.get("token")
    if given is not None:
        if not hmac.compare_digest(_digest(site, given) or "", expected):
            return _login(request, 403, "That token is not the moderators' report token.")
        moved = web.Response(status=303, headers={**PRIVATE, "Location": "/health" + _query(kept)})
        secure = base(request).startswith("https://")
        moved.set_cookie(COOKIE, expected, max_age=COOKIE_DAYS * 86400, path="/health", httponly=True,
                         secure=secure, samesite="Strict")  # fmt: skip
        return moved
    if not hmac.compare_digest(request.cookies.get(COOKIE, ""), expected):
        return _login(request, 401, "This page is for the community's moderators: give the report token.")
    now = site.clock.now()
    try:
        window = Window(parse_since(kept.get("since", "90d"), now), now, kept.get("channel") or None)
    except (ValueError, OverflowError) as bad:
        raise BadRequest(f"since: {bad}") from None
    async with site.sessions() as session:
        page = await health_report_text(session, window, site.health, now)
    return web.Response(text=page, content_type="text/html", headers=PRIVATE)


def _query(kept: dict[str, str]) -> str:
    return "?" + urlencode(kept) if kept else ""


def add_routes(app: web.Application) -> None:
    """The report's one route."""
    app.router.add_get("/health", health)
