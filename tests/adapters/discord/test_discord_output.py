"""What reaches Discord: only http(s) links in embeds, and pings only for the member a reply answers."""

from __future__ import annotations

from copbot.core.adapter import Card, Outgoing
from copbot.core.events import CommandInvoked, Place
from tests.adapters.discord import interaction_payloads as ip
from tests.adapters.discord import payloads as p
from tests.adapters.discord.conftest import Harness

GENERAL = Place("discord", p.TEXT_ID)
ECHOED = "You asked: <@1200000000000000999> @everyone @here <@&1200000000000000777>"
HOSTILE_URLS = ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:x", "data:text/html,x", "/relative",
                "vbscript:x", "https://", "file:///etc/passwd"]  # fmt: skip


async def test_echoed_mentions_never_ping(bot: Harness) -> None:
    await bot.adapter.send(GENERAL, Outgoing.of(ECHOED))
    [request] = bot.api.requests("POST", rf"/channels/{p.TEXT_ID}/messages")
    assert request.body["content"] == ECHOED
    assert request.body["allowed_mentions"]["parse"] == []
    assert not request.body["allowed_mentions"].get("replied_user")


async def test_a_reply_pings_only_the_member_it_answers(bot: Harness) -> None:
    await bot.adapter.send(GENERAL, Outgoing.of(ECHOED), reply_to="1200000000000000222")
    [request] = bot.api.requests("POST", rf"/channels/{p.TEXT_ID}/messages")
    assert request.body["allowed_mentions"] == {"parse": [], "replied_user": True}


async def test_an_interaction_answer_pings_nobody(bot: Harness) -> None:
    payload = ip.slash("ask", [ip.option("question", ECHOED)])
    bot.gateway("INTERACTION_CREATE", payload)
    [command] = await bot.sink.wait_for(CommandInvoked)
    await bot.adapter.respond_privately(command, Outgoing.of(ECHOED))
    [callback] = bot.api.requests("POST", rf"/interactions/{payload['id']}/[^/]+/callback")
    assert callback.body["data"]["allowed_mentions"]["parse"] == []


async def test_only_http_links_reach_an_embed(bot: Harness) -> None:
    cards = [Card(f"card {n}", url=url) for n, url in enumerate(HOSTILE_URLS)]
    cards.append(Card("good", url="https://example.org/a?b=c"))
    await bot.adapter.send(GENERAL, Outgoing.of("Related answers:", cards))
    [request] = bot.api.requests("POST", rf"/channels/{p.TEXT_ID}/messages")
    embeds = request.body["embeds"]
    assert [embed.get("url") for embed in embeds] == [None] * len(HOSTILE_URLS) + ["https://example.org/a?b=c"]
