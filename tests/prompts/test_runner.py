"""Claim-then-post: a run posts once, a restart or a second process never posts it again, late runs respect grace."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from copbot.core.clock import ManualClock
from copbot.prompts.runner import PromptRunner
from tests.cast import ALICE
from tests.prompts.support import QOTW, job_rows, running, settings_for

# Monday 2 March 2026, 09:30 in Berlin (CET) is 08:30 UTC
MONDAY_RUN = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
TEXTS = ["What tool saved you time this week?", "What are you stuck on?", "What did you read?"]


async def test_scheduled_run_posts_once_and_records_the_message(tmp_path: Path) -> None:
    clock = ManualClock(MONDAY_RUN + timedelta(seconds=3))
    async with running(settings_for(tmp_path), clock) as bot:
        first = await bot.runner.run_scheduled("qotw")
        second = await bot.runner.run_scheduled("qotw")
        assert first.status == "posted" and first.scheduled_for == MONDAY_RUN
        assert second.status == "duplicate"
        assert bot.mem.said() == [TEXTS[0]]
        [run] = await bot.runs()
        assert (run.status, run.scheduled_for, run.text_index, run.room) == ("posted", MONDAY_RUN, 0, "general")
        assert run.message_id == bot.mem.bot_messages()[0].id


async def test_missed_run_inside_grace_posts_once_outside_does_not(tmp_path: Path) -> None:
    clock = ManualClock(MONDAY_RUN + timedelta(minutes=59))
    async with running(settings_for(tmp_path, grace_minutes=60), clock) as bot:
        assert (await bot.runner.run_scheduled("qotw")).status == "posted"
        assert (await bot.runner.run_scheduled("qotw")).status == "duplicate"
        assert len(bot.mem.said()) == 1
        clock.set(MONDAY_RUN + timedelta(days=7, minutes=61))
        late = await bot.runner.run_scheduled("qotw")
        assert late.status == "missed" and late.scheduled_for == MONDAY_RUN + timedelta(days=7)
        assert len(bot.mem.said()) == 1
        assert len(await bot.runs()) == 1


async def test_restart_keeps_one_job_and_never_reposts_a_run(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    clock = ManualClock(MONDAY_RUN + timedelta(minutes=1))
    async with running(settings, clock) as first:
        assert (await first.runner.run_scheduled("qotw")).status == "posted"
        assert [row[0] for row in job_rows(tmp_path)] == ["prompt:qotw"]
    async with running(settings, clock) as second:
        assert [row[0] for row in job_rows(tmp_path)] == ["prompt:qotw"]
        assert (await second.runner.run_scheduled("qotw")).status == "duplicate"
        assert second.mem.said() == []
        clock.set(MONDAY_RUN + timedelta(days=7, minutes=1))
        assert (await second.runner.run_scheduled("qotw")).status == "posted"
        assert second.mem.said() == [TEXTS[1]]  # the rotation went on where the first process left it
        assert [run.status for run in await second.runs()] == ["posted", "posted"]


async def test_two_processes_racing_for_one_run_post_once(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    clock = ManualClock(MONDAY_RUN)
    async with running(settings, clock) as bot:
        assert bot.app.services is not None
        other = PromptRunner(settings, bot.app.services.sessions, clock, [bot.mem])
        prompt = settings.prompts[0]
        results = await asyncio.gather(*(r.run(prompt, MONDAY_RUN) for r in (bot.runner, other, bot.runner, other)))
        assert sorted(result.status for result in results) == ["duplicate", "duplicate", "duplicate", "posted"]
        assert len(bot.mem.said()) == 1


async def test_quiet_days_skips_a_busy_channel_and_posts_in_a_quiet_one(tmp_path: Path) -> None:
    prompts = QOTW + "quiet_days = 3\n"
    clock = ManualClock(MONDAY_RUN - timedelta(days=2))
    async with running(settings_for(tmp_path, prompts), clock) as bot:
        await bot.mem.post(ALICE, "anyone around?")
        clock.set(MONDAY_RUN)
        skipped = await bot.runner.run_scheduled("qotw")
        assert skipped.status == "skipped" and "3 days" in skipped.detail
        assert bot.mem.said() == []
        clock.set(MONDAY_RUN + timedelta(days=7))
        posted = await bot.runner.run_scheduled("qotw")
        assert posted.status == "posted"
        assert bot.mem.said() == [TEXTS[0]]  # a skipped run does not use up a text
        assert [run.status for run in await bot.runs()] == ["skipped", "posted"]


async def test_a_failed_post_is_recorded_and_not_retried_for_the_same_run(tmp_path: Path) -> None:
    prompts = QOTW.replace('platform = "memory"', 'platform = "discord"')
    clock = ManualClock(MONDAY_RUN)
    async with running(settings_for(tmp_path, prompts), clock) as bot:
        failed = await bot.runner.run_scheduled("qotw")
        assert failed.status == "failed" and "discord" in failed.detail
        assert (await bot.runner.run_scheduled("qotw")).status == "duplicate"
        [run] = await bot.runs()
        assert run.status == "failed" and run.message_id is None


async def test_run_now_records_scheduled_for_now(tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 3, 4, 15, 12, 7, tzinfo=UTC))
    async with running(settings_for(tmp_path), clock) as bot:
        result = await bot.runner.run_now("qotw")
        assert result.status == "posted" and bot.mem.said() == [TEXTS[0]]
        [run] = await bot.runs()
        assert run.scheduled_for == clock.now()
        assert (await bot.runner.run_now("nope")).status == "unknown"
