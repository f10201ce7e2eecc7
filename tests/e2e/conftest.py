"""Fixtures for process-level tests: one real Synapse for the session, a bot installation per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.adapters.matrix.homeserver import running, session_synapse, unique
from tests.adapters.matrix.synapse import Synapse
from tests.e2e.matrix_process import BotProcess, Room, people, shared_room


@pytest.fixture(scope="session")
def e2e_synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """The homeserver every process-level test talks to; stopped at the end of the session."""
    yield from session_synapse(tmp_path_factory.mktemp("e2e-synapse"))


@pytest.fixture
def synapse(e2e_synapse: Synapse) -> Synapse:
    """The session's Synapse, started again if an earlier test left it stopped."""
    return running(e2e_synapse)


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


@pytest.fixture
async def room(synapse: Synapse, installation: BotProcess) -> AsyncIterator[Room]:
    """The bot running as a process, and a shared room with an asker and a helper in it."""
    installation.start()
    members = await people(synapse, [unique("asker"), unique("helper")])
    try:
        yield await shared_room(installation.bot.user_id, members)
    finally:
        for member in members:
            await member.close()
