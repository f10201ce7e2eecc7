"""The moderators' health report on the web: only with the report token, kept as a cookie, never cached or indexed."""

from __future__ import annotations

from pathlib import Path

import pytest

from copbot.config.settings import EnvSecret
from tests.web.support import seeded_site, site_of, web_client

TOKEN_ENV = "COPBOT_TEST_REPORT_TOKEN"
TOKEN = "a-long-moderators-token-7f3a"


async def test_no_report_token_means_no_report_page(tmp_path: Path, database_url: str) -> None:
    async with seeded_site(tmp_path, database_url) as (bot, _), web_client(site_of(bot)) as client:
        assert (await client.get("/health")).status == 404
        assert (await client.get("/health", params={"token": "anything"})).status == 404


async def test_the_report_is_for_those_who_hold_the_token(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    async with seeded_site(tmp_path, database_url) as (bot, _):
        web = bot.app.settings.web.model_copy(update={"report_token": EnvSecret(env=TOKEN_ENV)})
        async with web_client(site_of(bot, web=web)) as client:
            asked = await client.get("/health")
            form = await asked.text()
            assert asked.status == 401 and 'name="token"' in form and "Community health," not in form
            assert asked.headers["Cache-Control"] == "no-store" and "noindex" in asked.headers["X-Robots-Tag"]

            wrong = await client.get("/health", params={"token": TOKEN + "x"})
            assert wrong.status == 403 and "Community health," not in await wrong.text()
            assert "copbot_report" not in wrong.cookies

            given = await client.get("/health", params={"token": TOKEN, "since": "30d"}, allow_redirects=False)
            assert given.status == 303 and given.headers["Location"] == "/health?since=30d", "the token leaves the URL"
            cookie = given.headers["Set-Cookie"]
            assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/health" in cookie
            assert TOKEN not in cookie, "the cookie holds a digest, never the token"

            held = {"copbot_report": given.cookies["copbot_report"].value}  # a browser sends it back
            shown = await client.get("/health?since=30d", cookies=held)
            page = await shown.text()
            assert shown.status == 200 and "<h1>Community health," in page and "<script" not in page
            csp = shown.headers["Content-Security-Policy"]
            assert "style-src 'unsafe-inline'" in csp and "script-src" not in csp and "default-src 'none'" in csp
            assert shown.headers["Cache-Control"] == "no-store"
            assert (await client.get("/health", params={"since": "yesterday-ish"}, cookies=held)).status == 400
            assert (await client.get("/health", params={"since": "99999999999d"}, cookies=held)).status == 400
            assert "Disallow: /health" in await (await client.get("/robots.txt")).text()

            forged = {"copbot_report": TOKEN}
            assert (await client.get("/health", cookies=forged)).status == 401, "the token itself is no cookie"
