"""Crontab expressions as copbot reads them (0 and 7 are Sunday), parsed by APScheduler, and whether they ever fire."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
"""Any fixed start will do: a crontab that fires at all fires within years of it."""

CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Standard crontab day-of-week numbers (0 and 7 are Sunday) as names, which APScheduler 3 reads unambiguously."""


def _day_name(value: str) -> str:
    if value.isdigit():
        number = int(value)
        if not 0 <= number <= 7:
            raise ValueError(f"day of week {number} is out of range 0-7")
        return CRON_DAYS[number]
    return value


def translate_crontab_weekdays(expression: str) -> str:
    """Rewrite numeric day-of-week values (crontab: 0 = Sunday) as names; APScheduler 3 reads 0 as Monday."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"a cron expression has 5 fields (minute hour day month weekday), got {len(fields)}")
    items = []
    for item in fields[4].split(","):
        base, slash, step = item.partition("/")
        first, dash, last = base.partition("-")
        base = _day_name(first.strip().lower()) + (dash + _day_name(last.strip().lower()) if dash else "")
        items.append(base + slash + step)
    return " ".join([*fields[:4], ",".join(items)])


def parse_crontab(expression: str, timezone: str) -> CronTrigger:
    """APScheduler's trigger for a crontab ``expression`` in ``timezone``; raises ValueError naming the problem."""
    try:
        translated = translate_crontab_weekdays(expression)
        trigger: CronTrigger = CronTrigger.from_crontab(translated, timezone=ZoneInfo(timezone))
    except (ValueError, KeyError) as error:
        raise ValueError(f"cron {expression!r} is not a valid crontab expression: {error}") from None
    return trigger


def ever_fires(expression: str, timezone: str, *, after: datetime = EPOCH) -> bool:
    """Whether the crontab fires at all after ``after`` (``0 9 30 2 *``, the 30th of February, never does)."""
    start = after
    return parse_crontab(expression, timezone).get_next_fire_time(None, start) is not None
