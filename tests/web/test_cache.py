"""The web server's cache of rendered pages: a kept page costs one read, and every change shows at once, also when
the web server is a second process (its own engine) and the bot writes through its own."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import event, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from copbot.knowledge.entries import get_entry
from copbot.store.engine import create_engine, session_factory
from copbot.store.models import Member
from copbot.web.cache import Kept, PageCache
from copbot.web.handlers import PAGES_KEY
from copbot.web.site import Site, entry_path
from tests.cast import BOB, CAROL, MOD
from tests.community_harness import Bot, running_bot
from tests.web.support import PUBLIC, WEB, web_client


@dataclasses.dataclass(frozen=True)
class Thread:
    """A solved thread in the published room: Carol asked, Bob's answer was accepted, Dave's tip stays a message."""

    entry: str
    question: str
    answer: str


async def solve(bot: Bot, question: str, answer: str) -> Thread:
    bot.mem.room = PUBLIC
    asked = await bot.mem.post(CAROL, f"{question} #cooking")
    reply = await bot.mem.post(BOB, answer, thread=asked.id)
    await bot.mem.command(CAROL, f"/solved {reply.id}", thread=asked.id)
    found = re.search(r"Saved to the knowledge base as (kb\d+)", bot.mem.last())
    assert found, bot.mem.last()
    bot.mem.clear()
    return Thread(found.group(1), asked.id, reply.id)


@contextlib.contextmanager
def counted(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements ``engine`` runs inside the block."""
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)


@contextlib.asynccontextmanager
async def second_process(bot: Bot, database_url: str) -> AsyncIterator[tuple[AsyncEngine, Site]]:
    """The site over its own engine and session factory on the bot's database, as ``copbot web`` would be."""
    engine = create_engine(database_url)
    try:
        yield engine, Site(web=bot.app.settings.web, sessions=session_factory(engine, bot.clock), clock=bot.clock)
    finally:
        await engine.dispose()


async def path_of(bot: Bot, public_id: str) -> str:
    async with bot.services.sessions() as session:
        entry = await get_entry(session, public_id)
        assert entry is not None
        return entry_path(entry.public_id, entry.title)


async def test_a_kept_page_is_served_with_one_read(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url, extra_toml=WEB) as bot:
        tempeh = await solve(bot, "how do I cook tempeh well", "steam the tempeh first")
        path = await path_of(bot, tempeh.entry)
        async with second_process(bot, database_url) as (engine, site), web_client(site) as client:
            with counted(engine) as first:
                made = await (await client.get(path)).text()
            with counted(engine) as again:
                kept = await (await client.get(path)).text()
            assert kept == made and "steam the tempeh first" in kept
            assert len(first) >= 3, first
            assert len(again) == 1 and "web_content_version" in again[0], again
            with counted(engine) as api:
                for _ in range(2):
                    assert (await (await client.get(f"/api/entries/{tempeh.entry}")).json())["id"] == tempeh.entry
            assert len(api) >= 4 and sum("web_content_version" in sql for sql in api) == 2, api
            assert (await client.get("/sitemap.xml")).status == 200
            with counted(engine) as sitemap:
                assert path in await (await client.get("/sitemap.xml")).text()
            assert len(sitemap) == 1, sitemap


async def test_every_change_shows_at_once_in_a_second_process(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url, extra_toml=WEB) as bot:
        kept = [await solve(bot, f"question {n} about tempeh", f"answer {n} steam it") for n in range(6)]
        paths = [await path_of(bot, thread.entry) for thread in kept]
        async with second_process(bot, database_url) as (_, site), web_client(site) as client:

            async def page(n: int) -> tuple[int, str]:
                response = await client.get(paths[n], allow_redirects=False)
                return response.status, await response.text()

            async def warm() -> None:
                for n in range(len(kept)):
                    assert (await page(n))[0] == 200 and f"answer {n} steam it" in (await page(n))[1]

            await warm()
            await bot.mem.command(MOD, f"/kb delete {kept[0].entry}")  # an entry deleted
            assert (await page(0))[0] == 410
            assert (await client.get(f"/api/entries/{kept[0].entry}")).status == 410
            assert kept[0].entry not in await (await client.get("/sitemap.xml")).text()

            await bot.mem.delete(kept[1].answer, by=BOB)  # its accepted answer deleted in chat
            status, body = await page(1)
            assert status == 200 and "answer 1 steam it" not in body

            await bot.mem.edit_as(BOB, kept[2].answer, "answer 2 boil it instead")  # an edit in chat
            assert "boil it instead" in (await page(2))[1]

            await bot.mem.command(MOD, f"/kb edit {kept[3].entry} title:Tempeh steaming times")  # a new title
            status, _ = await page(3)
            moved = await path_of(bot, kept[3].entry)
            assert status == 301 and moved != paths[3]
            assert "Tempeh steaming times" in await (await client.get(moved)).text()

            await warm_rest(client, paths[4:])
            async with bot.services.sessions() as session, session.begin():  # a tag renamed, a name changed
                await session.execute(text("UPDATE tags SET name = 'tempeh-cooking' WHERE name = 'cooking'"))
                await session.execute(
                    text("UPDATE entry_messages SET author_name = 'Robert' WHERE author_name = 'Bob'")
                )
            body = (await page(4))[1]
            assert "/tags/tempeh-cooking" in body and 'href="/tags/cooking"' not in body and "Robert" in body

            await bot.mem.command(BOB, "/privacy web off")  # the answerer keeps theirs off the web
            assert "answer 4 steam it" not in (await page(4))[1]
            assert "answer 5 steam it" not in (await page(5))[1]
            await bot.mem.command(BOB, "/privacy web on")
            assert "answer 5 steam it" in (await page(5))[1]
            await bot.mem.command(BOB, "/privacy stop")  # the answerer opts out of everything
            assert "answer 5 steam it" not in (await page(5))[1]
            await bot.mem.command(CAROL, "/privacy web off")  # the asker: the whole entry is gone
            assert (await page(5))[0] == 410


async def warm_rest(client: Any, paths: list[str]) -> None:
    for path in paths:
        assert (await client.get(path)).status == 200


async def test_a_rename_of_a_member_empties_the_cache(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url, extra_toml=WEB) as bot:
        thread = await solve(bot, "how do I cook tempeh well", "steam the tempeh first")
        path = await path_of(bot, thread.entry)
        async with second_process(bot, database_url) as (engine, site), web_client(site) as client:
            await client.get(path)
            async with bot.services.sessions() as session, session.begin():
                await session.execute(update(Member).where(Member.external_id == BOB.id).values(display_name="Rob"))
            with counted(engine) as statements:
                assert (await client.get(path)).status == 200
            assert len(statements) > 1, "the member's name changed: the page is read again"
            async with bot.services.sessions() as session, session.begin():
                await session.execute(update(Member).where(Member.external_id == BOB.id).values(is_bot=False))
            with counted(engine) as statements:
                assert (await client.get(path)).status == 200
            assert len(statements) == 1, "a column the web never shows leaves the kept pages alone"


def test_the_cache_is_bounded_by_count_and_size() -> None:
    pages = PageCache(size=3, characters=100)
    for n in range(5):
        pages.put(n, 7, Kept(200, body="x" * 10))
    assert len(pages) == 3 and pages.get(0, 7) is None and pages.get(4, 7) is not None
    assert pages.get(3, 7) is not None and pages.get(2, 7) is not None
    pages.put("big", 7, Kept(200, body="y" * 95))
    assert len(pages) == 1 and pages.get("big", 7) is not None, "past the characters the oldest go first"
    assert pages.get("big", 8) is None and len(pages) == 0, "a newer version drops what was kept"


async def test_only_canonical_pages_are_kept(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url, extra_toml=WEB) as bot:
        thread = await solve(bot, "how do I cook tempeh well", "steam the tempeh first")
        async with second_process(bot, database_url) as (_, site), web_client(site) as client:
            for made_up in (f"{thread.entry}-any-slug", f"{thread.entry}-other", "kb999", "nothing-here"):
                assert (await client.get(f"/entries/{made_up}", allow_redirects=False)).status in (301, 404)
            assert (await client.get("/sitemaps/9.xml")).status == 404
            assert (await client.get(await path_of(bot, thread.entry))).status == 200
            assert len(client.app[PAGES_KEY]) == 1, "only the canonical page is kept"
