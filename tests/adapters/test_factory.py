"""The settings choose the adapters: console by default, Discord (sharded on request) when enabled."""

from __future__ import annotations

import discord
import pytest

from copbot.adapters.console import ConsoleAdapter
from copbot.adapters.discord.adapter import DiscordAdapter
from copbot.adapters.factory import build_platform_adapters
from copbot.adapters.matrix.adapter import MatrixAdapter
from copbot.app import Application, build_registry
from copbot.core.adapter import Adapter
from tests.conftest import SettingsFactory


async def _adapters(make_settings: SettingsFactory, extra: str) -> list[Adapter]:
    settings = make_settings(extra)
    app = Application(settings, adapters=[])
    await app.start()
    try:
        assert app.services is not None
        return build_platform_adapters(settings, app.services, build_registry())
    finally:
        await app.stop()


async def test_console_only_without_platforms(make_settings: SettingsFactory) -> None:
    adapters = await _adapters(make_settings, "")
    assert [type(a) for a in adapters] == [ConsoleAdapter]


@pytest.mark.parametrize(("shards", "sharded"), [("", False), ('shards = "auto"', True), ("shards = 2", True)])
async def test_discord_adapter_and_sharding(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch, shards: str, sharded: bool
) -> None:
    monkeypatch.setenv("COPBOT_TEST_DISCORD", "token-value")
    extra = (
        f'[discord]\nenabled = true\ntoken = {{ env = "COPBOT_TEST_DISCORD" }}\n'
        f'guild_ids = [1]\nsolved_tag = "Answered"\n{shards}\n'
    )
    adapters = await _adapters(make_settings, extra)
    assert len(adapters) == 1
    adapter = adapters[0]
    assert isinstance(adapter, DiscordAdapter)
    assert isinstance(adapter.client, discord.AutoShardedClient) is sharded
    assert adapter._solved_tag == "Answered"
    if shards == "shards = 2":
        assert adapter.client.shard_count == 2


async def test_matrix_adapter_from_settings(make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPBOT_TEST_MATRIX", "syt_token")
    extra = (
        '[matrix]\nenabled = true\nhomeserver = "http://127.0.0.1:8008"\nuser_id = "@bot:localhost"\n'
        'access_token = { env = "COPBOT_TEST_MATRIX" }\nallowed_servers = ["localhost"]\n'
    )
    adapters = await _adapters(make_settings, extra)
    assert [type(a) for a in adapters] == [MatrixAdapter]
    adapter = adapters[0]
    assert isinstance(adapter, MatrixAdapter)
    assert adapter.user_id == "@bot:localhost"
    assert adapter.homeserver == "http://127.0.0.1:8008"
