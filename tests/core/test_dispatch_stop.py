"""Stopping the dispatcher: events in flight finish and commit before the store closes; later ones are refused."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from copbot.dispatch import DispatcherStopped
from copbot.store.engine import create_engine, session_factory
from copbot.store.models import Message
from tests.cast import ALICE, BOB
from tests.community_harness import running_bot


async def test_stop_finishes_a_burst_in_flight_and_refuses_what_comes_after(tmp_path: Path) -> None:
    texts = [f"note {number} about soil moisture" for number in range(60)]
    async with running_bot(tmp_path) as bot:
        burst = [asyncio.create_task(bot.mem.post(ALICE, text)) for text in texts]
        await asyncio.sleep(0)  # every post is now inside the dispatcher, most still waiting for their batch
        assert bot.app.dispatcher is not None
        await bot.app.dispatcher.stop()
        assert all(task.done() and task.exception() is None for task in burst), "stop returned before the burst"
        with pytest.raises(DispatcherStopped):
            await bot.mem.post(BOB, "one more, after stop began")
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/t.sqlite3")
    try:
        async with session_factory(engine)() as session:
            stored = await session.scalar(select(func.count()).select_from(Message))
            late = await session.scalar(select(func.count()).where(Message.text.contains("after stop began")))
    finally:
        await engine.dispose()
    assert stored == len(texts)
    assert late == 0
