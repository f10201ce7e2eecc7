"""A community with solved threads in a published and an unpublished room, and the web app over its store."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from copbot.core.events import Member
from copbot.web.server import build_app
from copbot.web.site import Site
from tests.cast import ALICE, BOB, CAROL, DAVE, MOD
from tests.community_harness import Bot, running_bot, solved

ERIN = Member(id="u-erin", name="Erin")
PUBLIC = "general"
UNPUBLISHED = "offtopic"
PRIVATE = "organisers"
WEB = f"""
[permissions]
rate_limit_per_minute = 1000
[web]
enabled = true
base_url = "https://kb.example.org"
published_channels = ["{PUBLIC}", "{PRIVATE}"]
show_names = true
"""


@dataclass
class Seeded:
    """The public ids of the seeded entries."""

    tempeh: str
    """Solved in the published room: Bob's accepted answer, tagged #cooking; Dave's tip is also accepted."""
    kombucha: str
    """Solved in the published room, by Erin, who then said /privacy web off (she answered, Carol asked)."""
    rota: str
    """Solved in the private room (named as published, yet private: never on the web)."""
    offtopic: str
    """Solved in a room that is not published."""
    sourdough: str
    """Asked by Alice, answered by Bob: Alice then says /privacy web off (in the test that wants it)."""
    guide: str
    """Bob's /share in the published room."""


async def seed(bot: Bot) -> Seeded:
    bot.mem.private_rooms.add(PRIVATE)
    tempeh, root = await solved(
        bot, CAROL, "how do I cook **tempeh** well #cooking", BOB, "steam the tempeh first <script>x</script>", PUBLIC
    )
    await bot.mem.command(MOD, f"/kb edit {tempeh} tags:cooking,soy")
    tip = await bot.mem.post(DAVE, "marinate it with tamari overnight", thread=root)
    await bot.mem.command(CAROL, f"/solved {tip.id}", thread=root)
    kombucha, _ = await solved(bot, CAROL, "why is my kombucha scoby sinking", ERIN, "a sinking scoby is fine", PUBLIC)
    rota, _ = await solved(bot, MOD, "where is the volunteer rota", ERIN, "the rota is in the drive", PRIVATE)
    offtopic, _ = await solved(bot, BOB, "best hiking boots for rain", CAROL, "leather boots with wax", UNPUBLISHED)
    sourdough, _ = await solved(bot, ALICE, "how do I revive a sourdough starter", BOB, "feed it twice daily", PUBLIC)
    await bot.mem.command(BOB, "/share my tempeh fermenting guide https://example.org/tempeh #cooking")
    shared = re.search(r"Shared as (kb\d+)", bot.mem.last())
    assert shared, bot.mem.last()
    await bot.mem.command(ERIN, "/privacy web off")
    bot.mem.clear()
    return Seeded(tempeh, kombucha, rota, offtopic, sourdough, shared.group(1))


def site_of(bot: Bot, **overrides: object) -> Site:
    """The web site over the bot's store, with the bot's clock."""
    site = Site(web=bot.app.settings.web, sessions=bot.services.sessions, clock=bot.clock)
    return dataclasses.replace(site, **overrides)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def web_client(site: Site) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    """An in-process HTTP client of the site's aiohttp application."""
    async with TestClient(TestServer(build_app(site))) as client:
        yield client


@contextlib.asynccontextmanager
async def seeded_site(tmp_path: Path, database_url: str) -> AsyncIterator[tuple[Bot, Seeded]]:
    """The running bot (memory adapter) with the seeded community."""
    async with running_bot(tmp_path, database_url=database_url, extra_toml=WEB) as bot:
        yield bot, await seed(bot)
