"""Random chat through the import path on both stores: no traceback, no good line lost, every search in budget."""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.core.text import clean_text
from copbot.knowledge.interchange.jsonl import import_lines
from copbot.knowledge.search.backend import search
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory
from copbot.store.models import KnowledgeEntry
from tests.knowledge.test_search_budget import SEARCH_BUDGET_SECONDS

CHAT = st.text(
    alphabet=st.characters() | st.integers(0xD800, 0xDFFF).map(chr) | st.sampled_from("\x00\x01\x1b\x7f\u202e\ufeff"),
    max_size=300,
)
"""Any Unicode, with NUL, other control characters and lone surrogates drawn often."""
HUGE = st.builds(lambda word, times: (word + " ") * times, st.text(min_size=1, max_size=12), st.integers(1, 30_000))
"""A huge line: one short word (any characters) repeated up to 30,000 times."""
TEXT = CHAT | HUGE
GARBAGE = st.binary(max_size=200) | st.text(max_size=200).map(str.encode)
"""Lines that are not a record at all (most of them)."""
_numbers = itertools.count()


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    record: dict[str, Any] = {"id": f"h{next(_numbers)}", "title": draw(TEXT), "question": draw(TEXT)}
    record["answers"] = draw(st.lists(TEXT, max_size=2))
    record["messages"] = [{"author": draw(CHAT), "text": text} for text in draw(st.lists(TEXT, max_size=3))]
    record["tags"] = draw(st.lists(st.text(max_size=20), max_size=2))
    return record


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


def encoded(record: dict[str, Any], ascii_only: bool) -> bytes:
    """The record as a UTF-8 JSON line; text UTF-8 cannot hold (a lone surrogate) is written as a JSON escape."""
    try:
        return json.dumps(record, ensure_ascii=ascii_only).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(record).encode("utf-8")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
          HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
@given(good=st.lists(records(), min_size=1, max_size=4), bad=st.lists(GARBAGE, max_size=3), data=st.data())
async def test_random_chat_imports_without_loss_and_searches_in_budget(
    sessions: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
    good: list[dict[str, Any]],
    bad: list[bytes],
    data: st.DataObject,
) -> None:
    lines = [encoded(record, data.draw(st.booleans())) for record in good]
    for garbage in bad:
        lines.insert(data.draw(st.integers(0, len(lines))), garbage)
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        report = await import_lines(sessions, lines)
    assert not [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR], "no traceback"
    good_numbers = {number for number, line in enumerate(lines, start=1) if line in [encoded(r, a) for r in good
                    for a in (True, False)]}  # fmt: skip
    assert not {number for number, _ in report.errors} & good_numbers, report.errors
    assert report.created == len(good)
    async with sessions() as session:
        stored = dict((await session.execute(select(KnowledgeEntry.public_id, KnowledgeEntry.title))).all())
    for record, line in zip(good, [line for line in lines if line not in bad], strict=True):
        assert stored[record["id"]] == clean_text(json.loads(line)["title"])  # as JSON reads it: \ud800\udc00 is one
    for record in good:
        for text in (record["title"], record["question"][:200]):
            async with sessions() as session:
                started = time.perf_counter()
                await search(session, text)
                assert time.perf_counter() - started < SEARCH_BUDGET_SECONDS
