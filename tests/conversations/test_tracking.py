"""Thread tracking: reply chains and platform threads, edits, deletions, and members who opted out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.core.clock import ManualClock
from copbot.store.models import Member, Message, Thread
from tests.cast import ALICE, BOB, CAROL
from tests.community_harness import running_bot
from tests.conftest import SettingsFactory


@pytest.fixture
async def running(
    make_settings: SettingsFactory, clock: ManualClock
) -> AsyncIterator[tuple[Application, MemoryAdapter]]:
    """The app with activity recognition off, so only tracking acts on messages."""
    memory = MemoryAdapter(clock=clock)
    async with running_bot(
        Path(), settings=make_settings("[activity]\nenabled = false\n"), clock=clock, mem=memory
    ) as bot:
        app = bot.app
        yield app, memory


async def _messages(app: Application) -> dict[str, Message]:
    assert app.services is not None
    async with app.services.sessions() as session:
        return {m.external_id: m for m in await session.scalars(select(Message))}


async def _threads(app: Application) -> list[Thread]:
    assert app.services is not None
    async with app.services.sessions() as session:
        return list(await session.scalars(select(Thread).order_by(Thread.id)))


async def test_reply_chain_becomes_one_thread_rooted_at_the_first_message(
    running: tuple[Application, MemoryAdapter],
) -> None:
    app, mem = running
    question = await mem.post(ALICE, "Does anyone have a rota template for night shifts?")
    answer = await mem.post(BOB, "Yes, I will send it", reply_to=question.id)
    follow_up = await mem.post(CAROL, "Me too please", reply_to=answer.id)
    unrelated = await mem.post(CAROL, "Lunch anyone?")
    threads = await _threads(app)
    assert len(threads) == 1, [(t.thread_key, t.is_platform_thread, t.root_message_id) for t in threads]
    thread = threads[0]
    assert (thread.thread_key, thread.root_message_id, thread.is_platform_thread) == (question.id, question.id, False)
    assert thread.title == "Does anyone have a rota template for night shifts?"
    messages = await _messages(app)
    assert {messages[e.id].thread_id for e in (question, answer, follow_up)} == {thread.id}
    assert messages[unrelated.id].thread_id is None
    assert app.services is not None
    async with app.services.sessions() as session:
        asker = await session.get(Member, thread.asker_id)
    assert asker is not None and asker.external_id == ALICE.id


async def test_platform_thread_opened_on_a_message_adopts_it_as_root(
    running: tuple[Application, MemoryAdapter],
) -> None:
    app, mem = running
    root = await mem.post(ALICE, "Seedlings keep wilting after transplanting")
    await mem.post(BOB, "Harden them off for a week first", thread=root.id)
    await mem.post(BOB, "And water before you move them", thread=root.id)
    (thread,) = await _threads(app)
    assert (thread.thread_key, thread.root_message_id, thread.is_platform_thread) == (root.id, root.id, True)
    messages = await _messages(app)
    assert all(m.thread_id == thread.id for m in messages.values())


async def test_edits_and_deletions_reach_the_stored_messages(running: tuple[Application, MemoryAdapter]) -> None:
    app, mem = running
    first = await mem.post(ALICE, "Where is the consent form?")
    second = await mem.post(BOB, "In the shared drive", reply_to=first.id)
    await mem.edit_as(ALICE, first.id, "Where is the parental consent form?")
    await mem.delete(second.id)
    messages = await _messages(app)
    assert messages[first.id].text == "Where is the parental consent form?"
    assert messages[first.id].edited_at is not None
    assert messages[second.id].text == "" and messages[second.id].deleted_at is not None
    (thread,) = await _threads(app)
    assert thread.title == "Where is the parental consent form?"


async def test_the_same_message_delivered_twice_is_stored_once(running: tuple[Application, MemoryAdapter]) -> None:
    app, mem = running
    event = await mem.post(ALICE, "hello")
    await mem.deliver(event)
    assert list(await _messages(app)) == [event.id]


async def test_members_who_opted_out_keep_no_text_in_the_chat_log(running: tuple[Application, MemoryAdapter]) -> None:
    app, mem = running
    await mem.command(BOB, "/privacy stop")
    posted = await mem.post(BOB, "my private musings")
    await mem.edit_as(BOB, posted.id, "still private")
    kept = await mem.post(ALICE, "a normal message")
    messages = await _messages(app)
    assert messages[posted.id].text == ""
    assert messages[kept.id].text == "a normal message"


async def test_messages_from_bots_are_ignored(running: tuple[Application, MemoryAdapter]) -> None:
    app, mem = running
    from copbot.core.events import Member as EventMember

    other_bot = EventMember(id="bot-2", name="helperbot", is_bot=True)
    await mem.post(other_bot, "I'm stuck, any ideas?")
    await mem.command(other_bot, "/ask anything")
    assert await _messages(app) == {}
    assert mem.said() == [] and mem.private() == []
