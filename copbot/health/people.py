"""People: who is active each week, who is new and comes back, levels of participation, who answers each topic."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, case, distinct, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from copbot.config.settings import HealthSection
from copbot.health.window import (
    DAY,
    Window,
    counted_message,
    dialect_of,
    shifted,
    unnamed_member_ids,
    week_index,
)
from copbot.store.models import EntryMessage, EntryTag, KnowledgeEntry, Member, Message, Tag

log = logging.getLogger(__name__)

RETURN_WITHIN = timedelta(weeks=4)
"""A newcomer came back if they wrote again within 4 weeks of their first message."""
LEVELS = ("core", "active", "occasional", "peripheral")


@dataclass(frozen=True, slots=True)
class Newcomers:
    """Members whose first counted message ever falls in the window."""

    count: int
    """CHAOSS "New Contributors": people whose first counted message (anywhere, or in the channel) is in the window."""
    judged: int
    """Of them, those whose first message is at least 4 weeks before the window's end (old enough to tell)."""
    returned: int
    """Of the judged, those who wrote again more than a day and at most 4 weeks after their first message."""


@dataclass(frozen=True, slots=True)
class TopicAnswerers:
    """How many people answer one topic (a tag of the repository)."""

    topic: str
    answerers: int
    """CHAOSS "Contributor Absence Factor" (bus factor) per topic: distinct people (no bot, not opted out) whose
    message is an accepted answer in an entry with this tag, the answer written in the window."""
    sole_answerer: str | None
    """With one answerer, their name if they opted in to being suggested (/privacy suggest on); otherwise None."""


@dataclass(frozen=True, slots=True)
class PeopleFigures:
    """The people of the window."""

    weekly_active: list[int]
    """CHAOSS "Contributors", per week: distinct people with a counted message in each calendar week."""
    active: int
    """Distinct people with a counted message in the window."""
    newcomers: Newcomers
    levels: dict[str, int]
    """Wenger's levels of participation, among the active people, by the share of the window's calendar weeks they
    wrote in: core (at least [health] core_week_share), active (at least active_week_share), occasional (at least
    occasional_min_weeks weeks), peripheral (the rest)."""
    topics: list[TopicAnswerers]
    """Every topic answered in the window, fewest answerers first (one answerer is a risk)."""


def level_of(weeks_written: int, weeks: int, health: HealthSection) -> str:
    """The participation level of someone who wrote in ``weeks_written`` of ``weeks`` calendar weeks."""
    share = weeks_written / weeks
    if share >= health.core_week_share:
        return "core"
    if share >= health.active_week_share:
        return "active"
    return "occasional" if weeks_written >= health.occasional_min_weeks else "peripheral"


async def weekly_active(session: AsyncSession, window: Window) -> tuple[list[int], dict[int, int]]:
    """Active people per week, and each active person's number of weeks written: one pass over the window."""
    week = week_index(Message.created_at, window, dialect_of(session)).label("week")
    rows = await session.execute(
        select(Message.author_id, week).where(counted_message(window)).group_by(Message.author_id, week)
    )
    counts = [0] * len(window.week_starts())
    weeks_written: dict[int, int] = {}
    for author, index in rows:
        if author is None:
            continue
        counts[index] += 1
        weeks_written[author] = weeks_written.get(author, 0) + 1
    return counts, weeks_written


async def newcomers(session: AsyncSession, window: Window) -> Newcomers:
    """The newcomers of ``window`` and whether they came back, in one aggregate query.

    A person's first message is their earliest stored one, even if later deleted (it is when they arrived); the
    index on (author, time) answers it without reading the messages table.
    """
    dialect = dialect_of(session)
    firsts_query = select(Message.author_id.label("author"), func.min(Message.created_at).label("first")).where(
        Message.author_id.is_not(None)
    )
    if window.room is not None:
        firsts_query = firsts_query.where(Message.room == window.room)
    firsts = firsts_query.group_by(Message.author_id).subquery()
    again = aliased(Message)
    came_back = exists().where(
        again.author_id == firsts.c.author,
        again.created_at > shifted(firsts.c.first, DAY, dialect),
        again.created_at <= shifted(firsts.c.first, RETURN_WITHIN, dialect),
        again.deleted_at.is_(None),
        *([again.room == window.room] if window.room is not None else []),
    )
    old_enough = firsts.c.first <= window.until - RETURN_WITHIN
    count, judged, returned = (
        await session.execute(
            select(
                func.count(),
                func.sum(case((old_enough, 1), else_=0)),
                func.sum(case((and_(old_enough, came_back), 1), else_=0)),
            ).where(
                firsts.c.first >= window.since,
                firsts.c.first < window.until,
                firsts.c.author.not_in(unnamed_member_ids()),
            )
        )
    ).one()
    return Newcomers(int(count), int(judged or 0), int(returned or 0))


async def topic_answerers(session: AsyncSession, window: Window) -> list[TopicAnswerers]:
    """How many distinct people answered each tag in the window; only opted-in sole answerers are named."""
    answered_at = func.coalesce(EntryMessage.created_at, KnowledgeEntry.created_at)
    query = (
        select(Tag.name, func.count(distinct(EntryMessage.author_id)), func.min(EntryMessage.author_id))
        .join(EntryTag, EntryTag.tag_id == Tag.id)
        .join(KnowledgeEntry, KnowledgeEntry.id == EntryTag.entry_id)
        .join(EntryMessage, EntryMessage.entry_id == KnowledgeEntry.id)
        .where(
            EntryMessage.role == "answer",
            EntryMessage.author_id.is_not(None),
            EntryMessage.author_id.not_in(unnamed_member_ids()),
            answered_at >= window.since,
            answered_at < window.until,
        )
        .group_by(Tag.name)
    )
    if window.room is not None:
        query = query.where(KnowledgeEntry.source_room == window.room)
    rows = list(await session.execute(query))
    sole_ids = {author for _, count, author in rows if count == 1}
    opted_in = select(Member.id, Member.display_name).where(Member.id.in_(sole_ids), Member.suggest_opt_in.is_(True))
    names = {member_id: display for member_id, display in await session.execute(opted_in)}
    topics = [
        TopicAnswerers(topic, int(n), names.get(author) if n == 1 and author is not None else None)
        for topic, n, author in rows
    ]
    return sorted(topics, key=lambda t: (t.answerers, t.topic))


async def people_figures(session: AsyncSession, window: Window, health: HealthSection) -> PeopleFigures:
    """The people figures of ``window``."""
    weekly, weeks_written = await weekly_active(session, window)
    active = len(weeks_written)
    weeks = len(window.week_starts())
    levels = dict.fromkeys(LEVELS, 0)
    for written in weeks_written.values():
        levels[level_of(written, weeks, health)] += 1
    new = await newcomers(session, window)
    return PeopleFigures(weekly, active, new, levels, await topic_answerers(session, window))
