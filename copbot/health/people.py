"""People: who is active each week, who is new and comes back, levels of participation, who answers each topic."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Exists, and_, case, distinct, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from copbot.config.settings import HealthSection
from copbot.health.window import (
    DAY,
    Window,
    dialect_of,
    in_room,
    shifted,
    spans_table,
    unnamed_member_ids,
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
    """People whose first counted message falls in the window, and whether they came back (see Newcomers)."""
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


BITS = 62
"""Weeks per bit mask column (one signed 64-bit integer each)."""


def _counted_member() -> list[ColumnElement[bool]]:
    """A member whose messages count: no bot, not opted out."""
    return [Member.is_bot.is_(False), Member.capture_opt_out.is_(False)]


def _wrote(window: Window, since: Any, until: Any) -> Exists:
    """The member of the outer query has a message (not deleted) in the window's channel in [since, until)."""
    return (
        exists()
        .where(
            Message.author_id == Member.id,
            Message.created_at >= since,
            Message.created_at < until,
            Message.deleted_at.is_(None),
            *in_room(window),
        )
        .correlate_except(Message)
    )


async def weekly_active(session: AsyncSession, window: Window) -> tuple[list[int], dict[int, int]]:
    """Active people per week, and each active person's number of weeks written.

    One statement: for each member who wrote in the window, a bit mask of the weeks they wrote in, each bit one
    EXISTS probe of the (author, time) index: no message is read beyond the first of each member's week.
    """
    spans = window.week_spans()
    weeks = spans_table("weeks", spans)
    one = literal(1, BigInteger())
    masks = [
        select(func.sum(one.op("<<")(weeks.c.k - start)))
        .where(weeks.c.k >= start, weeks.c.k < start + BITS, _wrote(window, weeks.c.since, weeks.c.until))
        .correlate_except(weeks)
        .scalar_subquery()
        for start in range(0, len(spans), BITS)
    ]
    rows = await session.execute(
        select(Member.id, *masks).where(*_counted_member(), _wrote(window, window.since, window.until))
    )
    counts = [0] * len(spans)
    weeks_written: dict[int, int] = {}
    for member, *parts in rows:
        written = 0
        for chunk, mask in enumerate(parts):
            bits = int(mask or 0)
            written += bits.bit_count()
            for week in range(chunk * BITS, min(len(spans), (chunk + 1) * BITS)):
                counts[week] += bits >> (week - chunk * BITS) & 1
        if written:
            weeks_written[member] = written
    return counts, weeks_written


async def newcomers(session: AsyncSession, window: Window) -> Newcomers:
    """The newcomers of ``window`` and whether they came back, in one aggregate query.

    A person's first message is their earliest stored one, even if later deleted (it is when they arrived): one
    probe of the (author, time) index per member, as the smallest entry of their range.
    """
    dialect = dialect_of(session)
    first = select(func.min(Message.created_at)).where(Message.author_id == Member.id, *in_room(window))
    firsts = select(Member.id.label("author"), first.scalar_subquery().label("first")).where(*_counted_member())
    arrived = firsts.subquery()
    again = aliased(Message)
    came_back = exists().where(
        again.author_id == arrived.c.author,
        again.created_at > shifted(arrived.c.first, DAY, dialect),
        again.created_at <= shifted(arrived.c.first, RETURN_WITHIN, dialect),
        again.deleted_at.is_(None),
        *([again.room == window.room] if window.room is not None else []),
    )
    old_enough = arrived.c.first <= window.until - RETURN_WITHIN
    count, judged, returned = (
        await session.execute(
            select(
                func.count(),
                func.sum(case((old_enough, 1), else_=0)),
                func.sum(case((and_(old_enough, came_back), 1), else_=0)),
            ).where(arrived.c.first >= window.since, arrived.c.first < window.until)
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
