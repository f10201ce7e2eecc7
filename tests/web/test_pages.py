"""The web pages in process on both stores: every page kind, its status, its consent rules and its headers."""

from __future__ import annotations

import json
from pathlib import Path

import extruct

from copbot.config.settings import WebSection
from copbot.core.clock import SystemClock
from copbot.store.engine import create_engine, session_factory
from copbot.web.site import Site, entry_path
from tests.cast import ALICE, MOD
from tests.web.support import seeded_site, site_of, web_client


async def test_every_page_and_status(tmp_path: Path, database_url: str) -> None:
    async with seeded_site(tmp_path, database_url) as (bot, ids), web_client(site_of(bot)) as client:
        home = await client.get("/")
        text = await home.text()
        assert home.status == 200 and "how do I cook **tempeh** well" in text, "a title is text, not Markdown"
        assert 'href="/tags/cooking"' in text and 'href="/tags/cooking"' in text and "/activities/" in text
        assert "kombucha" in text, (
            "Erin said /privacy web off but only answered: her answer goes, Carol's question stays"
        )
        for hidden in ("volunteer rota", "hiking boots"):
            assert hidden not in text, hidden
        csp = home.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp and "<script>" not in text

        found = await client.get("/search", params={"q": "tempeh steam"})
        page = await found.text()
        assert found.status == 200 and "<mark>" in page and ids.tempeh in page
        assert "<script>x" not in page
        assert (await client.get("/search", params={"q": "tempeh", "tag": "hiking"})).status == 200
        assert ids.tempeh not in await (await client.get("/search", params={"q": "tempeh", "tag": "hiking"})).text()
        assert (
            ids.tempeh
            in await (await client.get("/search", params={"q": "tempeh", "tag": "soy", "solved": "1"})).text()
        )
        assert (await client.get("/search", params={"q": ""})).status == 400
        assert (await client.get("/search", params={"q": "x", "activity": "nonsense"})).status == 400
        for hidden in ("volunteer rota drive", "hiking boots leather"):
            assert (
                "Nothing in the knowledge base matches"
                in await (await client.get("/search", params={"q": hidden})).text()
            )
            assert (await (await client.get("/api/search", params={"q": hidden})).json())["results"] == [], hidden

        async with bot.services.sessions() as session:
            from copbot.knowledge.entries import get_entry

            tempeh = await get_entry(session, ids.tempeh)
            assert tempeh is not None
            path = entry_path(tempeh.public_id, tempeh.title)
        moved = await client.get(f"/entries/{ids.tempeh}-wrong-slug", allow_redirects=False)
        assert moved.status == 301 and moved.headers["Location"] == path
        bare = await client.get(f"/entries/{ids.tempeh}", allow_redirects=False)
        assert bare.status == 301
        shown = await client.get(path)
        html = await shown.text()
        assert shown.status == 200 and "Accepted answers" in html and "steam the tempeh first" in html
        assert "<script>x</script>" not in html and "&lt;script&gt;" in html
        assert f'<link rel="canonical" href="https://kb.example.org{path}">' in html
        assert 'property="og:title"' in html and "memory://general/" in html
        data = extruct.extract(html, syntaxes=["json-ld"])["json-ld"]
        [qa] = [item for item in data if item["@type"] == "QAPage"]
        accepted = qa["mainEntity"]["acceptedAnswer"]
        assert {answer["text"] for answer in accepted} >= {"marinate it with tamari overnight"}
        assert qa["mainEntity"]["name"] == tempeh.title

        for hidden in (ids.rota, ids.offtopic):
            assert (await client.get(f"/entries/{hidden}")).status == 404, hidden
            assert (await client.get(f"/api/entries/{hidden}")).status == 404, hidden
        kombucha = await (await client.get(f"/api/entries/{ids.kombucha}")).json()
        assert kombucha["accepted_answers"] == [] and "Erin" not in json.dumps(kombucha)
        kombucha_page = await (await client.get(f"/entries/{ids.kombucha}")).text()
        assert "sinking scoby is fine" not in kombucha_page and "Erin" not in kombucha_page
        assert (await client.get("/entries/nothing-like-this")).status == 404
        assert "Not found" in await (await client.get("/no/such/page")).text()
        assert ids.tempeh in await (await client.get("/tags/cooking")).text()
        assert ids.tempeh not in await (await client.get("/tags/hiking")).text()
        activity = await client.get("/activities/request_for_information")
        assert activity.status == 200 and ids.tempeh in await activity.text()
        assert (await client.get("/activities/nonsense")).status == 404
        resources = await (await client.get("/resources")).text()
        assert ids.guide in resources and ids.tempeh not in resources
        assert (await client.get("/static/style.css")).status == 200
        assert (await client.head("/")).status == 200
        assert (await client.post("/")).status == 405

        api = await (await client.get(f"/api/entries/{ids.tempeh}")).json()
        assert api["id"] == ids.tempeh and api["tags"] == ["cooking", "soy"] and len(api["accepted_answers"]) == 2
        feed = await (await client.get("/feed.xml")).text()
        assert ids.tempeh in feed and "rota" not in feed
        sitemap = await (await client.get("/sitemap.xml")).text()
        assert f"https://kb.example.org{path}" in sitemap and ids.rota not in sitemap and ids.offtopic not in sitemap
        robots = await (await client.get("/robots.txt")).text()
        assert "Sitemap: https://kb.example.org/sitemap.xml" in robots

        # consent: the asker says /privacy web off; a moderator deletes an entry
        await bot.mem.command(ALICE, "/privacy web off")
        await bot.mem.command(MOD, f"/kb delete {ids.tempeh}")
        for gone in (ids.sourdough, ids.tempeh):
            assert (await client.get(f"/entries/{gone}")).status == 410, gone
            assert (await client.get(f"/api/entries/{gone}")).status == 410, gone
        for url in ("/", "/feed.xml", "/sitemap.xml", "/search?q=tempeh+sourdough"):
            body = await (await client.get(url)).text()
            assert ids.tempeh not in body and ids.sourdough not in body, url


async def test_sitemap_splits_into_an_index(tmp_path: Path, database_url: str) -> None:
    async with seeded_site(tmp_path, database_url) as (bot, _), web_client(site_of(bot, sitemap_size=2)) as client:
        index = await (await client.get("/sitemap.xml")).text()
        assert "<sitemapindex" in index and "/sitemaps/3.xml" in index and "/sitemaps/4.xml" not in index
        parts = [await (await client.get(f"/sitemaps/{n}.xml")).text() for n in (1, 2, 3)]
        assert "<urlset" in parts[0] and "https://kb.example.org/</loc>" in parts[0]
        assert [part.count("<url>") for part in parts] == [2, 2, 1]  # home, tempeh, kombucha, sourdough, the guide
        assert (await client.get("/sitemaps/9.xml")).status == 404


async def test_rate_limit_per_address(tmp_path: Path, database_url: str) -> None:
    async with seeded_site(tmp_path, database_url) as (bot, _):
        web = bot.app.settings.web.model_copy(update={"rate_limit_per_minute": 3})
        async with web_client(site_of(bot, web=web)) as client:
            statuses = [(await client.get("/robots.txt")).status for _ in range(4)]
        assert statuses == [200, 200, 200, 429]


async def test_kb_show_links_the_web_page_of_published_entries(tmp_path: Path, database_url: str) -> None:
    async with seeded_site(tmp_path, database_url) as (bot, ids):
        await bot.mem.command(MOD, f"/kb show {ids.tempeh}")
        shown = "\n".join([*bot.mem.said(), *bot.mem.private(MOD)])
        assert f"On the web: https://kb.example.org/entries/{ids.tempeh}-how-do-i-cook-tempeh-well" in shown
        bot.mem.clear()
        bot.mem.room = "offtopic"
        await bot.mem.command(MOD, f"/kb show {ids.offtopic}")
        assert "On the web" not in "\n".join([*bot.mem.said(), *bot.mem.private(MOD)]), "its room is not published"


async def test_a_database_failure_is_a_friendly_500_without_a_trace(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/never-migrated.sqlite3")  # no tables at all
    web = WebSection(enabled=True, published_channels=["general"])
    try:
        async with web_client(Site(web, session_factory(engine), SystemClock())) as client:
            for url in ("/", "/entries/kb1", "/feed.xml", "/api/entries/kb1"):
                response = await client.get(url)
                body = await response.text()
                assert response.status == 500, url
                assert "Traceback" not in body and "sqlite" not in body.lower() and "OperationalError" not in body
                assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
            searched = await client.get("/api/search?q=tempeh")  # search never raises: it logs and finds nothing
            assert searched.status == 200 and (await searched.json())["results"] == []
    finally:
        await engine.dispose()


async def test_names_are_shown_only_when_configured(tmp_path: Path, database_url: str) -> None:
    async with seeded_site(tmp_path, database_url) as (bot, ids):
        web = bot.app.settings.web.model_copy(update={"show_names": False})
        async with web_client(site_of(bot, web=web)) as client:
            page = await (await client.get(f"/entries/{ids.tempeh}", allow_redirects=True)).text()
            api = await (await client.get(f"/api/entries/{ids.tempeh}")).text()
        for name in ("Bob", "Carol", "Dave"):
            assert name not in page and name not in api, name
        assert "A member" in page and "steam the tempeh first" in page
        async with web_client(site_of(bot)) as client:  # show_names = true in the seeded config
            assert "Bob" in await (await client.get(f"/entries/{ids.tempeh}", allow_redirects=True)).text()
