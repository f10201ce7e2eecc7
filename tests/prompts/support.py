"""Helpers for the prompt tests (no tests here): config text, a running app, and direct database reads."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.config.settings import Settings, parse_settings
from copbot.core.clock import ManualClock
from copbot.prompts.runner import PromptRunner
from copbot.store.models import PromptRun
from tests.community_harness import running_bot

QOTW = """
[[prompts]]
name = "qotw"
channel = "general"
platform = "memory"
weekly = { day = "mon", time = "09:30" }
timezone = "Europe/Berlin"
texts = ["What tool saved you time this week?", "What are you stuck on?", "What did you read?"]
"""


def settings_for(tmp_path: Path, prompts: str = QOTW, *, grace_minutes: float = 60) -> Settings:
    """Settings over ``tmp_path/t.sqlite3`` with the given ``[[prompts]]`` tables."""
    text = (
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/t.sqlite3"\n'
        f"[scheduler]\nmisfire_grace_minutes = {grace_minutes}\n{prompts}"
    )
    return parse_settings(text, base_dir=tmp_path)


def db_path(tmp_path: Path) -> Path:
    """The SQLite file the settings above use."""
    return tmp_path / "t.sqlite3"


def job_rows(tmp_path: Path) -> list[tuple[str, float | None]]:
    """(id, next_run_time) of every row in apscheduler_jobs."""
    with contextlib.closing(sqlite3.connect(db_path(tmp_path))) as connection:
        return list(connection.execute("SELECT id, next_run_time FROM apscheduler_jobs ORDER BY id"))


@dataclass
class Running:
    """A started application with its memory adapter and the prompt runner it scheduled."""

    app: Application
    mem: MemoryAdapter
    clock: ManualClock

    @property
    def runner(self) -> PromptRunner:
        """The runner the application's scheduler uses."""
        assert self.app.prompt_scheduler is not None, "no prompt is configured"
        return self.app.prompt_scheduler.runner

    async def runs(self) -> list[PromptRun]:
        """Every PromptRun row, oldest first."""
        assert self.app.services is not None
        async with self.app.services.sessions() as session:
            return list(await session.scalars(select(PromptRun).order_by(PromptRun.scheduled_for, PromptRun.id)))


@contextlib.asynccontextmanager
async def running(settings: Settings, clock: ManualClock, room: str = "general") -> AsyncIterator[Running]:
    """Start copbot on a fresh MemoryAdapter (platform "memory"), yield it, and stop it."""
    mem = MemoryAdapter(room=room, clock=clock)
    async with running_bot(Path(), settings=settings, clock=clock, mem=mem) as bot:
        yield Running(bot.app, mem, clock)
