"""The rhythm: prompts the bot posted and how many replies each drew."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.health.window import Window, counted_message, median
from copbot.store.models import Message, Thread
from copbot.store.operations import PromptRun

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PromptFigures:
    """One posted prompt."""

    prompt: str
    posted_at: datetime
    replies: int
    """Counted messages in the conversation the prompt started (replies to it and their thread), before the
    window's end."""


@dataclass(frozen=True, slots=True)
class RhythmFigures:
    """The prompts of the window."""

    posted: int
    """Prompt runs posted in the window (in its channel, if one is given)."""
    replies: int
    """Replies all of them drew."""
    median_replies: float | None
    """The median of replies per posted prompt."""
    prompts: list[PromptFigures]
    """Every posted prompt, oldest first."""


async def rhythm_figures(session: AsyncSession, window: Window) -> RhythmFigures:
    """The rhythm figures of ``window``: one grouped query over the posted runs."""
    counted = and_(counted_message(), Message.created_at < window.until)
    query = (
        select(PromptRun.prompt_name, PromptRun.started_at, func.count(Message.id))
        .outerjoin(Thread, Thread.prompt_run_id == PromptRun.id)
        .outerjoin(Message, and_(Message.thread_id == Thread.id, counted))
        .where(PromptRun.status == "posted", PromptRun.started_at >= window.since, PromptRun.started_at < window.until)
        .group_by(PromptRun.id, PromptRun.prompt_name, PromptRun.started_at)
        .order_by(PromptRun.started_at, PromptRun.id)
    )
    if window.room is not None:
        query = query.where(PromptRun.room == window.room)
    prompts = [PromptFigures(name, at, int(count)) for name, at, count in await session.execute(query)]
    replies = [p.replies for p in prompts]
    return RhythmFigures(len(prompts), sum(replies), median(replies), prompts)
