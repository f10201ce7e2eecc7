"""The Discord stand-in speaks the protocol discord.py expects: a bare discord.Client connects, resumes and is refused
as Discord would refuse it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
import yarl
from discord.gateway import DiscordWebSocket

from tests.adapters.discord import payloads as p
from tests.e2e.discord_standin import gateway as g
from tests.e2e.discord_standin import rules
from tests.e2e.discord_standin.members import Members
from tests.e2e.discord_standin.server import BOT_ROLE_ID, StandIn

NEWS_ID = "1200000000000000011"


@pytest.fixture
async def api(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[StandIn]:
    server = StandIn()
    server.gateway.heartbeat_interval_ms = 200
    await server.start()
    monkeypatch.setattr(discord.http.Route, "BASE", server.base)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
    yield server
    await server.close()


@pytest.fixture
async def client(api: StandIn) -> AsyncIterator[discord.Client]:
    intents = discord.Intents.default()
    intents.message_content = True
    bot = discord.Client(intents=intents)
    await bot.login(api.token)
    connection = asyncio.create_task(bot.connect(reconnect=True))
    await asyncio.wait_for(bot.wait_until_ready(), 10)
    yield bot
    await bot.close()
    with contextlib.suppress(Exception):
        await connection


async def test_identify_brings_ready_the_guild_and_acknowledged_heartbeats(
    api: StandIn, client: discord.Client
) -> None:
    [guild] = client.guilds
    assert guild.id == int(p.GUILD_ID) and guild.get_channel(int(p.TEXT_ID)) is not None
    assert guild.get_thread(int(p.FORUM_POST_ID)) is not None
    await api.gateway.wait_for(lambda: api.gateway.count(g.HEARTBEAT) >= 3, within=5)
    assert client.latency < 1.0
    session = api.gateway.current
    assert session is not None and session.compressor is not None, "discord.py asked for zlib-stream"


async def test_a_dropped_socket_resumes_and_gets_what_was_sent_meanwhile(api: StandIn, client: discord.Client) -> None:
    before = api.gateway.current
    await api.gateway.drop()
    missed = asyncio.ensure_future(client.wait_for("message", timeout=10))
    await Members(api).post(p.TEXT_ID, "sent while the bot was away")
    message = await missed
    assert message.content == "sent while the bot was away"
    assert api.gateway.count(g.RESUME) == 1 and api.gateway.count(g.IDENTIFY) == 1
    assert api.gateway.current is before


async def test_op_7_makes_the_client_reconnect_and_resume(api: StandIn, client: discord.Client) -> None:
    await api.gateway.reconnect()
    await api.gateway.wait_for(lambda: api.gateway.count(g.RESUME) == 1)
    arrived = asyncio.ensure_future(client.wait_for("message", timeout=10))
    await Members(api).post(p.TEXT_ID, "after the reconnect")
    assert (await arrived).content == "after the reconnect"


async def test_op_9_makes_the_client_identify_again(api: StandIn, client: discord.Client) -> None:
    # discord.py waits 5 s before identifying again, as Discord's identify limit asks: this test takes that long.
    first = api.gateway.current
    await api.gateway.invalidate()
    await api.gateway.wait_for(lambda: api.gateway.count(g.IDENTIFY) == 2)
    session = await api.gateway.connected()
    assert first is not None and session.id != first.id
    arrived = asyncio.ensure_future(client.wait_for("message", timeout=10))
    await Members(api).post(p.TEXT_ID, "after a new session")
    assert (await arrived).content == "after a new session"


async def test_a_bad_token_is_refused_over_rest_and_on_the_gateway(api: StandIn) -> None:
    bot = discord.Client(intents=discord.Intents.default())
    with pytest.raises(discord.LoginFailure):
        await bot.login("not-the-token")
    await bot.close()
    async with aiohttp.ClientSession() as session, session.ws_connect(api.gateway_url + "?v=10&encoding=json") as ws:
        hello = await ws.receive_json()
        assert hello["op"] == g.HELLO
        await ws.send_json({"op": g.IDENTIFY, "d": {"token": "not-the-token", "intents": 0}})
        await ws.receive()
        assert ws.close_code == g.AUTHENTICATION_FAILED


async def test_rest_keeps_discords_limits(api: StandIn, client: discord.Client) -> None:
    channel = client.get_channel(int(p.TEXT_ID))
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("x" * 2001)
    assert too_long.value.status == 400 and too_long.value.code == 50035
    with pytest.raises(discord.HTTPException) as long_name:
        await channel.create_thread(name="n" * 101, type=discord.ChannelType.public_thread)
    assert long_name.value.code == 50035
    api.rate_limit_next("POST", rf"/channels/{p.TEXT_ID}/messages", retry_after=0.2)
    sent = await channel.send("x" * 2000)
    assert api.limited == [f"POST /channels/{p.TEXT_ID}/messages"]
    assert api.messages[p.TEXT_ID][-1]["id"] == str(sent.id)


def news_channel() -> p.Payload:
    """A channel where only moderators may post: @everyone is denied, the moderator role allowed."""
    channel = p.text_channel(NEWS_ID, "news")
    channel["permission_overwrites"] = [
        {"id": p.GUILD_ID, "type": 0, "allow": "0", "deny": str(rules.SEND_MESSAGES)},
        {"id": p.MODERATOR_ROLE_ID, "type": 0, "allow": str(rules.SEND_MESSAGES), "deny": "0"},
    ]
    return channel


async def test_permissions_follow_roles_and_overwrites(api: StandIn) -> None:
    api.channels[NEWS_ID] = news_channel()
    assert api.may(p.BOB_ID, NEWS_ID, rules.SEND_MESSAGES)
    assert not api.may(p.ALICE_ID, NEWS_ID, rules.SEND_MESSAGES)
    assert not api.may(p.BOT_ID, NEWS_ID, rules.SEND_MESSAGES)
    assert api.may(p.BOT_ID, p.TEXT_ID, rules.SEND_MESSAGES | rules.CREATE_PUBLIC_THREADS)
    api.channels[NEWS_ID]["permission_overwrites"].append(
        {"id": BOT_ROLE_ID, "type": 0, "allow": str(rules.SEND_MESSAGES), "deny": "0"}
    )
    assert api.may(p.BOT_ID, NEWS_ID, rules.SEND_MESSAGES)


async def test_the_bot_cannot_post_where_an_overwrite_denies_it(api: StandIn, client: discord.Client) -> None:
    api.channels[NEWS_ID] = news_channel()
    channel = client.get_partial_messageable(int(NEWS_ID), guild_id=int(p.GUILD_ID))
    with pytest.raises(discord.Forbidden) as refused:
        await channel.send("hello")
    assert refused.value.code == 50013


async def test_an_interaction_answered_after_three_seconds_is_unknown(api: StandIn, client: discord.Client) -> None:
    api.commands["help"] = {"name": "help"}
    late = await Members(api).command("help", [])
    on_time = await Members(api).command("help", [])
    late.created -= rules.INTERACTION_DEADLINE + 0.1
    async with aiohttp.ClientSession() as session:
        for interaction, status in ((late, 404), (on_time, 204), (on_time, 400)):
            url = f"{api.base}/interactions/{interaction.id}/{interaction.payload['token']}/callback"
            async with session.post(url, json={"type": 5, "data": {"flags": 64}}) as response:
                assert response.status == status
    assert late.callback is None and on_time.callback == 5
