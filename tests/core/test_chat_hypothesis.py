"""Random chat through ingest and commands on both stores: no error, every message stored, every search in budget."""

from __future__ import annotations

import logging
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.core.text import clean_text
from copbot.store.models import Message
from tests.cast import ALICE, BOB
from tests.knowledge.test_import_hypothesis import TEXT
from tests.knowledge.test_search_budget import SEARCH_BUDGET_SECONDS


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
          HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
@given(chat=st.lists(TEXT.filter(lambda text: not text.lstrip().startswith(("/", "!"))), min_size=1, max_size=4),
       question=TEXT)  # fmt: skip
async def test_random_chat_is_stored_and_answered_without_error(
    running: tuple[Application, MemoryAdapter], caplog: pytest.LogCaptureFixture, chat: list[str], question: str
) -> None:
    app, mem = running
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        ask = await mem.command(ALICE, f"/ask {question}")
        posted = [await mem.post(BOB, text, thread=ask.id) for text in chat]
        started = time.perf_counter()
        await mem.command(ALICE, f"/search {question}")
        assert time.perf_counter() - started < SEARCH_BUDGET_SECONDS
    assert not [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert app.services is not None
    async with app.services.sessions() as session:
        rows = await session.execute(
            select(Message.external_id, Message.text).where(Message.external_id.in_([p.id for p in posted]))
        )
        stored = dict(rows.all())
    assert stored == {event.id: clean_text(event.text) for event in posted}
