"""The gap list the report shows (the gap prompt's topics) on the replayed history, counted by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from copbot.health.repository import GapTopic
from copbot.prompts.kinds import health_gaps
from tests.health.history import NOW, Community, replayed


@pytest.fixture
async def community(database_url: str) -> AsyncIterator[Community]:
    async for stored in replayed(database_url):
        yield stored


async def test_open_kubernetes_questions_and_the_people_answering_them(community: Community) -> None:
    async with community.sessions() as session:
        gaps = await health_gaps(session, "memory", NOW)
    # Open help requests of the last 30 days about kubernetes: T3 (Dave), T4 (Bob), T8 (Carol). Replies from
    # someone other than the asker: Bob on T3 and Alice on T8. The bot's reply and Erin's (she opted out) on T3 are
    # nobody answering; counting them would make 4 answerers for 3 questions, and the topic would not be a gap.
    assert gaps == [GapTopic("kubernetes", 3, 2)]


async def test_a_topic_is_no_gap_once_as_many_people_answer_as_there_are_questions(community: Community) -> None:
    from sqlalchemy import update

    from copbot.store.models import Message, Thread

    async with community.sessions.begin() as session:
        t4 = community.threads["T4"]
        await session.execute(
            update(Message).where(Message.author_id == community.members["gina"]).values(thread_id=t4)
        )
        assert await session.get(Thread, t4) is not None
    async with community.sessions() as session:
        assert await health_gaps(session, "memory", NOW) == []  # Gina now answers T4: 3 people for 3 questions
