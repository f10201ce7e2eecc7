"""While the bot runs, start-up's objects are frozen out of collections; afterwards the collector is as it was."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

from copbot.app import Application
from copbot.config.settings import parse_settings
from copbot.core.heap import YOUNG_COLLECTION, long_lived


def test_long_lived_freezes_what_start_up_built_and_undoes_it() -> None:
    threshold = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    built_at_start_up = [object() for _ in range(1000)]
    with long_lived():
        assert gc.get_freeze_count() >= len(built_at_start_up)
        assert gc.get_threshold() == (YOUNG_COLLECTION, *threshold[1:])
        cycle: list[object] = []
        cycle.append(cycle)  # garbage made while running is still collected
        del cycle
        assert gc.collect() >= 1
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == threshold


def test_long_lived_undoes_itself_when_the_run_fails() -> None:
    threshold = gc.get_threshold()
    try:
        with long_lived():
            raise RuntimeError("the bot stopped")
    except RuntimeError:
        pass
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold


async def test_a_running_bot_collects_as_long_lived_and_stops_as_it_started(tmp_path: Path) -> None:
    settings = parse_settings(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "bot.sqlite3"}"\n', source="t.toml")
    app = Application(settings, adapters=[])  # no adapter ends on its own: the bot runs until asked to stop
    threshold = gc.get_threshold()
    running = asyncio.create_task(app.run_until_stopped())
    try:
        for _ in range(500):
            if gc.get_freeze_count():
                break
            await asyncio.sleep(0.01)
        assert gc.get_freeze_count() > 0 and gc.get_threshold()[0] == YOUNG_COLLECTION
    finally:
        app.request_stop()
        await running
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold
