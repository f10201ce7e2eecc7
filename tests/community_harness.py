"""A running copbot on the memory adapter with a real store (SQLite file or PostgreSQL), for community-level tests."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.config.settings import Settings, parse_settings
from copbot.core.clock import ManualClock
from copbot.core.events import Member
from copbot.core.services import Services
from tests.cast import MOD

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


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
    settings: Settings | None = None,
    clock: ManualClock | None = None,
    mem: MemoryAdapter | None = None,
) -> AsyncIterator[Bot]:
    """Start copbot with migrations applied, yield it and stop it; pass the ``database_url`` fixture for both stores.

    The one harness of the suite: ``settings`` (instead of TOML) and ``clock`` come from fixtures when a test has them.
    """
    clock = clock or ManualClock(START)
    settings = settings or parse_settings(settings_text(tmp_path, extra_toml, database_url), base_dir=tmp_path)
    mem = mem or MemoryAdapter(platform=platform, moderators=moderators, clock=clock)
    app = Application(settings, adapters=[mem], clock=clock)
    await app.start()
    try:
        yield Bot(app, mem, clock)
    finally:
        await app.stop()


async def solved(
    bot: Bot, asker: Member, question: str, answerer: Member, answer: str, room: str, *, back_to: str = "general"
) -> tuple[str, str]:
    """``asker`` asks in ``room``, ``answerer`` replies in the thread, the asker marks it solved; the memory adapter
    then posts in ``back_to`` again. The saved entry's id and the question's message id."""
    bot.mem.room = room
    asked = await bot.mem.post(asker, question)
    reply = await bot.mem.post(answerer, answer, thread=asked.id)
    await bot.mem.command(asker, f"/solved {reply.id}", thread=asked.id)
    found = re.search(r"Saved to the knowledge base as (kb\d+)", bot.mem.last())
    assert found, bot.mem.last()
    bot.mem.room = back_to
    return found.group(1), asked.id
