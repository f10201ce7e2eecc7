"""The config tables of scheduled prompts and of the scheduler, with crontabs checked by APScheduler itself."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from copbot.config.crontab import parse_crontab
from copbot.config.sections import Section

MAX_GRACE_MINUTES = 7 * 24 * 60.0
"""A missed prompt is posted late at most a week after its time (a weekly prompt's next run comes by then)."""


class WeeklySchedule(Section):
    """Weekly on a day at a time: ``{ day = "mon", time = "09:30" }``."""

    day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    time: str = Field(pattern=r"^([01]?\d|2[0-3]):[0-5]\d$")


class PromptSection(Section):
    """One scheduled prompt or digest."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    kind: Literal[
        "question_of_the_week",
        "learned_this_week",
        "unanswered_digest",
        "repository_digest",
        "gap_prompt",
        "health_digest",
    ] = "question_of_the_week"
    platform: str = "console"
    channel: str
    weekly: WeeklySchedule | None = None
    cron: str | None = None
    timezone: str = "UTC"
    texts: list[str] = Field(default_factory=list)
    rotation: Literal["in_order", "random"] = "in_order"
    quiet_days: float | None = Field(default=None, gt=0)
    older_than_days: float = Field(default=3.0, ge=0)
    enabled: bool = True

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown IANA timezone {value!r}, for example Europe/Berlin or America/New_York"
            ) from None
        return value

    @model_validator(mode="after")
    def _one_schedule(self) -> PromptSection:
        if (self.weekly is None) == (self.cron is None):
            raise ValueError('give exactly one schedule: weekly = { day = "mon", time = "09:00" } or cron = "..."')
        if self.kind == "question_of_the_week" and not self.texts:
            raise ValueError(f"a {self.kind} prompt needs at least one entry in texts")
        if self.cron is not None:
            parse_crontab(self.cron, self.timezone)
        return self


class SchedulerSection(Section):
    """Timing of scheduled jobs."""

    misfire_grace_minutes: float = Field(default=60.0, ge=0, le=MAX_GRACE_MINUTES)
    leader_retry_seconds: float = Field(default=10.0, gt=0, le=15)
    """On PostgreSQL, how often a standby process tries to take over the scheduler from one that died."""
