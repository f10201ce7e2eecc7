"""The visibility rule on every read path: an opted-out member, a deleted message and a private room stay hidden."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from copbot.cli.kb import shown_to_operator
from copbot.config.settings import HealthSection, PromptSection, WebSection
from copbot.core.events import Member
from copbot.health.window import Window
from copbot.knowledge.interchange.jsonl import export_lines
from copbot.prompts import kinds
from copbot.prompts.health_page import health_report_text
from copbot.web.server import build_app
from copbot.web.site import Site
from tests.cast import ALICE, BOB, CAROL, DAVE, MOD
from tests.community_harness import Bot, running_bot, solved

ERIN = Member(id="u-erin", name="Erin")
FAST = "[permissions]\nrate_limit_per_minute = 1000\n"
PRIVATE = "organisers"
PUBLIC = "general"


@dataclass
class Seeded:
    """The public ids of the seeded entries."""

    opted_out: str
    """Asked by Alice, who then said /privacy stop."""
    deleted: str
    """Carol's question, which she deleted afterwards."""
    private: str
    """Solved in the private organisers room."""
    control: str
    """Visible to all; Dave's answer in it is hidden because Dave opted out, and Bob deleted his second one."""
    shared: str
    """Dave's /share, hidden since Dave opted out."""


async def seed(bot: Bot) -> Seeded:
    bot.mem.private_rooms.add(PRIVATE)
    for member in (BOB, DAVE, ERIN):
        await bot.mem.command(member, "/privacy suggest on")
    opted_out, _ = await solved(
        bot, ALICE, "how do I revive a sourdough starter", BOB, "feed the sourdough starter twice daily", PUBLIC
    )
    deleted, question = await solved(
        bot, CAROL, "why is my kombucha scoby sinking", ERIN, "a sinking kombucha scoby is fine", PUBLIC
    )
    private, _ = await solved(
        bot, MOD, "where is the volunteer rota spreadsheet", ERIN, "the volunteer rota is in the drive", PRIVATE
    )
    control, root = await solved(bot, CAROL, "how do I cook tempeh well", BOB, "steam the tempeh first", PUBLIC)
    tip = await bot.mem.post(DAVE, "marinate it with tamari overnight", thread=root)
    await bot.mem.command(CAROL, f"/solved {tip.id}", thread=root)
    regret = await bot.mem.post(BOB, "or fry it in ghee with fenugreek", thread=root)
    await bot.mem.command(CAROL, f"/solved {regret.id}", thread=root)
    await bot.mem.delete(regret.id, by=BOB)
    await bot.mem.command(DAVE, "/share my rye starter guide https://example.org/rye #baking")
    found = re.search(r"Shared as (kb\d+)", bot.mem.last())
    assert found, bot.mem.last()
    shared = found.group(1)
    await bot.mem.command(ALICE, "/privacy stop")
    await bot.mem.command(DAVE, "/privacy stop")
    await bot.mem.delete(question, by=CAROL)
    bot.mem.clear()
    return Seeded(opted_out, deleted, private, control, shared)


async def ask(bot: Bot, member: Member, line: str, room: str = PUBLIC) -> str:
    """What the bot answered to ``line``, public and private, as one text."""
    bot.mem.room = room
    bot.mem.clear()
    await bot.mem.command(member, line)
    bot.mem.room = PUBLIC
    return "\n".join([*bot.mem.said(), *bot.mem.private(member)])


async def test_every_read_path_hides_opted_out_deleted_and_private_content(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url, extra_toml=FAST) as bot:
        ids = await seed(bot)

        # show
        for hidden in (ids.opted_out, ids.deleted, ids.private, ids.shared):
            assert "There is no entry" in await ask(bot, CAROL, f"/kb show {hidden}"), hidden
        shown = await ask(bot, CAROL, f"/kb show {ids.control}")
        assert "steam the tempeh first" in shown and "tamari" not in shown and "fenugreek" not in shown
        assert "volunteer rota is in the drive" in await ask(bot, MOD, f"/kb show {ids.private}", PRIVATE)

        # search
        for words in ("sourdough starter", "kombucha scoby", "volunteer rota", "tamari", "fenugreek", "rye guide"):
            assert "Nothing in the knowledge base matches" in await ask(bot, CAROL, f"/search {words}"), words
        assert ids.private in await ask(bot, MOD, "/search volunteer rota", PRIVATE)
        found = await ask(bot, CAROL, "/search tempeh")
        assert ids.control in found and "tamari" not in found

        # suggestions
        for question in ("how can I revive my sourdough starter", "is a sinking kombucha scoby ok",
                         "where is the volunteer rota spreadsheet"):  # fmt: skip
            said = await ask(bot, BOB, f"/ask {question}")
            assert "Nothing in the knowledge base answers this yet" in said, question
        assert ids.private in await ask(bot, MOD, "/ask where is the volunteer rota spreadsheet", PRIVATE)
        assert ids.control in await ask(bot, BOB, "/ask how do I cook tempeh")

        # experts
        assert "Bob" not in await ask(bot, CAROL, "/experts sourdough"), "the opted-out asker's entry is hidden"
        assert "Erin" not in await ask(bot, CAROL, "/experts kombucha"), "the deleted question's entry is hidden"
        assert "Erin" not in await ask(bot, CAROL, "/experts rota"), "the private room's entry stays there"
        assert "Erin" in await ask(bot, MOD, "/experts rota", PRIVATE)
        assert "Nobody has an accepted answer" in await ask(bot, CAROL, "/experts tamari"), "Dave's text is hidden"
        assert "Bob" in await ask(bot, CAROL, "/experts tempeh")

        # digests
        async with bot.services.sessions() as session:
            digest = await kinds.build_content(session, prompt("repository_digest"), bot.clock.now(), bot.mem, None)
        text = digest.as_plain_text()
        assert "tempeh" in text
        for title in ("sourdough", "kombucha", "rota", "rye starter guide"):
            assert title not in text, title

        # copbot kb show (the operator's, every room): no opted-out or deleted content, as text and as JSON
        for as_json in (False, True):
            for hidden in (ids.opted_out, ids.deleted, ids.shared):
                assert await shown_to_operator(bot.services.sessions, hidden, as_json=as_json) is None, hidden
            control_text = await shown_to_operator(bot.services.sessions, ids.control, as_json=as_json)
            assert control_text is not None and "steam the tempeh first" in control_text
            assert "tamari" not in control_text and "fenugreek" not in control_text
            private_text = await shown_to_operator(bot.services.sessions, ids.private, as_json=as_json)
            assert private_text is not None and "volunteer rota is in the drive" in private_text

        # export (the operator's): no opted-out or deleted content; the private entry keeps its privacy
        records = [json.loads(line) async for line in export_lines(bot.services.sessions)]
        exported = json.dumps(records)
        assert {record["id"] for record in records} == {ids.private, ids.control}
        for word in ("sourdough", "kombucha", "tamari", "fenugreek", "rye starter"):
            assert word not in exported, word
        [private] = [record for record in records if record["id"] == ids.private]
        assert private["source"]["public"] is False and private["source"]["room"] == PRIVATE

        # the health report (HTML for copbot report and the web, and its JSON): Alice and Dave opted out, so their
        # messages count in no figure and they are never named, though Dave had agreed to be suggested before
        window = Window.ending(bot.clock.now() + timedelta(seconds=1), timedelta(days=7))
        async with bot.services.sessions() as session:
            page = await health_report_text(session, window, HealthSection(), bot.clock.now())
            data = json.loads(await health_report_text(session, window, HealthSection(), bot.clock.now(), as_json=True))
        for word in ("Alice", "Dave", "sourdough", "tamari", "rye"):
            assert word not in page, word
        assert data["people"]["active"] == 4  # Bob, Carol, Erin and the moderator wrote (and Alice and Dave)
        # the web pages (every published room named, the private one too): entry, search, feed, sitemap, API
        web = Site(web=WebSection(enabled=True, published_channels=[PUBLIC, PRIVATE]), sessions=bot.services.sessions,
                   clock=bot.clock)  # fmt: skip
        async with TestClient(TestServer(build_app(web))) as client:
            for hidden in (ids.opted_out, ids.deleted, ids.shared):
                assert (await client.get(f"/entries/{hidden}")).status == 410, hidden
            assert (await client.get(f"/entries/{ids.private}")).status == 404
            page = await (await client.get(f"/entries/{ids.control}")).text()
            assert "steam the tempeh first" in page and "tamari" not in page and "fenugreek" not in page
            words = "sourdough kombucha rota tamari rye fenugreek"
            assert 'class="hits"' not in await (await client.get("/search", params={"q": words})).text()
            assert (await (await client.get("/api/search", params={"q": words})).json())["results"] == []
            for url in ("/", "/feed.xml", "/sitemap.xml"):
                body = await (await client.get(url)).text()
                for word in words.split():
                    assert word not in body, (url, word)


async def test_the_unanswered_digest_hides_them_too(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url, extra_toml=FAST) as bot:
        bot.mem.private_rooms.add(PRIVATE)
        await bot.mem.command(ALICE, "/ask how do I revive a sourdough starter")
        deleted = await bot.mem.command(CAROL, "/ask why is my kombucha scoby sinking")
        bot.mem.room = PRIVATE
        await bot.mem.command(MOD, "/ask where is the volunteer rota spreadsheet")
        bot.mem.room = PUBLIC
        await bot.mem.command(BOB, "/ask how do I cook tempeh well")
        await bot.mem.command(ALICE, "/privacy stop")
        await bot.mem.delete(deleted.id, by=CAROL)
        async with bot.services.sessions() as session:
            digest = await kinds.build_content(session, prompt("unanswered_digest"), bot.clock.now(), bot.mem, None)
            private_digest = await kinds.build_content(
                session, prompt("unanswered_digest", PRIVATE), bot.clock.now(), bot.mem, None
            )
        text = digest.as_plain_text()
        assert "tempeh" in text
        for title in ("sourdough", "kombucha", "rota"):
            assert title not in text, title
        assert "rota" in private_digest.as_plain_text()


def prompt(kind: str, channel: str = PUBLIC) -> PromptSection:
    return PromptSection.model_validate(
        {"name": kind, "kind": kind, "platform": "memory", "channel": channel, "cron": "0 9 * * 1",
         "older_than_days": 0}
    )  # fmt: skip


async def test_the_backfill_review_queue_hides_them_too(tmp_path: Path, database_url: str) -> None:
    from sqlalchemy import select

    from copbot.backfill.exports import read_exports
    from copbot.cli.backfill import backfill_job
    from copbot.store.models import Member as StoredMember
    from tests.backfill.test_from_files import discord_exports

    channels = '[backfill]\nchannels = [{ id = "100", public = true }, { id = "200", public = false }]\n'
    async with running_bot(tmp_path, database_url=database_url, extra_toml=FAST + channels) as bot:
        for reader in read_exports(discord_exports(tmp_path)):
            await backfill_job(bot.app.settings, bot.services.sessions, progress=False).run(reader, ["100", "200"])
        async with bot.services.sessions.begin() as session:
            erin = await session.scalar(select(StoredMember).where(StoredMember.external_id == "5"))
            assert erin is not None
            erin.capture_opt_out = True  # she asked the compost thread
        listing = await ask(bot, MOD, "/kb review")
        assert "basil" in listing and "Watering schedule" in listing
        assert "compost" not in listing, "the opted-out asker's thread is hidden"
        assert "Aphids" not in listing, "the private channel's thread is seen only there"
