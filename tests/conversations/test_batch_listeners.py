"""Listeners batch with ingest: hooks read for a whole batch in its transaction, listeners' writes share one later."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy import event as sa_event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.conversations.batch import Batch, Fact
from copbot.conversations.batcher import IngestBatcher
from copbot.core.clock import ManualClock
from copbot.core.events import MessagePosted, Place
from copbot.store.models import CaptureProposal, Message, Thread
from tests.cast import ALICE, BOB, CAROL
from tests.community_harness import running_bot
from tests.conftest import SettingsFactory

STORED: Fact[int] = Fact("test: messages of the batch visible in its transaction")
PROPOSALS = cast(Table, CaptureProposal.__table__)


class Recording:
    """A hook that notes how many of its batch's messages its own transaction already sees."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    async def after_write(self, session: AsyncSession, batch: Batch) -> None:
        ids = [event.id for event in batch.events]
        self.batches.append(ids)
        seen = select(func.count()).select_from(Message).where(Message.external_id.in_(ids))
        batch.note(STORED, int(await session.scalar(seen) or 0))


def statements(app: Application, prefix: str) -> list[str]:
    """Collects the SQL statements ``app`` sends that start with ``prefix`` (call ``.clear()`` to reset)."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().startswith(prefix) or prefix in statement:
            sent.append(statement)

    assert app.engine is not None
    sa_event.listen(app.engine.sync_engine, "before_cursor_execute", record)
    return sent


def chain(room: Place, at: Any) -> list[MessagePosted]:
    """A question and two replies to it."""
    said = [(ALICE, "How do I rotate the logs?", None), (BOB, "logrotate", "q"), (CAROL, "Or journald", "q")]
    return [
        MessagePosted(place=room, created_at=at + timedelta(seconds=n), id=key, author=who, text=text, reply_to=to)
        for n, (key, (who, text, to)) in enumerate(zip("qab", said, strict=True))
    ]


async def test_hooks_see_the_whole_batch_and_inserts_share_one_statement(
    make_settings: SettingsFactory, clock: ManualClock
) -> None:
    async with running_bot(Path(), settings=make_settings(""), clock=clock) as bot:
        app = bot.app
        assert app.services is not None
        hook = Recording()
        batcher = IngestBatcher(app.services.sessions, hooks=[hook])
        results = await asyncio.gather(
            *(batcher.track(event) for event in chain(Place("memory", "general"), clock.now()))
        )
        assert hook.batches == [["q", "a", "b"]]
        batch = results[0].batch
        assert batch is not None and all(result.batch is batch for result in results)
        assert batch.get(STORED) == 3
        thread = results[1].tracked.thread
        assert thread is not None and thread.id is not None
        inserts = statements(app, "INSERT INTO capture_proposals")
        rows = [
            {"thread_id": thread.id, "prompt_message_id": f"p{n}", "answer_message_ids": "a",
             "asker_external_id": ALICE.id, "status": "pending", "created_at": clock.now()}
            for n in range(3)
        ]  # fmt: skip
        await asyncio.gather(*(batch.insert(PROPOSALS, row) for row in rows))
        assert len(inserts) == 1  # one executemany for the three rows, committed before the callers returned
        async with app.services.sessions() as session:
            stored = await session.scalars(select(CaptureProposal.prompt_message_id).order_by(CaptureProposal.id))
            assert list(stored) == ["p0", "p1", "p2"]


async def test_a_failing_write_fails_alone(make_settings: SettingsFactory, clock: ManualClock) -> None:
    async with running_bot(Path(), settings=make_settings(""), clock=clock) as bot:
        app = bot.app
        assert app.services is not None
        batcher = IngestBatcher(app.services.sessions)
        broken = {"thread_id": None, "prompt_message_id": "p", "status": "pending"}  # no thread: a NOT NULL column

        q, a, b = chain(Place("memory", "general"), clock.now())
        outcome = await asyncio.gather(batcher.track(q), batcher.insert(PROPOSALS, broken), batcher.track(a),
                                       batcher.track(b), return_exceptions=True)  # fmt: skip
        assert isinstance(outcome[1], IntegrityError)
        assert [getattr(result, "fresh", None) for result in (outcome[0], *outcome[2:])] == [True, True, True]
        async with app.services.sessions() as session:
            assert sorted(await session.scalars(select(Message.external_id))) == ["a", "b", "q"]
            assert await session.scalar(select(func.count()).select_from(Thread)) == 1


async def test_two_thanks_in_one_batch_make_one_guess(running: tuple[Application, MemoryAdapter]) -> None:
    app, mem = running
    ask = await mem.post(ALICE, "How do I configure the proxy for pip behind the corporate firewall?")
    await mem.post(BOB, "Set HTTPS_PROXY before running pip install.", reply_to=ask.id)
    mem.clear()
    batches = app.dispatcher.ingest.batches if app.dispatcher is not None else 0
    await asyncio.gather(
        mem.post(ALICE, "Thanks Bob, that worked!", reply_to=ask.id), mem.post(ALICE, "Thank you!", reply_to=ask.id)
    )
    assert app.dispatcher is not None and app.dispatcher.ingest.batches == batches + 1
    assert len([text for text in mem.said() if "React ✅" in text]) == 1
    assert app.services is not None
    async with app.services.sessions() as session:
        [proposal] = await session.scalars(select(CaptureProposal))
    assert proposal.status == "pending" and proposal.asker_external_id == ALICE.id
    assert proposal.answer_message_ids  # Bob's reply is credited


async def test_no_search_for_suggestions_while_nothing_is_answered(
    running: tuple[Application, MemoryAdapter],
) -> None:
    app, mem = running
    searches = statements(app, "search_fts")
    await mem.post(ALICE, "I'm stuck: the build fails with a linker error, any ideas?")
    assert searches == []  # no answered entry: the batch looked once and searched nothing
    assert any("I opened a thread" in text for text in mem.said())
