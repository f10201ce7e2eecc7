"""A batch writes its threads' state in one UPDATE, and only the columns it changed on each thread."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from copbot.adapters.memory import MemoryAdapter
from copbot.conversations.rows import batch_thread_updates
from copbot.core.clock import ManualClock
from copbot.core.events import MessagePosted, Place
from copbot.store.models import Thread
from tests.cast import ALICE, BOB
from tests.community_harness import running_bot
from tests.conftest import SettingsFactory


async def test_thread_updates_write_only_what_changed(make_settings: SettingsFactory, clock: ManualClock) -> None:
    memory = MemoryAdapter(clock=clock)
    async with running_bot(Path(), settings=make_settings(""), clock=clock, mem=memory) as bot:
        app = bot.app
        assert app.dispatcher is not None and app.services is not None
        sink = app.dispatcher.sink_for(memory)
        room, at = Place("memory", "general"), clock.now()
        for number in (1, 2):
            await sink(MessagePosted(place=room, created_at=at, id=f"q{number}", author=ALICE, text="Release notes"))
            await sink(
                MessagePosted(place=room, created_at=at + timedelta(seconds=1), id=f"a{number}", author=BOB,
                              text="Thanks", reply_to=f"q{number}")
            )  # fmt: skip
        later = at + timedelta(hours=1)
        async with app.services.sessions.begin() as session:
            first, second = await session.scalars(select(Thread).order_by(Thread.thread_key))
            # Another writer changes both threads after this session loaded them (its objects are now stale).
            await session.execute(update(Thread).values(activity="reusing_assets", is_help_request=True))
            first.last_message_at = later  # a new message only
            second.last_message_at = later  # a new message, and the thread relabelled
            second.activity, second.activity_confidence = "documenting_projects", 0.75
            await batch_thread_updates(session)
            assert not session.dirty  # nothing is left for the flush to write again
        async with app.services.sessions() as session:
            first, second = await session.scalars(select(Thread).order_by(Thread.thread_key))
        assert (first.last_message_at, first.activity, first.is_help_request) == (later, "reusing_assets", True)
        assert (second.last_message_at, second.activity, second.activity_confidence) == (
            later,
            "documenting_projects",
            0.75,
        )
        assert second.is_help_request  # not changed by the batch, so not written back as the stale False
