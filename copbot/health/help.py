"""Help requests: how many, how fast the first human reply and the solution come, what stays unanswered."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.health.window import DAY, WEEK, Share, Window, dialect_of, epoch_seconds, median, p90, unnamed_member_ids
from copbot.store.models import Message, Thread
from copbot.store.operations import EntryUse

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HelpRequest:
    """One help request's timeline in seconds since 1970 (plain numbers: cheap to read by the ten thousand)."""

    asked_at: float
    first_reply_at: float | None
    solved_at: float | None
    from_repository: bool


@dataclass(frozen=True, slots=True)
class HelpFigures:
    """Help requests asked in the window and what became of them by the window's end."""

    requests: int
    """Threads marked as help requests (an /ask, or a recognised question) started in the window, in its channel,
    by a person who is no bot and has not opted out."""
    weekly: list[int]
    """Help requests started in each calendar week of the window (Mondays, UTC)."""
    replied: int
    """Help requests with a first human reply before the window's end."""
    first_reply_median_hours: float | None
    """CHAOSS "Time to First Response": the median, in hours, from the question to the first message in its thread
    by another person (no bot, not opted out), over the requests that had one."""
    first_reply_p90_hours: float | None
    """The same time to first response at the 90th percentile (nearest rank)."""
    solved: int
    """Help requests marked answered (/solved, a ✅ on the answer, a confirmed guess) before the window's end."""
    solved_median_hours: float | None
    """CHAOSS "Time to Close": the median, in hours, from the question to its being marked answered."""
    solved_p90_hours: float | None
    """The same time to close at the 90th percentile (nearest rank)."""
    unanswered_1d: Share
    """Of the requests asked at least 1 day before the window's end: those with neither a reply from another person
    nor an answer mark within 1 day."""
    unanswered_7d: Share
    """The same after 7 days (of the requests asked at least 7 days before the window's end)."""
    from_repository: Share
    """Of all the requests: those whose asker accepted an entry the bot suggested (a ✅ on the /ask suggestion)."""


async def help_requests(session: AsyncSession, window: Window) -> list[HelpRequest]:
    """Every counted help request in the window with its first reply, solution and acceptance (one row each)."""
    accepted = Thread.id.in_(
        select(EntryUse.thread_id).where(EntryUse.kind == "accepted", EntryUse.at < window.until).scalar_subquery()
    )
    dialect = dialect_of(session)
    first_reply = (
        select(func.min(Message.created_at))
        .where(
            Message.thread_id == Thread.id,
            Message.author_id != Thread.asker_id,
            Message.author_id.not_in(unnamed_member_ids()),
            Message.deleted_at.is_(None),
            Message.created_at < window.until,
        )
        .correlate(Thread)
        .scalar_subquery()
    )  # one short range of the (thread, time) index per request: no join, no grouping
    query = select(
        epoch_seconds(Thread.created_at, dialect),
        epoch_seconds(first_reply, dialect),
        epoch_seconds(Thread.answered_at, dialect),
        accepted,
    ).where(
        Thread.is_help_request.is_(True),
        Thread.created_at >= window.since,
        Thread.created_at < window.until,
        Thread.asker_id.is_not(None),
        Thread.asker_id.not_in(unnamed_member_ids()),
    )
    if window.room is not None:
        query = query.where(Thread.room == window.room)
    until = window.until.timestamp()
    rows = await session.execute(query)
    return [
        HelpRequest(asked, first, solved if solved is not None and solved < until else None, bool(taken))
        for asked, first, solved, taken in rows
    ]


def _answered_within(request: HelpRequest, age: float) -> bool:
    deadline = request.asked_at + age
    return any(moment is not None and moment <= deadline for moment in (request.first_reply_at, request.solved_at))


def unanswered_share(requests: list[HelpRequest], window: Window, days: int) -> Share:
    """Of the requests old enough to judge, those neither replied to nor solved within ``days`` days."""
    age = (days * DAY).total_seconds()
    judged = [r for r in requests if r.asked_at + age <= window.until.timestamp()]
    return Share(sum(not _answered_within(r, age) for r in judged), len(judged))


def weekly_counts(moments: list[float], window: Window) -> list[int]:
    """How many of ``moments`` (seconds since 1970) fall in each calendar week of the window."""
    counts = [0] * len(window.week_starts())
    start = window.first_monday.timestamp()
    for moment in moments:
        counts[int((moment - start) // WEEK.total_seconds())] += 1
    return counts


async def help_figures(session: AsyncSession, window: Window) -> HelpFigures:
    """The help-request figures of ``window``."""
    requests = await help_requests(session, window)
    first = [(r.first_reply_at - r.asked_at) / 3600 for r in requests if r.first_reply_at is not None]
    solved = [(r.solved_at - r.asked_at) / 3600 for r in requests if r.solved_at is not None]
    return HelpFigures(
        requests=len(requests),
        weekly=weekly_counts([r.asked_at for r in requests], window),
        replied=len(first),
        first_reply_median_hours=median(first),
        first_reply_p90_hours=p90(first),
        solved=len(solved),
        solved_median_hours=median(solved),
        solved_p90_hours=p90(solved),
        unanswered_1d=unanswered_share(requests, window, 1),
        unanswered_7d=unanswered_share(requests, window, 7),
        from_repository=Share(sum(r.from_repository for r in requests), len(requests)),
    )
