"""A short thread's label is the same whether its messages come one per batch, all in one, or some of each."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from copbot.adapters.memory import MemoryAdapter
from copbot.core.clock import ManualClock
from copbot.core.events import Member, MessagePosted, Place
from copbot.store.models import Thread
from tests.cast import ALICE, BOB, CAROL
from tests.community_harness import running_bot
from tests.conftest import SettingsFactory

TEXTS: list[tuple[Member, str]] = [
    (ALICE, "hi all"),
    (ALICE, "Where can I find the docs for the release?"),
    (BOB, "Happy to share our release checklist, no need to reinvent the wheel"),
    (CAROL, "I have a template from last year you can tweak"),
    (BOB, "Feel free to use my notes for the migration"),
    (ALICE, "Has anyone dealt with a flaky deploy on Fridays?"),
    (CAROL, "We documented the whole setup in the wiki page"),
]


def _chain(room: str, at_seconds: int, clock: ManualClock) -> list[MessagePosted]:
    """A reply chain of TEXTS in ``room`` (longer than a relabelled thread gets)."""
    start, events = clock.now() + timedelta(seconds=at_seconds), []
    for number, (author, text) in enumerate(TEXTS):
        events.append(
            MessagePosted(
                place=Place("memory", room),
                created_at=start + timedelta(seconds=number),
                id=f"{room}-{number}",
                author=author,
                text=text,
                reply_to=f"{room}-{number - 1}" if number else None,
            )
        )
    return events


async def test_a_thread_relabelled_across_batches_ends_as_in_one(
    make_settings: SettingsFactory, clock: ManualClock
) -> None:
    memory = MemoryAdapter(clock=clock)
    async with running_bot(Path(), settings=make_settings(""), clock=clock, mem=memory) as bot:
        app = bot.app
        assert app.dispatcher is not None and app.services is not None
        sink = app.dispatcher.sink_for(memory)
        for event in _chain("alone", 0, clock):  # one batch each: the thread is stored, counted and read back
            await sink(event)
        await asyncio.gather(*(sink(event) for event in _chain("together", 100, clock)))  # made in one batch
        mixed = _chain("mixed", 200, clock)
        for event in mixed[:2]:
            await sink(event)
        await asyncio.gather(*(sink(event) for event in mixed[2:]))  # a short stored thread gets the rest at once
        async with app.services.sessions() as session:
            threads = {t.room: t for t in await session.scalars(select(Thread))}
    labels = {room: (t.activity, t.activity_confidence, t.is_help_request) for room, t in threads.items()}
    assert labels["alone"][0] is not None and labels["alone"][2]  # the second message made it a help request
    assert labels["together"] == labels["alone"]
    assert labels["mixed"] == labels["alone"]
