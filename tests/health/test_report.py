"""The assembled report: JSON data, the week-over-week summary, and the privacy rule (aggregates, opted-in names)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, select, update

from copbot.config.settings import HealthSection
from copbot.health.report import as_data, build_report, weekly_summary
from copbot.health.repository import GapTopic
from copbot.health.window import Window
from copbot.store.models import EntryMessage, Member, Message, Thread
from tests.health.history import NOW, SINCE, Community, replayed

WINDOW = Window(SINCE, NOW)
OTHERS = ("Bob", "Carol", "Dave", "Erin", "Frank", "Gina", "Hank", "Botty")


@pytest.fixture
async def community(database_url: str) -> AsyncIterator[Community]:
    async for stored in replayed(database_url):
        yield stored


async def report_text(community: Community) -> str:
    async with community.sessions() as session:
        return json.dumps(as_data(await build_report(session, WINDOW, HealthSection())), sort_keys=True)


async def test_the_week_against_the_week_before(community: Community) -> None:
    async with community.sessions() as session:
        text = await weekly_summary(session, NOW, HealthSection(), None, [GapTopic("kubernetes", 3, 1)])
    # This week (23-30 Mar): T8 and T5, replies after 1 h and 6 h; Carol, Alice, Bob; E3; R1 drew 2 replies.
    # The week before (16-23 Mar): T3 and T4, only T3 replied (48 h), both unanswered after a day;
    # Dave, Bob, Gina, Hank with Hank new; E4; R2 drew none.
    assert text.splitlines() == [
        "Community health, 23 Mar to 30 Mar 2026:",
        "  Help requests: 2 (same as the week before)",
        "  Median time to first reply: 3.5 h (-44.5 h on the week before)",
        "  Unanswered after 1 day: 0.0% (-100.0% on the week before)",
        "  Answered from the repository: 0.0% (same as the week before)",
        "  Active members: 3 (-1 on the week before)",
        "  Newcomers: 0 (-1 on the week before)",
        "  Entries added: 1 (same as the week before)",
        "  Replies to prompts: 2 (+2 on the week before)",
        "Not seen this week: request for information, seeking experience, reusing assets, coordination, "
        "building an argument, growing confidence, discussing developments, documenting projects, identifying gaps.",
        "Topics only one person answers: docker (Alice).",
        "Open topics with few answerers: kubernetes (3 open).",
    ]


async def test_json_data_holds_every_family_and_the_weeks(community: Community) -> None:
    data = json.loads(await report_text(community))
    assert set(data) == {"window", "help", "practice", "people", "repository", "rhythm"}
    assert data["window"]["weeks"][0] == "2026-02-02T00:00:00+00:00" and len(data["window"]["weeks"]) == 9
    assert data["help"]["unanswered_7d"] == {"count": 1, "total": 4, "ratio": 0.25}
    assert data["people"]["levels"] == {"core": 0, "active": 4, "occasional": 1, "peripheral": 1}


async def test_opted_out_messages_change_no_figure(community: Community) -> None:
    before = await report_text(community)
    erin = community.members["erin"]
    async with community.sessions.begin() as session:
        await session.execute(delete(Message).where(Message.author_id == erin))
        await session.execute(delete(EntryMessage).where(EntryMessage.author_id == erin))
        await session.execute(delete(Thread).where(Thread.asker_id == erin))
    assert await report_text(community) == before


async def test_bots_change_no_figure(community: Community) -> None:
    before = await report_text(community)
    async with community.sessions.begin() as session:
        await session.execute(delete(Message).where(Message.author_id == community.members["botty"]))
    assert await report_text(community) == before


async def test_only_members_who_opted_in_are_named(community: Community) -> None:
    text = await report_text(community)
    assert "Alice" in text
    assert not [name for name in OTHERS if name in text]
    async with community.sessions.begin() as session:
        await session.execute(update(Member).values(suggest_opt_in=False))
        assert await session.scalar(select(Member.id).where(Member.suggest_opt_in.is_(True))) is None
    assert "Alice" not in await report_text(community)
