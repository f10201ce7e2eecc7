"""A running copbot on the memory adapter with a real store (SQLite file or PostgreSQL), for community-level tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.config.settings import parse_settings
from copbot.core.clock import ManualClock
from copbot.core.events import Member
from copbot.core.services import Services

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

ALICE = Member(id="u-alice", name="Alice")
BOB = Member(id="u-bob", name="Bob")
CAROL = Member(id="u-carol", name="Carol")
DAVE = Member(id="u-dave", name="Dave")
MOD = Member(id="u-mod", name="Morgan")


@dataclass
class Bot:
    """The application, its memory adapter and the clock both use."""

    app: Application
    mem: MemoryAdapter
    clock: ManualClock

    @property
    def services(self) -> Services:
        """The running application's services."""
        assert self.app.services is not None
        return self.app.services


def settings_text(tmp_path: Path, extra: str = "", database_url: str | None = None) -> str:
    """A config with ``database_url`` (default: a SQLite file in ``tmp_path``) and any extra TOML appended."""
    url = database_url or f"sqlite+aiosqlite:///{tmp_path}/t.sqlite3"
    return f'[database]\nurl = "{url}"\n{extra}'


@contextlib.asynccontextmanager
async def running_bot(
    tmp_path: Path,
    *,
    extra_toml: str = "",
    platform: str = "memory",
    moderators: tuple[str, ...] = (MOD.id,),
    database_url: str | None = None,
) -> AsyncIterator[Bot]:
    """Start copbot with migrations applied, yield it and stop it; pass the ``database_url`` fixture for both stores."""
    clock = ManualClock(START)
    settings = parse_settings(settings_text(tmp_path, extra_toml, database_url), base_dir=tmp_path)
    mem = MemoryAdapter(platform=platform, moderators=moderators, clock=clock)
    app = Application(settings, adapters=[mem], clock=clock)
    await app.start()
    try:
        yield Bot(app, mem, clock)
    finally:
        await app.stop()
