"""The practice: how often each of the eleven activities of a community of practice shows up, week by week."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import String, column, func, select, true, values
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.core.labels import Activity
from copbot.health.window import Window, counted_message, in_room, spans_table
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


RECENT, BEFORE = -1, -2
"""The span numbers of the trend's two 28-day spans (the weeks are 0, 1, ...)."""


async def practice_figures(session: AsyncSession, window: Window) -> list[ActivityFigures]:
    """Each of the eleven activities in ``window``, in the order of ``Activity``.

    One statement: for each activity and each span (the calendar weeks, then the trend's two 28-day spans), a count
    over the (activity, time) index range, so no message is bucketed or sorted one by one.
    """
    middle = window.until - TREND_SPAN
    spans = spans_table("spans", [*window.week_spans(), (RECENT, middle, window.until),
                                  (BEFORE, middle - TREND_SPAN, middle)])  # fmt: skip
    names = values(column("activity", String(32)), name="activities").data(
        [(a.value,) for a in PRACTICE_ACTIVITIES]
    ).cte("activities")  # fmt: skip
    count = (
        select(func.count())
        .select_from(Message)
        .where(
            Message.activity == names.c.activity,
            Message.created_at >= spans.c.since,
            Message.created_at < spans.c.until,
            counted_message(),
            *in_room(window),
        )
        .scalar_subquery()
    )
    weekly = {a.value: [0] * len(window.week_starts()) for a in PRACTICE_ACTIVITIES}
    parts = {a.value: {RECENT: 0, BEFORE: 0} for a in PRACTICE_ACTIVITIES}
    for span, activity, found in await session.execute(
        select(spans.c.k, names.c.activity, count).join_from(spans, names, true())
    ):
        if span >= 0:
            weekly[str(activity)][span] = int(found)
        else:
            parts[str(activity)][span] = int(found)
    figures: list[ActivityFigures] = []
    for activity in PRACTICE_ACTIVITIES:
        counts = weekly[activity.value]
        recent, before = parts[activity.value][RECENT], parts[activity.value][BEFORE]
        figures.append(
            ActivityFigures(activity.value, counts, sum(counts), recent, before, trend_of(sum(counts), recent, before))
        )
    return figures
