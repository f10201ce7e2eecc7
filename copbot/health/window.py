"""The period and channel a health figure covers, calendar weeks, and the SQL pieces every family shares."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Float,
    Integer,
    Interval,
    and_,
    cast,
    column,
    extract,
    func,
    literal,
    or_,
    select,
    text,
    values,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from copbot.store.models import Member, Message
from copbot.store.types import AwareDateTime

Stamp = (
    ColumnElement[datetime]
    | ColumnElement[datetime | None]
    | QueryableAttribute[datetime]
    | QueryableAttribute[datetime | None]
)
"""A stored datetime column, or an expression of one."""

SINCE = re.compile(r"^(\d+)\s*([dw])$")
"""A period as a number of days or weeks: 90d, 12w."""
WEEK = timedelta(days=7)
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Window:
    """From ``since`` (included) to ``until`` (excluded), optionally one channel (a room id)."""

    since: datetime
    until: datetime
    room: str | None = None

    def __post_init__(self) -> None:
        if self.since.tzinfo is None or self.until.tzinfo is None:
            raise ValueError("a health window needs aware datetimes")
        if self.since >= self.until:
            raise ValueError("a health window must start before it ends")

    @classmethod
    def ending(cls, until: datetime, length: timedelta, room: str | None = None) -> Window:
        """The window of ``length`` that ends at ``until``."""
        return cls(until - length, until, room)

    def previous(self) -> Window:
        """The window of the same length just before this one (for week-over-week changes)."""
        length = self.until - self.since
        return Window(self.since - length, self.since, self.room)

    @property
    def first_monday(self) -> datetime:
        """Monday 00:00 UTC of the calendar week ``since`` falls in: weeks are counted from here."""
        start = self.since.astimezone(UTC)
        return datetime(start.year, start.month, start.day, tzinfo=UTC) - timedelta(days=start.weekday())

    def week_spans(self) -> list[tuple[int, datetime, datetime]]:
        """Each calendar week's part inside the window: (index, from, to), to excluded; together they are the window."""
        return [
            (index, max(start, self.since), min(start + WEEK, self.until))
            for index, start in enumerate(self.week_starts())
        ]

    def week_starts(self) -> list[datetime]:
        """The Mondays (UTC) of every calendar week the window touches, oldest first."""
        starts: list[datetime] = []
        moment = self.first_monday
        while moment < self.until:
            starts.append(moment)
            moment += WEEK
        return starts


@dataclass(frozen=True, slots=True)
class Share:
    """``count`` of ``total``; ``ratio`` is None when there is nothing to share."""

    count: int
    total: int

    @property
    def ratio(self) -> float | None:
        """count / total, or None when total is 0."""
        return self.count / self.total if self.total else None


def parse_since(text: str, now: datetime) -> datetime:
    """``90d``, ``12w`` or a date ``2026-01-31`` (UTC midnight) as the start of a report; ValueError otherwise."""
    value = text.strip().lower()
    match = SINCE.match(value)
    if match:
        number, unit = int(match.group(1)), match.group(2)
        if number < 1:
            raise ValueError("--since needs at least 1 day or week")
        return now - (timedelta(weeks=number) if unit == "w" else timedelta(days=number))
    try:
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"--since {text!r}: give days (90d), weeks (12w) or a date (2026-01-31)") from None
    if day >= now:
        raise ValueError(f"--since {text}: that date is not in the past")
    return day


def dialect_of(session: AsyncSession) -> str:
    """The database's dialect name: sqlite or postgresql."""
    return session.get_bind().dialect.name


async def without_jit(session: AsyncSession) -> None:
    """On PostgreSQL, no JIT compilation for the rest of this transaction: the planner prices the figures' many
    correlated index probes high enough to JIT them, about 0.8 s of compiling for 0.2 s of work at a million."""
    if dialect_of(session) == "postgresql":
        await session.execute(text("SET LOCAL jit = off"))


def epoch_seconds(column: Stamp, dialect: str) -> ColumnElement[float]:
    """Seconds since 1970 of a stored aware datetime, in SQL, to the second on SQLite (which keeps UTC text)."""
    if dialect == "sqlite":
        return cast(func.strftime("%s", column), Float)  # whole seconds, exact (julianday's float is not)
    return cast(extract("epoch", column), Float)


def shifted(column: Stamp, delta: timedelta, dialect: str) -> ColumnElement[Any]:
    """A stored datetime moved by ``delta``, in SQL, still comparable with stored datetimes (to the second)."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%d %H:%M:%f", column, f"+{int(delta.total_seconds())} seconds")
    return column + literal(delta, Interval())


def spans_table(name: str, spans: Sequence[tuple[int, datetime, datetime]]) -> CTE:
    """Time spans as a constant SQL table ``name(k, since, until)``: a query counts per span with index range scans
    correlated to each row, instead of computing a bucket for every message and sorting them to group."""
    columns = (column("k", Integer), column("since", AwareDateTime()), column("until", AwareDateTime()))
    return values(*columns, name=name).data(list(spans)).cte(name)


def in_room(window: Window) -> list[ColumnElement[bool]]:
    """The channel condition of ``window`` on messages (none for the whole community)."""
    return [] if window.room is None else [Message.room == window.room]


def unnamed_member_ids() -> ColumnElement[bool]:
    """Members whose messages count in no figure: bots and members who opted out of capture."""
    return select(Member.id).where(or_(Member.is_bot.is_(True), Member.capture_opt_out.is_(True))).scalar_subquery()


def counted_message() -> ColumnElement[bool]:
    """A message that counts: not deleted, by a known person who is no bot and has not opted out."""
    return and_(
        Message.deleted_at.is_(None),
        Message.author_id.is_not(None),
        Message.author_id.not_in(unnamed_member_ids()),
    )


def median(values: Sequence[float]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def p90(values: Sequence[float]) -> float | None:
    """The 90th percentile by nearest rank: the smallest value with at least 90% of values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]
