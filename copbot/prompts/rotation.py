"""Which text a prompt posts next: in order, or at random without a repeat until every text was used."""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.store.operations import PromptRun

log = logging.getLogger(__name__)

USED_STATUSES = ("claimed", "posted")
"""Runs whose text counts as used; a failed run's text is offered again."""


def current_cycle(count: int, history: Sequence[int]) -> tuple[set[int], int | None]:
    """The texts used since the last full cycle ended, and the last text used (both ignore removed texts)."""
    used: set[int] = set()
    last: int | None = None
    for index in history:
        if not 0 <= index < count:
            continue
        if len(used) == count:
            used = set()
        used.add(index)
        last = index
    if len(used) == count:
        used = set()
    return used, last


def choose_index(
    count: int,
    rotation: Literal["in_order", "random"],
    history: Sequence[int],
    rng: random.Random | None = None,
) -> int:
    """The index of the next text, given ``history`` (indices used before, oldest first)."""
    if count <= 0:
        raise ValueError("a rotation needs at least one text")
    used, last = current_cycle(count, history)
    if rotation == "in_order":
        return 0 if last is None else (last + 1) % count
    remaining = [index for index in range(count) if index not in used]
    if count > 1 and not used and last is not None:
        remaining.remove(last)  # a new cycle never starts with the text that ended the previous one
    return (rng or random.SystemRandom()).choice(remaining)


async def text_history(session: AsyncSession, prompt_name: str) -> list[int]:
    """The text indices of the prompt's earlier runs that posted (or may have posted), oldest first."""
    rows = await session.scalars(
        select(PromptRun.text_index)
        .where(
            PromptRun.prompt_name == prompt_name,
            PromptRun.status.in_(USED_STATUSES),
            PromptRun.text_index.is_not(None),
        )
        .order_by(PromptRun.scheduled_for, PromptRun.id)
    )
    return [index for index in rows if index is not None]
