"""Replies to a posted prompt form a thread linked to the prompt run, like any conversation the bot tracks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from copbot.core.clock import ManualClock
from copbot.store.models import Message, Thread
from tests.cast import ALICE, BOB
from tests.prompts.support import Running, running, settings_for

NOW = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


async def _threads(bot: Running) -> list[Thread]:
    assert bot.app.services is not None
    async with bot.app.services.sessions() as session:
        return list(await session.scalars(select(Thread).order_by(Thread.id)))


async def _message(bot: Running, external_id: str) -> Message:
    assert bot.app.services is not None
    async with bot.app.services.sessions() as session:
        found = await session.scalar(select(Message).where(Message.external_id == external_id))
        assert found is not None
        return found


async def test_replies_to_a_prompt_form_a_thread_linked_to_the_run(tmp_path: Path) -> None:
    clock = ManualClock(NOW)
    async with running(settings_for(tmp_path), clock) as bot:
        result = await bot.runner.run_scheduled("qotw")
        assert result.status == "posted" and result.message_id is not None
        clock.advance(timedelta(minutes=5))
        first = await bot.mem.post(ALICE, "A regex tester, it saved me an hour", reply_to=result.message_id)
        second = await bot.mem.post(BOB, "Which one?", reply_to=first.id)
        third = await bot.mem.post(BOB, "Mine was a profiler", reply_to=result.message_id)
        [thread] = await _threads(bot)
        assert thread.prompt_run_id == result.run_id
        assert (thread.thread_key, thread.root_message_id) == (result.message_id, result.message_id)
        assert thread.title == "What tool saved you time this week?"
        for event in (first, second, third):
            assert (await _message(bot, event.id)).thread_id == thread.id


async def test_a_platform_thread_on_the_prompt_is_linked(tmp_path: Path) -> None:
    clock = ManualClock(NOW)
    async with running(settings_for(tmp_path), clock) as bot:
        result = await bot.runner.run_scheduled("qotw")
        assert result.message_id is not None
        await bot.mem.post(ALICE, "I read a paper on CRDTs", thread=result.message_id)
        [thread] = await _threads(bot)
        assert thread.prompt_run_id == result.run_id and thread.thread_key == result.message_id


async def test_other_conversations_are_not_linked(tmp_path: Path) -> None:
    clock = ManualClock(NOW)
    async with running(settings_for(tmp_path), clock) as bot:
        assert (await bot.runner.run_scheduled("qotw")).status == "posted"
        question = await bot.mem.post(ALICE, "How do I profile asyncio code?")
        await bot.mem.post(BOB, "py-spy works", reply_to=question.id)
        [thread] = await _threads(bot)
        assert thread.thread_key == question.id and thread.prompt_run_id is None
