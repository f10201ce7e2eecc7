"""The practice: how often each of the eleven activities of a community of practice shows up, week by week."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.core.labels import Activity
from copbot.health.window import Window, counted_message, dialect_of, week_index
from copbot.store.models import Message

log = logging.getLogger(__name__)

PRACTICE_ACTIVITIES = tuple(activity for activity in Activity if activity is not Activity.OTHER)
"""The eleven activities (social talk, "other", is not one)."""
TREND_SPAN = timedelta(days=28)
"""A trend compares the last 28 days of the window with the 28 days before them."""
Trend = Literal["growing", "shrinking", "steady", "missing"]


@dataclass(frozen=True, slots=True)
class ActivityFigures:
    """One activity over the window."""

    activity: str
    weekly: list[int]
    """CHAOSS "Activity Dates and Times": counted messages labelled with this activity in each calendar week."""
    total: int
    """Counted messages labelled with this activity in the window."""
    recent: int
    """Counted messages with this label in the 28 days before the window's end (in its channel)."""
    before: int
    """Counted messages with this label in the 28 days before those (they may lie before the window)."""
    trend: Trend
    """missing: none in the window; growing or shrinking: recent is more or less than before; else steady."""


def trend_of(total: int, recent: int, before: int) -> Trend:
    """The word for how an activity moves."""
    if total == 0:
        return "missing"
    if recent > before:
        return "growing"
    return "shrinking" if recent < before else "steady"


async def practice_figures(session: AsyncSession, window: Window) -> list[ActivityFigures]:
    """Each of the eleven activities in ``window``, in the order of ``Activity``: one pass over the messages."""
    middle = window.until - TREND_SPAN
    span = Window(min(window.since, middle - TREND_SPAN), window.until, window.room)
    in_window = Message.created_at >= window.since
    week = case((in_window, week_index(Message.created_at, window, dialect_of(session))), else_=-1).label("week")
    part = case((Message.created_at >= middle, "recent"), (Message.created_at >= middle - TREND_SPAN, "before"),
                else_="").label("part")  # fmt: skip
    rows = await session.execute(
        select(Message.activity, week, part, func.count())
        .where(counted_message(span), Message.activity.in_([a.value for a in PRACTICE_ACTIVITIES]))
        .group_by(Message.activity, week, part)
    )
    weekly = {a.value: [0] * len(window.week_starts()) for a in PRACTICE_ACTIVITIES}
    parts = {a.value: {"recent": 0, "before": 0, "": 0} for a in PRACTICE_ACTIVITIES}
    for activity, index, where, count in rows:
        if index >= 0:
            weekly[str(activity)][index] += count
        parts[str(activity)][where] += count
    figures: list[ActivityFigures] = []
    for activity in PRACTICE_ACTIVITIES:
        counts = weekly[activity.value]
        recent, before = parts[activity.value]["recent"], parts[activity.value]["before"]
        figures.append(
            ActivityFigures(activity.value, counts, sum(counts), recent, before, trend_of(sum(counts), recent, before))
        )
    return figures
