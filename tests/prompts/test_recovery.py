"""Recovery at start: only runs a stopped process left behind are finished; a new prompt never posts at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from copbot.core.clock import ManualClock
from copbot.store.operations import PromptRun
from tests.prompts.support import running, settings_for
from tests.prompts.test_jobs import _daily_at


async def test_a_new_prompt_whose_time_just_passed_is_not_posted_at_start(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    passed = (now - timedelta(minutes=10)).replace(second=0, microsecond=0)
    async with running(settings_for(tmp_path, _daily_at(passed), grace_minutes=60), ManualClock(now)) as bot:
        await asyncio.sleep(0.3)
        assert bot.mem.said() == [] and await bot.runs() == []


async def test_a_stale_claim_beyond_the_grace_is_marked_failed_not_posted(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    long_ago = (now - timedelta(hours=5)).replace(second=0, microsecond=0)
    settings = settings_for(tmp_path, _daily_at(long_ago), grace_minutes=60)
    clock = ManualClock(now)
    async with running(settings, clock) as bot:
        assert bot.app.services is not None
        async with bot.app.services.sessions.begin() as session:
            session.add(PromptRun(prompt_name="daily", scheduled_for=long_ago, started_at=long_ago, status="claimed",
                                  platform="memory", room="general"))  # fmt: skip
    async with running(settings, clock) as bot:
        await asyncio.sleep(0.3)
        assert bot.mem.said() == []
        [run] = await bot.runs()
        assert run.status == "failed" and "too late" in run.detail


async def test_a_claim_taken_over_at_start_is_not_posted_by_its_first_claimant(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    due = (now - timedelta(minutes=10)).replace(second=0, microsecond=0)
    settings = settings_for(tmp_path, _daily_at(due), grace_minutes=60)
    async with running(settings, ManualClock(now)) as bot:
        runner = bot.runner
        [prompt] = settings.prompts
        first_claim = now - timedelta(seconds=5)
        run_id = await runner._claim(prompt, due, first_claim)  # an overlapping leader claimed it, then stalled
        assert run_id is not None
        [taken_over] = await runner.recover({})
        assert taken_over.status == "posted" and len(bot.mem.said()) == 1
        late = await runner._attempt(prompt, due, now, run_id, first_claim)  # the stalled leader carries on
        assert late.status == "duplicate" and len(bot.mem.said()) == 1
        [run] = await bot.runs()
        assert run.status == "posted"
