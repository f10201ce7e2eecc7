"""The real APScheduler on the persistent job store: stable jobs across restarts, and a missed run posted once."""

from __future__ import annotations

import asyncio
import contextlib
import pickle
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from copbot.core.clock import ManualClock
from copbot.prompts.jobs import _running
from tests.prompts.support import QOTW, db_path, job_rows, running, settings_for

DIGEST = """
[[prompts]]
name = "digest"
kind = "repository_digest"
channel = "general"
platform = "memory"
cron = "0 17 * * 5"
timezone = "America/New_York"
"""


def _daily_at(moment: datetime) -> str:
    return f"""
[[prompts]]
name = "daily"
channel = "general"
platform = "memory"
cron = "{moment.minute} {moment.hour} * * *"
texts = ["Good morning, what are you working on?"]
"""


def _move_next_run(tmp_path: Path, job: str, when: datetime) -> None:
    """Pretend the bot was down: the stored job's next run lies in the past."""
    with contextlib.closing(sqlite3.connect(db_path(tmp_path))) as connection, connection:
        (blob,) = connection.execute("SELECT job_state FROM apscheduler_jobs WHERE id = ?", (job,)).fetchone()
        state = pickle.loads(blob)
        state["next_run_time"] = when
        connection.execute(
            "UPDATE apscheduler_jobs SET job_state = ?, next_run_time = ? WHERE id = ?",
            (pickle.dumps(state), when.timestamp(), job),
        )


async def _wait_for(condition: Callable[[], bool], seconds: float = 2.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            return
        await asyncio.sleep(0.02)


async def test_restarts_keep_one_job_per_prompt_and_drop_removed_prompts(tmp_path: Path) -> None:
    clock = ManualClock(datetime.now(UTC))
    both = settings_for(tmp_path, QOTW + DIGEST)
    async with running(both, clock):
        first = job_rows(tmp_path)
    async with running(both, clock):
        again = job_rows(tmp_path)
    assert [job for job, _ in first] == ["prompt:digest", "prompt:qotw"]
    assert again == first  # same ids, and the pending run times were kept, not recomputed or duplicated
    async with running(settings_for(tmp_path, DIGEST), clock):
        assert [job for job, _ in job_rows(tmp_path)] == ["prompt:digest"]
    async with running(settings_for(tmp_path, ""), clock) as bot:
        assert bot.app.prompt_scheduler is None
    assert job_rows(tmp_path) == []
    assert _running == []


async def test_changed_schedule_replaces_the_job_and_its_next_run(tmp_path: Path) -> None:
    clock = ManualClock(datetime.now(UTC))
    async with running(settings_for(tmp_path), clock):
        [(_, before)] = job_rows(tmp_path)
    moved = QOTW.replace('day = "mon"', 'day = "thu"')
    async with running(settings_for(tmp_path, moved), clock):
        [(job, after)] = job_rows(tmp_path)
    assert job == "prompt:qotw"
    assert before is not None and after is not None
    assert after != before
    assert datetime.fromtimestamp(after, UTC).astimezone(ZoneInfo("Europe/Berlin")).strftime("%a %H:%M") == "Thu 09:30"


async def test_a_run_missed_while_down_posts_once_within_grace(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    missed = (now - timedelta(minutes=10)).replace(second=0, microsecond=0)
    settings = settings_for(tmp_path, _daily_at(missed), grace_minutes=60)
    clock = ManualClock(now)
    async with running(settings, clock):
        pass
    _move_next_run(tmp_path, "prompt:daily", missed)
    async with running(settings, clock) as bot:
        await _wait_for(lambda: bool(bot.mem.said()))
        await asyncio.sleep(0.3)  # room for a second (wrong) post to show up
        assert bot.mem.said() == ["Good morning, what are you working on?"]
        [run] = await bot.runs()
        assert (run.status, run.scheduled_for) == ("posted", missed)
        [(_, next_run)] = job_rows(tmp_path)
        assert next_run is not None and next_run > now.timestamp()
    async with running(settings, clock) as restarted:
        await asyncio.sleep(0.3)
        assert restarted.mem.said() == []
        assert len(await restarted.runs()) == 1


async def test_a_run_missed_beyond_grace_does_not_post(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    missed = (now - timedelta(minutes=10)).replace(second=0, microsecond=0)
    settings = settings_for(tmp_path, _daily_at(missed), grace_minutes=5)
    clock = ManualClock(now)
    async with running(settings, clock):
        pass
    _move_next_run(tmp_path, "prompt:daily", missed)
    async with running(settings, clock) as bot:
        await _wait_for(lambda: (job_rows(tmp_path)[0][1] or 0) > now.timestamp())
        await asyncio.sleep(0.3)
        assert bot.mem.said() == []
        assert await bot.runs() == []
        [(_, next_run)] = job_rows(tmp_path)
        assert next_run is not None and next_run > now.timestamp()  # rescheduled for tomorrow, not retried
