"""One prompt scheduler across processes: a PostgreSQL advisory lock on a dedicated connection picks the leader."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from copbot.config.settings import Settings
from copbot.store.engine import is_sqlite

log = logging.getLogger(__name__)

LOCK_KEY = 0x636F_7062_6F74_0001
"""The advisory lock id ("copbot" in ASCII, then 1); advisory locks are per database, so one bot per database."""
CHECK_TIMEOUT = 5.0
"""Seconds a health check of the held connection may take before it counts as lost."""

Step = Callable[[], Awaitable[None]]


def asyncpg_dsn(database_url: str) -> str:
    """The SQLAlchemy URL as a plain ``postgresql://`` DSN for asyncpg."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class SchedulerLeadership:
    """Holds ``pg_try_advisory_lock`` on its own connection for as long as the process leads.

    The lock dies with its connection, so when the leading process dies PostgreSQL releases it and a standby
    takes it on its next try (every ``retry_seconds``). A leader whose connection fails stops its scheduler at
    the next check; should two processes overlap for a moment, the unique prompt-run claim still posts once.
    """

    def __init__(self, database_url: str, lead: Step, step_down: Step, *, retry_seconds: float) -> None:
        self.dsn = asyncpg_dsn(database_url)
        self.lead = lead
        self.step_down = step_down
        self.retry_seconds = retry_seconds
        self.leading = False
        self._connection: Any = None
        self._task: asyncio.Task[None] | None = None
        self._said_standby = False

    async def start(self) -> None:
        """Try once now (a lone process leads at start-up), then keep trying or checking in the background."""
        await self._step()
        self._task = asyncio.create_task(self._loop(), name="copbot-scheduler-leader")

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.retry_seconds)
            try:
                await self._step()
            except Exception:
                log.exception("scheduler leader: check failed; trying again in %ss", self.retry_seconds)

    async def _step(self) -> None:
        if self.leading:
            if not await self._alive():
                log.warning("scheduler leader: lost (the lock's connection failed); stopping the scheduler")
                await self._resign()
            return
        if await self._try_lock():
            self.leading = True
            self._said_standby = False
            log.info("scheduler leader: acquired (pid %d); starting the prompt scheduler", os.getpid())
            try:
                await self.lead()
            except Exception:
                log.exception("scheduler leader: the scheduler did not start; releasing the lock")
                await self._resign()
        elif not self._said_standby:
            self._said_standby = True
            log.info("scheduler leader: standby (pid %d); another process runs the scheduler", os.getpid())

    async def _try_lock(self) -> bool:
        try:
            if self._connection is None or self._connection.is_closed():
                self._connection = await asyncpg.connect(self.dsn)
            return bool(await self._connection.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning(
                "scheduler leader: cannot reach PostgreSQL (%s); trying again in %ss", error, self.retry_seconds
            )
            await self._close()
            return False

    async def _alive(self) -> bool:
        connection = self._connection
        if connection is None or connection.is_closed():
            return False
        try:
            return bool(await connection.fetchval("SELECT 1", timeout=CHECK_TIMEOUT) == 1)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False

    async def _resign(self) -> None:
        self.leading = False
        try:
            await self.step_down()
        finally:
            await self._close()

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), CHECK_TIMEOUT)
            if not connection.is_closed():
                connection.terminate()

    async def stop(self) -> None:
        """Stop trying, stop the scheduler if this process leads, and release the lock by closing its connection."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.leading:
            log.info("scheduler leader: released (pid %d)", os.getpid())
            await self._resign()
        await self._close()


async def start_scheduling(settings: Settings, lead: Step, step_down: Step) -> SchedulerLeadership | None:
    """Run ``lead`` at once on SQLite or with no prompt enabled; on PostgreSQL only in the process holding the lock."""
    if is_sqlite(settings.database_url()) or not any(prompt.enabled for prompt in settings.prompts):
        await lead()
        return None
    leadership = SchedulerLeadership(
        settings.database_url(), lead, step_down, retry_seconds=settings.scheduler.leader_retry_seconds
    )
    await leadership.start()
    return leadership
