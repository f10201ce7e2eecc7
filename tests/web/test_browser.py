"""The web in a real browser (Debian's chromium driven by Playwright): the reader's journeys, keyboard, axe-core."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, Route, async_playwright

from copbot.knowledge.entries import get_entry
from copbot.web.server import build_app
from tests.cast import ALICE, BOB, CAROL, MOD
from tests.community_harness import Bot, running_bot
from tests.web.support import PUBLIC, WEB, Seeded, seed, site_of

CHROMIUM = os.environ.get("COPBOT_CHROMIUM", "/usr/bin/chromium")
INSTALLED = Path(CHROMIUM).exists()
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
CHAT = "https://chat.example.org/general/"
SERIOUS = {"serious", "critical"}


@contextlib.asynccontextmanager
async def browser() -> AsyncIterator[Browser]:
    """Debian's chromium (Playwright's own browser download cannot work on these machines)."""
    if not INSTALLED:
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium (apt-get install -y chromium)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@contextlib.asynccontextmanager
async def site(tmp_path: Path) -> AsyncIterator[tuple[Bot, Seeded, str]]:
    """The seeded community with its web served on a real port; the tempeh entry links back to a chat URL."""
    async with running_bot(tmp_path, extra_toml=WEB.replace('base_url = "https://kb.example.org"\n', "")) as bot:
        ids = await seed(bot)
        async with bot.services.sessions.begin() as session:
            entry = await get_entry(session, ids.tempeh)
            assert entry is not None
            entry.source_url = CHAT + "1"
        server = TestServer(build_app(site_of(bot)))
        await server.start_server()
        try:
            yield bot, ids, str(server.make_url("")).rstrip("/")
        finally:
            await server.close()


async def stub_chat(route: Route) -> None:
    await route.fulfill(status=200, content_type="text/html", body="<title>chat</title><h1>The chat message</h1>")


async def test_reader_journeys_in_chromium(tmp_path: Path) -> None:
    shots = tmp_path / "screenshots"
    async with site(tmp_path) as (bot, ids, base), browser() as chromium:
        page = await chromium.new_page(viewport={"width": 1000, "height": 900})
        await page.route(CHAT + "**", stub_chat)
        home = await page.goto(base + "/")
        assert home is not None and home.status == 200
        assert await page.get_by_role("link", name="how do I cook **tempeh** well #cooking").count() == 1, "solved"
        bot.mem.room = PUBLIC
        asked = await bot.mem.post(CAROL, "which koji spores for miso")
        answer = await bot.mem.post(BOB, "use rice koji spores from a brewer", thread=asked.id)
        await bot.mem.command(CAROL, f"/solved {answer.id}", thread=asked.id)
        await page.reload()
        assert await page.get_by_role("link", name="which koji spores for miso").count() == 1, "solved in chat just now"
        await page.screenshot(path=str(shots / "home.png"), full_page=True)

        await page.get_by_label("What are you looking for?").fill("tempeh")
        await page.keyboard.press("Enter")
        await page.wait_for_url("**/search?q=tempeh")
        assert await page.locator("ol.hits li").count() == 2 and await page.locator("mark").count() >= 2
        await page.get_by_label("Tag", exact=True).fill("soy")
        await page.get_by_role("button", name="Filter").click()
        await page.wait_for_url("**tag=soy**")
        assert await page.locator("ol.hits li").count() == 1, "the guide is tagged #cooking only"
        await page.screenshot(path=str(shots / "search.png"), full_page=True)
        await page.locator("ol.hits a").first.click()
        await page.wait_for_url(f"**/entries/{ids.tempeh}-*")
        assert await page.locator(".answer.accepted").count() == 2
        await page.screenshot(path=str(shots / "entry.png"), full_page=True)
        await page.get_by_role("link", name="See this conversation in the chat").click()
        await page.wait_for_url(CHAT + "1")
        assert await page.inner_text("h1") == "The chat message"

        await bot.mem.command(ALICE, "/privacy web off")
        await bot.mem.command(MOD, f"/kb delete {ids.tempeh}")
        for gone in (ids.tempeh, ids.sourdough):
            response = await page.goto(f"{base}/entries/{gone}")
            assert response is not None and response.status == 410, gone
            assert await page.inner_text("h1") == "Gone"
        await page.goto(base + "/")
        assert await page.locator(f"a[href^='/entries/{ids.tempeh}-']").count() == 0
        assert await page.get_by_text("sourdough").count() == 0
    assert all((shots / f"{name}.png").stat().st_size > 5_000 for name in ("home", "search", "entry"))


async def reached_by_tab(page: Page) -> set[str]:
    """The links focus reaches pressing Tab only, from the top of the page round to it again."""
    reached: set[str] = set()
    seen: set[int] = set()
    where = "Array.from(document.querySelectorAll('*')).indexOf(document.activeElement)"
    for _ in range(300):
        await page.keyboard.press("Tab")
        position = int(await page.evaluate(where))
        if position in seen:
            break
        seen.add(position)
        href = await page.evaluate("document.activeElement.getAttribute('href')")
        if href:
            reached.add(href)
    return reached


async def test_keyboard_reaches_every_link_and_axe_finds_nothing_serious(tmp_path: Path) -> None:
    found: dict[str, list[dict[str, object]]] = {}
    async with site(tmp_path) as (_, ids, base), browser() as chromium:
        page = await chromium.new_page()
        axe = Axe()
        kinds = {"home": "/", "search": "/search?q=tempeh", "entry": f"/entries/{ids.tempeh}", "tag": "/tags/cooking",
                 "activity": "/activities/request_for_information", "resources": "/resources",
                 "resource": f"/entries/{ids.guide}", "not found": "/entries/nope"}  # fmt: skip
        for kind, path in kinds.items():
            await page.goto(base + path)
            links = set(await page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"))
            assert links and await reached_by_tab(page) == links, kind
            results = await axe.run(page)
            violations = results.response["violations"]
            found[kind] = [{"id": v["id"], "impact": v.get("impact"), "nodes": len(v["nodes"])} for v in violations]
            serious = [v["id"] for v in violations if v.get("impact") in SERIOUS]
            assert serious == [], (kind, serious)
    (tmp_path / "axe.json").write_text(json.dumps(found, indent=1))  # every violation of any impact, per page kind
    print("axe-core violations per page kind:", json.dumps(found))
