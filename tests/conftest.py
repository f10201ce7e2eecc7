"""Shared fixtures: settings over a temporary SQLite file, and a running app on the in-memory adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.clock import ManualClock
from copbot.config import Settings, parse_settings
from copbot.events import Member

SettingsFactory = Callable[[str], Settings]

ALICE = Member(id="u-alice", name="alice")
BOB = Member(id="u-bob", name="bob")
CAROL = Member(id="u-carol", name="carol")
MOD = Member(id="u-mod", name="mod")


@pytest.fixture
def make_settings(tmp_path: Path) -> SettingsFactory:
    """Build Settings from TOML text, with the database in a fresh SQLite file under tmp_path."""

    def make(extra: str = "") -> Settings:
        text = f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "copbot.sqlite3"}"\n{extra}'
        return parse_settings(text, source="test.toml", base_dir=tmp_path)

    return make


@pytest.fixture
def clock() -> ManualClock:
    """A clock the test moves by hand, starting on a Tuesday morning in UTC."""
    return ManualClock(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))


@pytest.fixture
async def running(
    make_settings: SettingsFactory, clock: ManualClock
) -> AsyncIterator[tuple[Application, MemoryAdapter]]:
    """A started Application on a MemoryAdapter whose moderator is MOD; stopped afterwards."""
    memory = MemoryAdapter(moderators={MOD.id}, clock=clock)
    app = Application(make_settings(""), adapters=[memory], clock=clock)
    await app.start()
    try:
        yield app, memory
    finally:
        await app.stop()
