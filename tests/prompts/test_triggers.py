"""Prompt triggers: next-run times across DST changes, crontab weekdays, the run a late job is for."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from copbot.config.settings import PromptSection
from copbot.prompts.triggers import (
    WallClockCronTrigger,
    build_trigger,
    describe,
    fire_times,
    latest_fire_time,
    next_fire_time,
    translate_crontab_weekdays,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def weekly(day: str, time: str, zone: str) -> PromptSection:
    schedule = {"day": day, "time": time}
    return PromptSection.model_validate(
        {"name": "p", "channel": "general", "weekly": schedule, "timezone": zone, "texts": ["x"]}
    )


def cron(expression: str, zone: str = "UTC") -> PromptSection:
    return PromptSection(name="p", channel="general", cron=expression, timezone=zone, texts=["x"])


def test_berlin_sunday_0230_fires_once_on_spring_forward_at_the_real_instant() -> None:
    trigger = build_trigger(weekly("sun", "02:30", "Europe/Berlin"))
    times = fire_times(trigger, datetime(2026, 3, 20, tzinfo=UTC), datetime(2026, 4, 7, tzinfo=UTC))
    as_utc = [moment.astimezone(UTC) for moment in times]
    # 22 March CET (01:30Z); 29 March 02:30 does not exist: once, at 01:30Z (03:30 CEST); 5 April CEST (00:30Z)
    assert as_utc == [
        datetime(2026, 3, 22, 1, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        datetime(2026, 4, 5, 0, 30, tzinfo=UTC),
    ]
    assert [moment.astimezone(BERLIN).strftime("%H:%M") for moment in times] == ["02:30", "03:30", "02:30"]


def test_berlin_sunday_0230_fires_once_not_twice_when_clocks_go_back() -> None:
    trigger = build_trigger(weekly("sun", "02:30", "Europe/Berlin"))
    times = fire_times(trigger, datetime(2026, 10, 18, 12, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC))
    assert [moment.astimezone(UTC) for moment in times] == [
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 CEST, the first of the two 02:30s
        datetime(2026, 11, 1, 1, 30, tzinfo=UTC),  # 02:30 CET
    ]


def test_plain_apscheduler_would_fire_twice_which_is_why_the_trigger_is_wrapped() -> None:
    from apscheduler.triggers.cron import CronTrigger

    plain = CronTrigger(day_of_week="sun", hour=2, minute=30, timezone=BERLIN)
    times = fire_times(plain, datetime(2026, 10, 24, tzinfo=UTC), datetime(2026, 10, 26, tzinfo=UTC))
    assert len(times) == 2


def test_new_york_0900_stays_0900_local_before_and_after_the_switch() -> None:
    prompt = weekly("mon", "09:00", "America/New_York")
    before = next_fire_time(prompt, datetime(2026, 3, 3, tzinfo=UTC))
    after = next_fire_time(prompt, datetime(2026, 3, 10, tzinfo=UTC))
    assert before is not None and after is not None
    assert before.astimezone(NEW_YORK).strftime("%a %H:%M") == after.astimezone(NEW_YORK).strftime("%a %H:%M")
    assert before.astimezone(UTC) == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # after the 8 March switch: EDT
    assert next_fire_time(prompt, datetime(2026, 3, 1, tzinfo=UTC)) == datetime(2026, 3, 2, 14, tzinfo=UTC)
    autumn = next_fire_time(prompt, datetime(2026, 11, 1, 12, tzinfo=UTC))
    assert autumn == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)  # EST again, still 09:00 local


def test_cron_daily_in_new_york_keeps_local_time_across_the_switch() -> None:
    trigger = build_trigger(cron("0 9 * * *", "America/New_York"))
    times = fire_times(trigger, datetime(2026, 3, 6, tzinfo=UTC), datetime(2026, 3, 11, tzinfo=UTC))
    assert {moment.astimezone(NEW_YORK).strftime("%H:%M") for moment in times} == {"09:00"}
    assert {moment.astimezone(UTC).hour for moment in times} == {13, 14}


@pytest.mark.parametrize(
    ("expression", "translated"),
    [
        ("0 9 * * 1", "0 9 * * mon"),
        ("0 9 * * 0", "0 9 * * sun"),
        ("0 9 * * 7", "0 9 * * sun"),
        ("0 9 * * 1-5", "0 9 * * mon-fri"),
        ("0 9 * * 1,3,5", "0 9 * * mon,wed,fri"),
        ("*/15 9-17 * * *", "*/15 9-17 * * *"),
        ("0 9 * * fri", "0 9 * * fri"),
    ],
)
def test_crontab_weekday_numbers_mean_what_crontab_means(expression: str, translated: str) -> None:
    assert translate_crontab_weekdays(expression) == translated


def test_cron_monday_fires_on_monday() -> None:
    upcoming = next_fire_time(cron("30 8 * * 1", "Europe/Berlin"), datetime(2026, 6, 3, tzinfo=UTC))
    assert upcoming is not None
    assert upcoming.astimezone(BERLIN).strftime("%A %H:%M") == "Monday 08:30"


def test_invalid_cron_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="not a valid crontab"):
        cron("0 9 * *")
    with pytest.raises(ValueError, match="out of range"):
        cron("0 9 * * 8")


def test_latest_fire_time_is_the_run_a_late_job_belongs_to() -> None:
    trigger = build_trigger(weekly("sun", "02:30", "Europe/Berlin"))
    run = datetime(2026, 3, 22, 1, 30, tzinfo=UTC)
    assert latest_fire_time(trigger, run + timedelta(minutes=20)) == run
    assert latest_fire_time(trigger, run) == run
    assert latest_fire_time(trigger, run - timedelta(seconds=2)) == run  # a job a moment early still counts
    assert latest_fire_time(trigger, run - timedelta(minutes=1)) == run - timedelta(days=7)
    monthly = build_trigger(cron("0 9 1 * *"))
    assert latest_fire_time(monthly, datetime(2026, 5, 20, tzinfo=UTC)) == datetime(2026, 5, 1, 9, tzinfo=UTC)


def test_trigger_pickles_as_itself() -> None:
    trigger = build_trigger(cron("0 9 * * 1", "America/New_York"))
    again = pickle.loads(pickle.dumps(trigger))
    assert isinstance(again, WallClockCronTrigger)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    assert again.get_next_fire_time(None, start) == trigger.get_next_fire_time(None, start)


def test_describe() -> None:
    assert describe(weekly("sun", "02:30", "Europe/Berlin")) == "weekly sun 02:30 Europe/Berlin"
    assert describe(cron("0 9 * * 1")) == 'cron "0 9 * * 1" UTC'
