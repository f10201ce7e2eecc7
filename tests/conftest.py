"""Shared fixtures: a fresh store (SQLite file or PostgreSQL database) per test, and a running app in memory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.config.settings import Settings, parse_settings
from copbot.core.clock import ManualClock
from tests.community_harness import running_bot
from tests.pg_support import STORES, TestDatabase

SettingsFactory = Callable[[str], Settings]


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[TestDatabase]:
    """A PostgreSQL database of its own for this test session, dropped at the end."""
    database = TestDatabase()
    database.create()
    try:
        yield database
    finally:
        database.drop()


@pytest.fixture
async def fresh_postgres() -> AsyncIterator[TestDatabase]:
    """A brand-new empty PostgreSQL database (not the session's), dropped afterwards."""
    database = TestDatabase()
    await asyncio.to_thread(database.create)
    try:
        yield database
    finally:
        await asyncio.to_thread(database.drop)


@pytest.fixture(params=STORES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store for one test: a SQLite file under tmp_path, or the session's PostgreSQL database emptied."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'copbot.sqlite3'}"
    database: TestDatabase = request.getfixturevalue("postgres_database")
    database.empty()
    return database.url


@pytest.fixture
def make_settings(tmp_path: Path, database_url: str) -> SettingsFactory:
    """Build Settings from TOML text, with the database in a fresh store (each test runs on SQLite and PostgreSQL)."""

    def make(extra: str = "") -> Settings:
        text = f'[database]\nurl = "{database_url}"\n{extra}'
        return parse_settings(text, source="test.toml", base_dir=tmp_path)

    return make


@pytest.fixture
def clock() -> ManualClock:
    """A clock the test moves by hand, starting on a Tuesday morning in UTC."""
    return ManualClock(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))


@pytest.fixture
async def running(
    make_settings: SettingsFactory, clock: ManualClock, tmp_path: Path
) -> AsyncIterator[tuple[Application, MemoryAdapter]]:
    """A started Application on a MemoryAdapter whose moderator is MOD (the shared harness); stopped afterwards."""
    async with running_bot(tmp_path, settings=make_settings(""), clock=clock) as bot:
        yield bot.app, bot.mem


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``semantic`` marker: tests that need the semantic extra and its model."""
    config.addinivalue_line("markers", "semantic: needs the semantic extra and the all-MiniLM-L6-v2 model files")
