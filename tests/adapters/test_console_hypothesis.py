"""Random chat as bytes through a real pipe into the console adapter, on both stores.

Any Unicode, NUL and other control characters, bytes that are not UTF-8 and huge lines: no traceback or error is
logged, every line the console took in as a message is stored (cleaned), and every /search and /ask is answered
within the search budget.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from copbot.adapters.console import MAX_LINE_BYTES, ConsoleAdapter
from copbot.adapters.ids import id_ledger
from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.core.events import AnyEvent, CommandInvoked
from copbot.core.text import clean_text
from copbot.store.models import Message
from tests.knowledge.test_import_hypothesis import TEXT
from tests.knowledge.test_search_budget import SEARCH_BUDGET_SECONDS

MANY_LINES = 20
"""A text breaking into more lines than this is kept on one line: a huge text repeats a short word up to 30,000 times,
and a word holding a line break would make it 30,000 chat messages posted one after another (minutes of ingest, not
what this test is about)."""


def _few_lines(text: str) -> str:
    return text if text.count("\n") <= MANY_LINES else text.replace("\n", " ")


CONSOLE_TEXT = TEXT.map(_few_lines)
LINE = st.one_of(
    CONSOLE_TEXT.map(lambda text: text.encode("utf-8", "surrogatepass")),  # a lone surrogate: bytes UTF-8 forbids
    st.binary(max_size=300),
    CONSOLE_TEXT.map(lambda text: b"/ask " + text.encode("utf-8", "surrogatepass")),
    CONSOLE_TEXT.map(lambda text: b"/search\t" + text.encode("utf-8", "surrogatepass")),
)


def expected_lines(script: bytes) -> list[str]:
    """The lines the console should take in, as it decodes them (console commands and comments aside)."""
    lines = [raw.decode("utf-8", "replace").strip() for raw in script.split(b"\n") if len(raw) < MAX_LINE_BYTES]
    return [line for line in lines if line and not line.startswith(("#", ":"))]


def feed(script: bytes) -> io.TextIOWrapper:
    """A pipe that delivers ``script`` (written from a thread, as another process would) and then ends."""
    read_end, write_end = os.pipe()

    def write() -> None:
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(script)

    threading.Thread(target=write, daemon=True).start()
    return open(read_end, encoding="utf-8")  # the console's pipe transport closes it


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
          HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
@given(lines=st.lists(LINE, min_size=1, max_size=6), overlong=st.integers(0, 4))
async def test_random_bytes_through_a_pipe_into_the_console(
    running: tuple[Application, MemoryAdapter], caplog: pytest.LogCaptureFixture, lines: list[bytes], overlong: int
) -> None:
    app, _ = running
    assert app.services is not None and app.dispatcher is not None
    # A line starting with ':' is a console command (':quit' would end the input): chat never starts with one here.
    script = b"\n".join(b"x" + line if line.lstrip().startswith(b":") else line for line in lines) + b"\n"
    if overlong == 0:  # now and then a line over the console's limit, which it skips with a note
        script = b"y" * (MAX_LINE_BYTES + 1) + b"\n" + script
    out = io.StringIO()
    console = ConsoleAdapter(stdin=feed(script), stdout=out, ledger=id_ledger(app.services, "console"))
    sink = app.dispatcher.sink_for(console)
    answered: list[float] = []

    async def timed(event: AnyEvent) -> None:
        started = time.perf_counter()
        await sink(event)
        if isinstance(event, CommandInvoked) and event.name in ("search", "ask"):
            answered.append(time.perf_counter() - started)

    caplog.clear()
    with caplog.at_level(logging.ERROR):
        await console.start(timed)
        await asyncio.wait_for(console.wait_closed(), timeout=120)
        await console.stop()
    assert not [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert "Traceback" not in out.getvalue() and "failed on my side" not in out.getvalue()
    taken = [posted for posted in console.log if not posted.author.is_bot]
    assert [posted.text for posted in taken] == expected_lines(script), "every line taken in, none split or lost"
    chat = {p.id: clean_text(p.text) for p in taken if console.commands.recognise(p.text) is None}
    async with app.services.sessions() as session:
        rows = await session.execute(select(Message.external_id, Message.text).where(Message.external_id.in_(chat)))
        stored = dict(rows.all())
    assert stored == chat, "every message the console took in is stored, cleaned"
    assert all(seconds < SEARCH_BUDGET_SECONDS for seconds in answered), answered
