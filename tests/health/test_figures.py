"""Every health figure on the replayed history, against values worked out by hand (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from copbot.config.settings import HealthSection
from copbot.health.help import help_figures
from copbot.health.people import people_figures
from copbot.health.practice import practice_figures
from copbot.health.repository import GapTopic, Uses, repository_figures
from copbot.health.rhythm import rhythm_figures
from copbot.health.window import Share, Window
from tests.health.history import NOW, SINCE, Community, at, replayed

WINDOW = Window(SINCE, NOW)
HELP_ROOM = Window(SINCE, NOW, room="help")
TUNED = HealthSection(core_week_share=0.4, active_week_share=0.3, occasional_min_weeks=2, stale_months=2)


@pytest.fixture
async def community(database_url: str) -> AsyncIterator[Community]:
    async for stored in replayed(database_url):
        yield stored


def test_the_window_has_nine_calendar_weeks_from_monday_2_february() -> None:
    starts = WINDOW.week_starts()
    assert [s.date().isoformat() for s in (starts[0], starts[-1])] == ["2026-02-02", "2026-03-30"]
    assert len(starts) == 9


async def test_help_request_figures(community: Community) -> None:
    async with community.sessions() as session:
        figures = await help_figures(session, WINDOW)
        in_help = await help_figures(session, HELP_ROOM)
    # T1 T2 T3 T4 T5 T8: T0 is before the window, T6 was asked by Erin (opted out), P1 is no help request.
    assert figures.requests == 6
    assert figures.weekly == [0, 0, 0, 0, 1, 1, 2, 2, 0]
    # First replies by someone else: T1 2 h (Bob), T2 4 h (Alice; Carol's own follow-up does not count),
    # T3 48 h (Bob; the bot at 0.5 h and Erin at 1 h do not count), T5 6 h, T8 1 h; T4 never.
    assert figures.replied == 5
    assert figures.first_reply_median_hours == 4.0
    assert figures.first_reply_p90_hours == 48.0  # nearest rank: the 5th of 5
    # Solved: T1 after 24 h, T2 after 48 h.
    assert (figures.solved, figures.solved_median_hours, figures.solved_p90_hours) == (2, 36.0, 48.0)
    # After 1 day, all six are old enough (T5 exactly); T3 and T4 had no reply and no answer mark within a day.
    assert figures.unanswered_1d == Share(2, 6)
    # After 7 days only T1..T4 are old enough; T4 is still waiting.
    assert figures.unanswered_7d == Share(1, 4)
    # T1's asker accepted the suggestion.
    assert figures.from_repository == Share(1, 6)
    # The help channel alone: T1..T5 with first replies 2, 4, 48 and 6 hours.
    assert in_help.requests == 5
    assert (in_help.first_reply_median_hours, in_help.first_reply_p90_hours) == (5.0, 48.0)
    assert in_help.unanswered_1d == Share(2, 5)


async def test_practice_figures(community: Community) -> None:
    async with community.sessions() as session:
        figures = {f.activity: f for f in await practice_figures(session, WINDOW)}
    assert len(figures) == 11 and "other" not in figures
    solving = figures["problem_solving"]
    # Alice 3 Mar, Dave 17 Mar, Bob 20 Mar, Carol 24 Mar, Alice 29 Mar (Erin's and the deleted one do not count).
    assert solving.weekly == [0, 0, 0, 0, 1, 0, 2, 2, 0]
    assert (solving.total, solving.recent, solving.before, solving.trend) == (5, 5, 0, "growing")
    assert (figures["seeking_experience"].weekly[1], figures["seeking_experience"].trend) == (1, "shrinking")
    assert figures["coordination"].trend == "shrinking"
    assert (figures["reusing_assets"].total, figures["reusing_assets"].trend) == (2, "growing")
    visits = figures["visits"]
    assert (visits.weekly[3], visits.weekly[7], visits.recent, visits.before, visits.trend) == (1, 1, 1, 1, "steady")
    missing = sorted(a for a, f in figures.items() if f.trend == "missing")
    assert missing == ["building_an_argument", "documenting_projects", "identifying_gaps"]


async def test_people_figures(community: Community) -> None:
    async with community.sessions() as session:
        tuned = await people_figures(session, WINDOW, TUNED)
        default = await people_figures(session, WINDOW, HealthSection())
        in_help = await people_figures(session, HELP_ROOM, TUNED)
    assert tuned.weekly_active == [0, 2, 1, 1, 2, 2, 4, 2, 2]
    assert tuned.active == 6  # Alice, Bob, Carol, Dave, Gina, Hank
    # Dave (first 10 Feb, back 20 Feb), Gina (first 15 Feb, again the same evening and then after 4 weeks),
    # Hank (first 20 Mar: too recent to judge). Erin and the bot are not counted.
    assert (tuned.newcomers.count, tuned.newcomers.judged, tuned.newcomers.returned) == (3, 2, 1)
    # Weeks written of 9: Bob 4, Alice 3, Carol 3, Dave 3, Gina 2, Hank 1.
    assert tuned.levels == {"core": 1, "active": 3, "occasional": 1, "peripheral": 1}
    assert default.levels == {"core": 0, "active": 4, "occasional": 1, "peripheral": 1}
    # Answers in the window: python by Bob and Alice, packaging by Bob, docker by Alice (opted in, so named);
    # Erin's ci answer and the legacy answer before the window do not count, nor the anonymous one.
    assert [(t.topic, t.answerers, t.sole_answerer) for t in tuned.topics] == [
        ("docker", 1, "Alice"),
        ("packaging", 1, None),
        ("python", 2, None),
    ]
    # In the help channel, first messages: Bob 3 Mar, Carol 10 Mar, Dave 17 Mar (Alice's was in January).
    assert (in_help.newcomers.count, in_help.newcomers.judged) == (3, 0)
    assert [t.topic for t in in_help.topics] == ["packaging", "python"]


async def test_repository_figures(community: Community) -> None:
    gaps = [GapTopic("kubernetes", 3, 1)]
    async with community.sessions() as session:
        figures = await repository_figures(session, WINDOW, TUNED.stale_months, gaps)
        default = await repository_figures(session, WINDOW, HealthSection().stale_months, [])
        in_help = await repository_figures(session, HELP_ROOM, TUNED.stale_months, [])
    assert figures.added == 4  # E1 E2 E3 E4
    assert figures.edited == 1  # e1 twice; e5's edit is before the window, e2's was a delete
    assert figures.viewed == Uses(3, 2)
    assert figures.suggested == Uses(2, 2)
    assert figures.entries == 6
    assert figures.stale == 2  # E5 (January) and E6 (2025) against 2 months
    assert default.stale == 1  # only E6 against 12 months
    assert figures.gaps == gaps
    assert (in_help.added, in_help.viewed, in_help.entries) == (3, Uses(2, 1), 4)


async def test_rhythm_figures(community: Community) -> None:
    async with community.sessions() as session:
        figures = await rhythm_figures(session, WINDOW)
        week_before = await rhythm_figures(session, Window(NOW - timedelta(days=14), NOW - timedelta(days=7)))
        in_help = await rhythm_figures(session, HELP_ROOM)
    # R2 (23 Mar, no replies) and R1 (30 Mar, Bob and Carol replied); R0 is before the window, R3 failed.
    assert [(p.posted_at, p.replies) for p in figures.prompts] == [(at(3, 23, 8), 0), (at(3, 30, 8), 2)]
    assert (figures.posted, figures.replies, figures.median_replies) == (2, 2, 1.0)
    assert (week_before.posted, week_before.replies) == (1, 0)
    assert in_help.posted == 0


async def test_weeks_written_past_one_bit_mask(community: Community) -> None:
    long = Window(NOW - timedelta(weeks=70), NOW)  # 71 calendar weeks: two mask columns of 62 weeks
    async with community.sessions() as session:
        figures = await people_figures(session, long, HealthSection())
    assert len(figures.weekly_active) == 71
    # The last nine are the eight-week window's; before them January: Frank (week of 12 Jan), Alice and Bob
    # (week of 19 Jan), Carol (Monday 26 Jan).
    assert figures.weekly_active[-9:] == [0, 2, 1, 1, 2, 2, 4, 2, 2]
    assert figures.weekly_active[-12:-9] == [1, 2, 1] and sum(figures.weekly_active) == 20
    assert figures.active == 7  # Frank too
