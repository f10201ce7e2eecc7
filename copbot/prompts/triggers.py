"""Triggers from prompt config: weekly or crontab schedules in the prompt's own IANA timezone, DST-safe."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from copbot.config.crontab import parse_crontab, translate_crontab_weekdays
from copbot.config.settings import PromptSection

__all__ = ["WallClockCronTrigger", "build_trigger", "describe", "fire_times", "latest_fire_time", "next_fire_time",
           "translate_crontab_weekdays"]  # fmt: skip

log = logging.getLogger(__name__)

LOOKBACK_WINDOWS = (timedelta(hours=2), timedelta(days=2), timedelta(days=9), timedelta(days=400))
EARLY_TOLERANCE = timedelta(seconds=5)
"""A job may run a moment before the clock the run logic reads says the fire time has come."""


class WallClockCronTrigger(CronTrigger):  # type: ignore[misc]
    """A CronTrigger that fires once, not twice, when its wall-clock time repeats as clocks go back.

    APScheduler 3 fires at both 02:30 CEST and 02:30 CET on the last Sunday of October; a weekly prompt would post
    twice. This keeps the first occurrence only, as cron does. A time skipped when clocks go forward fires at the
    same instant one hour later on the wall clock (02:30 CET is 03:30 CEST), once.
    """

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        """The next fire time, skipping the second reading of a repeated wall-clock time."""
        candidate: datetime | None = super().get_next_fire_time(previous_fire_time, now)
        while candidate is not None and _is_repeat(candidate):
            candidate = super().get_next_fire_time(candidate, just_after(candidate))
        # a time in the spring-forward gap comes back as e.g. 02:30+01:00; name it as the clock shows it (03:30+02:00)
        return candidate.astimezone(UTC).astimezone(self.timezone) if candidate is not None else None


def just_after(moment: datetime) -> datetime:
    """A microsecond after ``moment``, computed in UTC: local arithmetic would drop ``fold`` and go back an hour."""
    return moment.astimezone(UTC) + timedelta(microseconds=1)


def _is_repeat(moment: datetime) -> bool:
    """Whether ``moment`` is the second occurrence of an ambiguous local time (fold=1 with a different offset)."""
    return moment.fold == 1 and moment.replace(fold=0).utcoffset() != moment.utcoffset()


def build_trigger(prompt: PromptSection) -> WallClockCronTrigger:
    """The trigger for ``prompt``: its weekly day and time or its cron expression, in its own timezone."""
    zone = ZoneInfo(prompt.timezone)
    if prompt.weekly is not None:
        hour, minute = prompt.weekly.time.split(":")
        return WallClockCronTrigger(day_of_week=prompt.weekly.day, hour=int(hour), minute=int(minute), timezone=zone)
    if prompt.cron is None:
        raise ValueError(f"prompt {prompt.name!r} has no schedule")
    parsed = parse_crontab(prompt.cron, prompt.timezone)
    trigger = WallClockCronTrigger.__new__(WallClockCronTrigger)
    trigger.__setstate__(parsed.__getstate__())
    return trigger


def fingerprint(trigger: Any) -> str:
    """A string that changes exactly when the trigger would fire at different times."""
    return f"{type(trigger).__name__}:{trigger}:{getattr(trigger, 'timezone', '')}"


def next_fire_time(prompt: PromptSection, after: datetime) -> datetime | None:
    """When ``prompt`` fires next after ``after``, in the prompt's timezone."""
    moment: datetime | None = build_trigger(prompt).get_next_fire_time(None, after)
    return moment


def fire_times(trigger: CronTrigger, start: datetime, end: datetime) -> list[datetime]:
    """Every fire time from ``start`` to ``end`` inclusive, oldest first."""
    out: list[datetime] = []
    moment: datetime | None = trigger.get_next_fire_time(None, start)
    while moment is not None and moment <= end:
        out.append(moment)
        moment = trigger.get_next_fire_time(moment, just_after(moment))
    return out


def latest_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The most recent fire time at or before ``now`` (the run a job started now is for), or None."""
    end = now + EARLY_TOLERANCE
    for window in LOOKBACK_WINDOWS:
        found = fire_times(trigger, now - window, end) if window <= timedelta(days=9) else _sparse(trigger, now, end)
        if found:
            return found[-1]
    return None


def _sparse(trigger: CronTrigger, now: datetime, end: datetime) -> list[datetime]:
    """For rare schedules (monthly, yearly): step back a month at a time instead of listing every fire time."""
    for months in range(1, 14):
        start = now - timedelta(days=31 * months)
        first: datetime | None = trigger.get_next_fire_time(None, start)
        if first is not None and first <= end:
            return fire_times(trigger, first, end)
    return []


def describe(prompt: PromptSection) -> str:
    """The schedule in words: ``weekly sun 02:30 Europe/Berlin`` or ``cron "0 9 * * 1" America/New_York``."""
    if prompt.weekly is not None:
        return f"weekly {prompt.weekly.day} {prompt.weekly.time} {prompt.timezone}"
    return f'cron "{prompt.cron}" {prompt.timezone}'
