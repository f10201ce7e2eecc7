"""Fixtures for Matrix tests: a real Synapse, registered users, a JSON-file state store."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from nio import AsyncClient, AsyncClientConfig

from copbot.adapters.matrix.adapter import MatrixAdapter
from tests.adapters.matrix.helpers import Collector
from tests.adapters.matrix.homeserver import running, session_synapse, unique
from tests.adapters.matrix.synapse import RegisteredUser, Synapse

StartAdapter = Callable[..., Awaitable[tuple[MatrixAdapter, Collector]]]


class JsonFileState:
    """The adapter's StateStore kept in one JSON file, so it survives an adapter restart."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _load(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        data: dict[str, str] = json.loads(self.path.read_text())
        return data

    async def get(self, key: str) -> str | None:
        return self._load().get(key)

    async def set(self, key: str, value: str) -> None:
        data = self._load()
        data[key] = value
        self.path.write_text(json.dumps(data))


@pytest.fixture(scope="session")
def synapse_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """One Synapse for the whole session; stopped (terminate, then kill) at the end."""
    yield from session_synapse(tmp_path_factory.mktemp("synapse"))


@pytest.fixture
def synapse(synapse_server: Synapse) -> Synapse:
    """The session's Synapse, started again if an earlier test left it stopped."""
    return running(synapse_server)


@pytest.fixture
async def bot_user(synapse: Synapse) -> RegisteredUser:
    return await synapse.register(unique("bot"))


@pytest.fixture
async def member_user(synapse: Synapse) -> RegisteredUser:
    return await synapse.register(unique("member"))


@pytest.fixture
async def member(synapse: Synapse, member_user: RegisteredUser) -> AsyncIterator[AsyncClient]:
    """A logged-in nio client for an ordinary member, as a human's client would be."""
    client = AsyncClient(
        synapse.url,
        member_user.user_id,
        device_id=member_user.device_id,
        config=AsyncClientConfig(max_timeouts=3, request_timeout=20),
    )
    client.restore_login(member_user.user_id, member_user.device_id, member_user.access_token)
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
def state(tmp_path: Path) -> JsonFileState:
    return JsonFileState(tmp_path / "matrix-state.json")


@pytest.fixture
async def start_adapter(
    synapse: Synapse, bot_user: RegisteredUser, state: JsonFileState
) -> AsyncIterator[StartAdapter]:
    """Starts bot adapters (same account and state unless overridden); stops them all afterwards."""
    started: list[MatrixAdapter] = []

    async def start(**overrides: Any) -> tuple[MatrixAdapter, Collector]:
        options: dict[str, Any] = {
            "access_token": bot_user.access_token,
            "state": state,
            "allowed": [synapse.server_name],
            "sync_timeout_ms": 2000,
            "backoff_initial": 0.2,
            "backoff_max": 2.0,
        }
        sink: Collector = overrides.pop("sink", None) or Collector()
        options.update(overrides)
        adapter = MatrixAdapter(synapse.url, bot_user.user_id, **options)
        await adapter.start(sink)
        started.append(adapter)
        return adapter, sink

    try:
        yield start
    finally:
        for adapter in started:
            await adapter.stop()
