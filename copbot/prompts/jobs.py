"""APScheduler wiring: one persistent job per prompt in the bot's own database, found again after a restart."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from sqlalchemy import Engine, create_engine, delete, event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.config.settings import Settings
from copbot.core.adapter import Adapter
from copbot.core.clock import Clock
from copbot.prompts.runner import PromptRunner
from copbot.prompts.triggers import build_trigger, fingerprint
from copbot.store.engine import is_sqlite, sync_url
from copbot.store.operations import SchedulerJob

log = logging.getLogger(__name__)

JOB_PREFIX = "prompt:"
DIE_AT_VARIABLE = "COPBOT_TEST_DIE_AT"
"""Test hook read at start: the point of a prompt run (claim, post, record) at which the process kills itself."""
TABLE = "apscheduler_jobs"
_running: list[PromptRunner] = []
"""The runners of the applications running in this process, newest last; jobs find theirs here."""


FINISH_SECONDS = 5.0
"""At shutdown, how long a prompt already posting may take to finish instead of being cancelled midway."""


class FinishingExecutor(AsyncIOExecutor):  # type: ignore[misc]
    """APScheduler's asyncio executor, which can let the jobs it is running finish before it cancels them."""

    async def finish(self, within: float) -> None:
        """Wait up to ``within`` seconds for running jobs."""
        running = [future for future in getattr(self, "_pending_futures", ()) if not future.done()]
        if running:
            await asyncio.wait(running, timeout=within)


def job_id(prompt_name: str) -> str:
    """The stable job id of a prompt."""
    return JOB_PREFIX + prompt_name


async def fire_prompt(prompt_name: str) -> None:
    """The job function APScheduler stores by reference: run the prompt through the running application."""
    runner = next((runner for runner in reversed(_running) if prompt_name in runner.prompts), None)
    if runner is None:
        log.warning("prompt %r fired but no running application knows it", prompt_name)
        return
    result = await runner.run_scheduled(prompt_name)
    log.info("prompt %s: %s %s", prompt_name, result.status, result.detail)


def _sqlite_busy_timeout(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def job_store_engine(database_url: str) -> Engine:
    """A synchronous engine on the bot's database for APScheduler's job store."""
    url = sync_url(database_url)
    engine = create_engine(url)
    if is_sqlite(url):
        event.listen(engine, "connect", _sqlite_busy_timeout)
    return engine


class PromptScheduler:
    """Keeps the job store in line with the configured prompts and runs them on time."""

    def __init__(self, runner: PromptRunner, database_url: str) -> None:
        self.runner = runner
        self.database_url = database_url
        self.grace_seconds = max(1, round(runner.grace.total_seconds()))
        self.scheduler: Any = None
        self.executor = FinishingExecutor()

    def build(self) -> Any:
        """An AsyncIOScheduler on the persistent job store (the table our migration created)."""
        store = SQLAlchemyJobStore(engine=job_store_engine(self.database_url), tablename=TABLE)
        return AsyncIOScheduler(
            jobstores={"default": store},
            executors={"default": self.executor},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": self.grace_seconds},
            timezone=UTC,
        )

    async def start(self) -> None:
        """Start paused, bring the jobs in line with the config, then let due jobs run."""
        self.scheduler = self.build()
        self.scheduler.start(paused=True)
        _running.append(self.runner)
        advanced = {
            job.id[len(JOB_PREFIX) :]: job.next_run_time
            for job in self.scheduler.get_jobs()
            if job.id.startswith(JOB_PREFIX) and job.next_run_time is not None
        }
        self.sync_jobs()
        for result in await self.runner.recover(advanced):
            log.warning("prompt recovery at start: %s for %s: %s %s", result.run_id, result.scheduled_for,
                        result.status, result.detail)  # fmt: skip
        self.scheduler.resume()

    def sync_jobs(self) -> None:
        """Add or replace a job per enabled prompt (keeping a pending run time) and drop jobs of removed prompts."""
        scheduler = self.scheduler
        wanted = {job_id(prompt.name): prompt for prompt in self.runner.settings.prompts if prompt.enabled}
        for job in scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
                scheduler.remove_job(job.id)
                log.info("removed the job of prompt %s (no longer configured)", job.id[len(JOB_PREFIX) :])
        for identifier, prompt in wanted.items():
            trigger = build_trigger(prompt)
            options: dict[str, Any] = {}
            existing = scheduler.get_job(identifier)
            unchanged = existing is not None and fingerprint(existing.trigger) == fingerprint(trigger)
            if unchanged and existing.next_run_time is not None:
                options["next_run_time"] = existing.next_run_time
            scheduler.add_job(
                fire_prompt,
                trigger=trigger,
                args=[prompt.name],
                id=identifier,
                name=f"prompt {prompt.name}",
                replace_existing=True,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=self.grace_seconds,
                **options,
            )
            log.info("prompt %s scheduled, next run %s", prompt.name, scheduler.get_job(identifier).next_run_time)

    async def shutdown(self) -> None:
        """Stop, letting a running prompt finish for a few seconds (the claim row keeps a run cut off after that
        from posting again)."""
        if _running and self.runner in _running:
            _running.remove(self.runner)
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is None or not scheduler.running:
            return
        scheduler.pause()
        await self.executor.finish(FINISH_SECONDS)
        scheduler.shutdown(wait=False)
        for _ in range(10):  # AsyncIOScheduler shuts down on its next event-loop turn
            if scheduler.state == STATE_STOPPED:
                break
            await asyncio.sleep(0)


async def forget_prompt_jobs(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Remove every prompt job from the store (no prompt is configured, so no scheduler runs)."""
    async with sessions.begin() as session:
        await session.execute(delete(SchedulerJob).where(SchedulerJob.id.like(JOB_PREFIX + "%")))


async def start_prompt_scheduler(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock, adapters: Sequence[Adapter]
) -> PromptScheduler | None:
    """Start the scheduler when a prompt is enabled; otherwise just clear stale prompt jobs from the store."""
    if not any(prompt.enabled for prompt in settings.prompts):
        await forget_prompt_jobs(sessions)
        return None
    die_at = os.environ.get(DIE_AT_VARIABLE)
    runner = PromptRunner(settings, sessions, clock, adapters, die_at=die_at)
    scheduler = PromptScheduler(runner, settings.database_url())
    await scheduler.start()
    return scheduler
