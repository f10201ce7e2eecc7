"""Fixtures for process-level tests: one real Synapse for the session, a bot installation per test."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.adapters.matrix.synapse import Synapse
from tests.e2e.matrix_process import BotProcess

_names = itertools.count(1)


@pytest.fixture(scope="session")
def e2e_synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """The homeserver every process-level test talks to; stopped at the end of the session."""
    server = Synapse(tmp_path_factory.mktemp("e2e-synapse"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def synapse(e2e_synapse: Synapse) -> Synapse:
    """The session's Synapse, started again if an earlier test left it stopped."""
    if e2e_synapse.process is None:
        e2e_synapse.start()
    return e2e_synapse


def unique(prefix: str) -> str:
    """A localpart no other test in this session uses."""
    return f"{prefix}{next(_names)}"


@pytest.fixture
async def installation(synapse: Synapse, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """A fresh bot account and directory; the process is stopped (SIGTERM, then SIGKILL) after the test."""
    bot = BotProcess(synapse, await synapse.register(unique("copbot")), tmp_path / "copbot")
    try:
        yield bot
    finally:
        if bot.running():
            try:
                bot.terminate()
            except Exception:
                bot.kill()
