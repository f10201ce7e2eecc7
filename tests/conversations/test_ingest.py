"""Batched ingest: concurrent messages share transactions and are tracked as one after another would be."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from copbot.adapters.memory import MemoryAdapter
from copbot.core.clock import ManualClock
from copbot.core.events import MessagePosted, Place
from copbot.store.models import Message, Thread
from tests.cast import ALICE, BOB, CAROL
from tests.community_harness import running_bot
from tests.conftest import SettingsFactory


async def test_concurrent_messages_are_tracked_in_shared_batches_as_in_sequence(
    make_settings: SettingsFactory, clock: ManualClock
) -> None:
    memory = MemoryAdapter(clock=clock)
    async with running_bot(Path(), settings=make_settings(""), clock=clock, mem=memory) as bot:
        app = bot.app
        assert app.dispatcher is not None and app.services is not None
        sink = app.dispatcher.sink_for(memory)
        room = Place("memory", "general")
        at = clock.now()
        events = [
            MessagePosted(
                place=room, created_at=at, id="q", author=ALICE, text="I'm stuck: the build fails, any ideas?"
            ),
            MessagePosted(
                place=room, created_at=at + timedelta(seconds=1), id="a", author=BOB, text="Clean it", reply_to="q"
            ),
            MessagePosted(
                place=room, created_at=at + timedelta(seconds=2), id="b", author=CAROL, text="Same", reply_to="a"
            ),
            MessagePosted(place=room, created_at=at + timedelta(seconds=3), id="r", author=BOB, text="Release notes"),
            MessagePosted(
                place=room.in_thread("r"), created_at=at + timedelta(seconds=4), id="t", author=ALICE, text="Thanks!"
            ),
        ]
        batches = app.dispatcher.ingest.batches
        await asyncio.gather(*(sink(event) for event in [*events, events[1]]))  # "a" delivered twice
        assert app.dispatcher.ingest.batches - batches < len(events)
        async with app.services.sessions() as session:
            messages = {m.external_id: m for m in await session.scalars(select(Message))}
            threads = {t.thread_key: t for t in await session.scalars(select(Thread))}
    assert sorted(messages) == ["a", "b", "q", "r", "t"]
    chain, platform = threads["q"], threads["r"]
    assert {messages[key].thread_id for key in ("q", "a", "b")} == {chain.id}
    assert {messages[key].thread_id for key in ("r", "t")} == {platform.id}
    assert chain.asker_id == messages["q"].author_id and platform.asker_id == messages["r"].author_id
    assert messages["q"].activity == "problem_solving" and messages["q"].activity_reason
    assert chain.activity is not None and chain.last_message_at == events[2].created_at
