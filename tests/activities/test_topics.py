"""Open topics for prompts (help requests and gaps grouped by tag or keyword) and the per-member cool-down."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from copbot.activities.cooldown import Cooldown
from copbot.activities.topics import open_topics
from copbot.adapters.memory import MemoryAdapter
from copbot.core.clock import ManualClock
from copbot.core.words import topics_of
from copbot.knowledge.entries import EntryDraft, save_entry
from copbot.members.visibility import Audience
from copbot.store.models import Thread
from tests.cast import ALICE, BOB, CAROL
from tests.community_harness import running_bot
from tests.conftest import SettingsFactory


def test_topics_of_prefer_known_tags_then_keywords() -> None:
    tags = frozenset({"irrigation", "python"})
    assert topics_of("Stuck with drip irrigation timers, any ideas?", tags) == ["irrigation"]
    assert topics_of("I'm stuck: the greenhouse heater keeps tripping the fuse", tags) == [
        "greenhouse",
        "heater",
        "tripping",
    ]
    assert topics_of("help?", tags) == []


async def test_open_topics_groups_unanswered_help_requests_and_gaps(
    make_settings: SettingsFactory, clock: ManualClock
) -> None:
    mem = MemoryAdapter(clock=clock)
    async with running_bot(
        Path(), settings=make_settings("[activity]\ncooldown_minutes = 0\n"), clock=clock, mem=mem
    ) as bot:
        app = bot.app
        assert app.services is not None
        async with app.services.sessions.begin() as session:
            await save_entry(session, EntryDraft(title="Drip lines", question="Drip lines", tags=["irrigation"]))
        start = clock.now()
        old = await mem.post(ALICE, "Where can I find the irrigation rota?")
        clock.advance(timedelta(days=10))
        await mem.post(ALICE, "I'm stuck: the irrigation pump keeps failing. Any ideas?")
        clock.advance(timedelta(hours=1))
        await mem.post(BOB, "What are we missing? Nobody seems to know about irrigation.")
        clock.advance(timedelta(hours=1))
        answered = await mem.post(CAROL, "My compost heap smells terrible, what am I doing wrong?")
        clock.advance(timedelta(hours=1))
        await mem.post(CAROL, "Lovely weather at the plot this morning!")
        async with app.services.sessions.begin() as session:
            thread = await session.scalar(select(Thread).where(Thread.thread_key == answered.id))
            assert thread is not None
            thread.status = "answered"

        async with app.services.sessions() as session:
            everyone = Audience.operator()
            everything = await open_topics(session, "memory", clock.now(), everyone)
            later = await open_topics(session, "memory", start + timedelta(days=40), everyone)
            elsewhere = await open_topics(session, "matrix", clock.now(), everyone)

        by_name = {topic.name: topic for topic in everything}
        irrigation = by_name["irrigation"]
        assert (irrigation.questions, irrigation.named, irrigation.is_gap) == (3, 1, True)
        assert irrigation.oldest is not None and irrigation.oldest.thread_key == old.id
        assert everything[0] is irrigation
        assert "compost" not in by_name and "weather" not in by_name
        assert [(t.name, t.questions) for t in later if t.name == "irrigation"] == [("irrigation", 2)]
        assert elsewhere == []


async def test_open_topics_rejects_naive_since(make_settings: SettingsFactory, clock: ManualClock) -> None:
    async with running_bot(Path(), settings=make_settings(""), clock=clock, mem=MemoryAdapter(clock=clock)) as bot:
        app = bot.app
        assert app.services is not None
        async with app.services.sessions() as session:
            with pytest.raises(ValueError, match="aware"):
                await open_topics(session, "memory", clock.now().replace(tzinfo=None), Audience.operator())


def test_cooldown_waits_per_member(clock: ManualClock) -> None:
    cooldown = Cooldown(30, clock)
    assert cooldown.try_take("alice")
    assert not cooldown.try_take("alice")
    assert cooldown.try_take("bob")
    clock.advance(timedelta(minutes=29, seconds=59))
    assert not cooldown.ready("alice")
    clock.advance(timedelta(seconds=1))
    assert cooldown.ready("alice") and cooldown.try_take("alice")


def test_cooldown_memory_is_bounded_and_expired_members_are_forgotten(clock: ManualClock) -> None:
    cooldown = Cooldown(10, clock, max_tracked=3)
    for name in "abcde":
        cooldown.mark(name)
    assert len(cooldown) == 3
    assert cooldown.ready("a") and not cooldown.ready("e")
    clock.advance(timedelta(minutes=11))
    cooldown.mark("f")
    assert len(cooldown) == 1


def test_zero_cooldown_never_blocks_and_keeps_nothing(clock: ManualClock) -> None:
    cooldown = Cooldown(0, clock)
    assert cooldown.try_take("alice") and cooldown.try_take("alice")
    assert len(cooldown) == 0
    with pytest.raises(ValueError):
        Cooldown(-1, clock)
