"""Claim-then-post: a prompt run is claimed by a unique database row before anything is posted, so never twice."""

from __future__ import annotations

import logging
import os
import random
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.config.settings import PromptSection, Settings
from copbot.core.adapter import Adapter
from copbot.core.clock import Clock
from copbot.core.events import Place
from copbot.prompts import kinds, rotation
from copbot.prompts.triggers import build_trigger, latest_fire_time
from copbot.store.models import Member, Message
from copbot.store.operations import PromptRun

log = logging.getLogger(__name__)

MIN_GRACE = timedelta(seconds=30)
"""Even with no grace configured, a job that starts a moment after its time still runs."""
Status = Literal["posted", "skipped", "failed", "duplicate", "missed", "unknown", "unconfirmed"]
DIE_POINTS = ("claim", "post", "record")
"""Where a test may have the process kill itself (``die_at``): before the claim, after the claim before posting,
after posting before the message id is recorded."""
UNFINISHED = ("claimed", "posting")
"""Run states a process leaves behind only when it stops mid-run: ``posting`` is written just before the send."""


@dataclass(frozen=True, slots=True)
class RunResult:
    """What became of one attempt to run a prompt."""

    status: Status
    scheduled_for: datetime | None = None
    run_id: int | None = None
    message_id: str | None = None
    detail: str = ""


class PromptRunner:
    """Runs configured prompts through the adapters; every decision reads ``now`` from the injected clock."""

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        adapters: Sequence[Adapter],
        rng: random.Random | None = None,
        die_at: str | None = None,
    ) -> None:
        self.settings = settings
        self.die_at = die_at if die_at in DIE_POINTS else None
        """A test hook (``COPBOT_TEST_DIE_AT``): the point of a run at which the process kills itself."""
        self.sessions = sessions
        self.clock = clock
        self.adapters = list(adapters)
        self.rng = rng
        self.prompts = {prompt.name: prompt for prompt in settings.prompts}

    @property
    def grace(self) -> timedelta:
        """How late a scheduled run may still post."""
        return max(MIN_GRACE, timedelta(minutes=self.settings.scheduler.misfire_grace_minutes))

    def adapter_for(self, platform: str) -> Adapter | None:
        """The running adapter for ``platform``; with one adapter and the default platform, that one."""
        for adapter in self.adapters:
            if adapter.platform == platform:
                return adapter
        return None

    async def run_scheduled(self, name: str) -> RunResult:
        """Run the occurrence of ``name`` that is due now: the trigger's latest fire time at or before now."""
        prompt = self.prompts.get(name)
        if prompt is None or not prompt.enabled:
            log.warning("scheduled prompt %r is not (or no longer) configured; not posting", name)
            return RunResult("unknown", detail="not configured or disabled")
        now = self.clock.now()
        scheduled_for = latest_fire_time(build_trigger(prompt), now)
        if scheduled_for is None:
            return RunResult("missed", detail="no fire time at or before now")
        return await self.run(prompt, scheduled_for, now=now)

    async def run_now(self, name: str) -> RunResult:
        """Run ``name`` at once (an admin asked), recorded with scheduled_for = now."""
        prompt = self.prompts.get(name)
        if prompt is None:
            return RunResult("unknown", detail=f"no prompt named {name!r}")
        now = self.clock.now()
        return await self.run(prompt, now, now=now, manual=True)

    async def run(
        self, prompt: PromptSection, scheduled_for: datetime, *, now: datetime | None = None, manual: bool = False
    ) -> RunResult:
        """Claim the run (unique prompt_name + scheduled_for), then check quiet, build, post and record."""
        now = now or self.clock.now()
        late = now - scheduled_for
        if not manual and late > self.grace:
            log.warning(
                "prompt %s for %s missed by %s (grace %s); not posting", prompt.name, scheduled_for, late, self.grace
            )
            return RunResult("missed", scheduled_for, detail=f"late by {late}")
        self._checkpoint("claim")
        run_id = await self._claim(prompt, scheduled_for, now)
        if run_id is None:
            log.info("prompt %s for %s was already claimed; not posting again", prompt.name, scheduled_for)
            return RunResult("duplicate", scheduled_for)
        return await self._attempt(prompt, scheduled_for, now, run_id, now)

    async def recover(self, advanced: dict[str, datetime]) -> list[RunResult]:
        """At start: finish the runs a stopped process left unfinished, and run each fire time it lost.

        A ``claimed`` run never reached the send: it is posted now if still within the grace. A ``posting`` run may
        have been posted, so it is marked ``unconfirmed``, never posted again. A prompt whose stored job had moved
        past its latest fire time (``advanced``: prompt name -> the job's next run time before this start) but has
        no run for it lost that run between the scheduler's step and the claim: it runs now, within the grace.
        """
        now = self.clock.now()
        results: list[RunResult] = []
        async with self.sessions() as session:
            unfinished = list(await session.scalars(select(PromptRun).where(PromptRun.status.in_(UNFINISHED))))
        for run in unfinished:
            results.append(await self._finish_unfinished(run, now))
        for prompt in self.prompts.values():
            scheduled_for = latest_fire_time(build_trigger(prompt), now)
            next_run = advanced.get(prompt.name)
            if not prompt.enabled or scheduled_for is None or next_run is None or next_run <= scheduled_for:
                continue
            if now - scheduled_for > self.grace or await self._has_run(prompt.name, scheduled_for):
                continue
            log.warning("prompt %s for %s was due but never claimed (the bot stopped); running it now",
                        prompt.name, scheduled_for)  # fmt: skip
            results.append(await self.run(prompt, scheduled_for, now=now))
        return results

    async def _finish_unfinished(self, run: PromptRun, now: datetime) -> RunResult:
        prompt = self.prompts.get(run.prompt_name)
        if run.status == "posting":
            detail = "the bot stopped while posting it; it may be posted, so it is not posted again"
            log.warning("prompt %s for %s: %s", run.prompt_name, run.scheduled_for, detail)
            await self._finish(run.id, "unconfirmed", detail=detail)
            return RunResult("unconfirmed", run.scheduled_for, run.id, detail=detail)
        if prompt is None or not prompt.enabled or now - run.scheduled_for > self.grace:
            detail = "the bot stopped after claiming it, and it is now too late (or no longer configured) to post"
            log.warning("prompt %s for %s: %s", run.prompt_name, run.scheduled_for, detail)
            await self._finish(run.id, "failed", detail=detail)
            return RunResult("failed", run.scheduled_for, run.id, detail=detail)
        taken = await self._set_status(run.id, "claimed", run.started_at, "claimed", started_at_now=now)
        if not taken:
            return RunResult("duplicate", run.scheduled_for, run.id, detail="another process took the run over")
        log.warning("prompt %s for %s was claimed but never posted (the bot stopped); posting it now",
                    run.prompt_name, run.scheduled_for)  # fmt: skip
        return await self._attempt(prompt, run.scheduled_for, now, run.id, now)

    async def _set_status(
        self, run_id: int, status: str, started_at: datetime, new_status: str, *, started_at_now: datetime | None = None
    ) -> bool:
        """Compare and set: move the run from ``status`` claimed at ``started_at`` on; False if it is not so now.

        A claim taken over at start gets a new ``started_at``, so a process still carrying out the old claim (two
        PostgreSQL leaders overlapping for a moment) finds it changed before the send and does not post.
        """
        values: dict[str, object] = {"status": new_status}
        if started_at_now is not None:
            values["started_at"] = started_at_now
        statement = (
            update(PromptRun)
            .where(PromptRun.id == run_id, PromptRun.status == status, PromptRun.started_at == started_at)
            .values(**values)
        )
        async with self.sessions.begin() as session:
            result = await session.execute(statement)
        return bool(getattr(result, "rowcount", 0))

    async def _has_run(self, name: str, scheduled_for: datetime) -> bool:
        query = select(exists().where(PromptRun.prompt_name == name, PromptRun.scheduled_for == scheduled_for))
        async with self.sessions() as session:
            return bool(await session.scalar(query))

    def _checkpoint(self, point: str) -> None:
        if self.die_at == point:
            log.warning("test hook: killing this process at %r", point)
            os.kill(os.getpid(), signal.SIGKILL)

    async def _attempt(
        self, prompt: PromptSection, scheduled_for: datetime, now: datetime, run_id: int, claimed_at: datetime
    ) -> RunResult:
        """Carry out a run claimed at ``claimed_at``; any failure is recorded on the run."""
        self._checkpoint("post")
        try:
            return await self._carry_out(prompt, scheduled_for, now, run_id, claimed_at)
        except Exception as error:
            log.exception("prompt %s for %s failed", prompt.name, scheduled_for)
            await self._finish(run_id, "failed", detail=f"{type(error).__name__}: {error}")
            return RunResult("failed", scheduled_for, run_id, detail=str(error))

    async def _claim(self, prompt: PromptSection, scheduled_for: datetime, now: datetime) -> int | None:
        """Insert the run in its own committed transaction; None if another process (or run) holds it."""
        run = PromptRun(
            prompt_name=prompt.name,
            scheduled_for=scheduled_for,
            started_at=now,
            status="claimed",
            platform=prompt.platform,
            room=prompt.channel,
        )
        try:
            async with self.sessions.begin() as session:
                session.add(run)
        except IntegrityError:
            return None
        return run.id

    async def _carry_out(
        self, prompt: PromptSection, scheduled_for: datetime, now: datetime, run_id: int, claimed_at: datetime
    ) -> RunResult:
        if prompt.quiet_days is not None and await self._recently_active(prompt, now):
            detail = f"the channel had messages in the last {prompt.quiet_days:g} days"
            await self._finish(run_id, "skipped", detail=detail)
            return RunResult("skipped", scheduled_for, run_id, detail=detail)
        adapter = self.adapter_for(prompt.platform)
        if adapter is None:
            detail = f"no running adapter for platform {prompt.platform!r}"
            await self._finish(run_id, "failed", detail=detail)
            return RunResult("failed", scheduled_for, run_id, detail=detail)
        async with self.sessions.begin() as session:
            texts = kinds.texts_for(prompt)
            index = None
            if texts:
                history = await rotation.text_history(session, prompt.name)
                index = rotation.choose_index(len(texts), prompt.rotation, history, self.rng)
            content = await kinds.build_content(
                session, prompt, now, adapter, index, share=self.settings.knowledge.share, health=self.settings.health
            )
            run = await session.get(PromptRun, run_id)
            if run is not None:
                run.text_index = index
        if not await self._set_status(run_id, "claimed", claimed_at, "posting"):
            log.info("prompt %s for %s was taken over by another process; not posting", prompt.name, scheduled_for)
            return RunResult("duplicate", scheduled_for, run_id, detail="another process took the run over")
        sent = await adapter.send(Place(prompt.platform, prompt.channel), content)
        self._checkpoint("record")
        await self._finish(run_id, "posted", message_id=sent.id)
        log.info("prompt %s posted as %s in %s", prompt.name, sent.id, prompt.channel)
        return RunResult("posted", scheduled_for, run_id, sent.id)

    async def _recently_active(self, prompt: PromptSection, now: datetime) -> bool:
        """Whether a member (not a bot) wrote in the prompt's channel within ``quiet_days``."""
        since = now - timedelta(days=prompt.quiet_days or 0)
        query = select(
            exists()
            .where(
                Message.platform == prompt.platform,
                Message.room == prompt.channel,
                Message.deleted_at.is_(None),
                Message.created_at > since,
                Message.created_at <= now,
            )
            .where(~exists().where(Member.id == Message.author_id, Member.is_bot.is_(True)))
        )
        async with self.sessions() as session:
            return bool(await session.scalar(query))

    async def _finish(self, run_id: int, status: str, *, message_id: str | None = None, detail: str = "") -> None:
        async with self.sessions.begin() as session:
            run = await session.get(PromptRun, run_id)
            if run is None:
                return
            run.status = status
            run.message_id = message_id or run.message_id
            run.detail = detail[:2000]
