"""Message ingest throughput: 100,000 f2chat messages through the whole pipeline vs plain aiosqlite executemany.

Events are built as an adapter builds them and delivered through the dispatcher's sink with bounded concurrency
(as discord.py runs each event as a task): ignore bots, recognition, batched storage and thread tracking, then the
listeners (activity replies, prompt links, capture guesses). The raw baseline inserts the same rows into the same
``messages`` schema of a fresh migrated SQLite file with aiosqlite ``executemany``. Both are run ``--repeat`` times
(each pipeline run on a fresh file, each baseline into a fresh file) and the ratio is of the medians: on shared cores
one baseline run swings by half from the next.
Run: .venv/bin/python benchmarks/ingest.py [--messages 100000] [--concurrency 256] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import event as sa_event

from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.config.settings import parse_settings
from copbot.core.events import Member, MessagePosted, Place
from copbot.core.heap import long_lived
from copbot.store import migrate
from copbot.store.engine import create_engine

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "f2chat" / "spring-boot.json"
TARGET = {"quiet": 0.10, "replying": 0.05}
"""Issue 21's floor for the ratio, bot quiet and bot replying."""
GOAL = 0.25
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ROOMS = ("general", "help", "boot")
QUIET = """
[activity.default]
offer_thread = false
suggest_entries = false
offer_share = false
suggest_experts = false
[knowledge]
guess_from_thanks = false
"""
"""The bot recognises, labels and tracks everything but keeps quiet (replies are measured with --replies)."""


def build_events(threads: list[dict[str, Any]], count: int) -> list[MessagePosted]:
    """``count`` events from the f2chat threads, reused with new ids, authors and rooms per pass.

    Odd threads become platform threads (the first message opens it, the rest are posted in it); even threads
    become reply chains (every later message replies to the one before, as Gitter users quote).
    """
    events: list[MessagePosted] = []
    moment = START
    round_ = 0
    while len(events) < count:
        for number, thread in enumerate(threads):
            room = ROOMS[number % len(ROOMS)]
            root = f"r{round_}-t{number}-m0"
            previous = root
            for index, message in enumerate(thread["messages"]):
                if len(events) == count:
                    return events
                moment += timedelta(seconds=7)
                author = Member(id=f"{message['user']}#{round_}", name=str(message["user"]))
                message_id = f"r{round_}-t{number}-m{index}"
                place = Place("bench", room)
                reply_to = None
                if index and number % 2:
                    place = place.in_thread(root)
                elif index:
                    reply_to = previous
                text = str(message.get("text") or "")
                events.append(
                    MessagePosted(
                        place=place, created_at=moment, id=message_id, author=author, text=text, reply_to=reply_to
                    )
                )
                previous = message_id
        round_ += 1
    return events


class Counter:
    """SQL statements sent (an executemany counts once), pool checkouts and new connections, from engine events."""

    def __init__(self) -> None:
        self.statements = 0
        self.checkouts = 0
        self.connections = 0

    def statement(self, *_: object) -> None:
        self.statements += 1

    def checkout(self, *_: object) -> None:
        self.checkouts += 1

    def connected(self, *_: object) -> None:
        self.connections += 1


async def pipeline(
    path: Path, events: list[MessagePosted], concurrency: int, replies: bool
) -> tuple[float, int, Counter]:
    """Seconds to deliver every event through the app's dispatcher sink; batches committed; statements counted."""
    text = f'[database]\nurl = "sqlite+aiosqlite:///{path}"\n' + ("" if replies else QUIET)
    settings = parse_settings(text, source="bench.toml")
    memory = MemoryAdapter(platform="bench")
    app = Application(settings, adapters=[memory])
    await app.start()
    assert app.dispatcher is not None
    sink = app.dispatcher.sink_for(memory)
    counter = Counter()
    assert app.engine is not None
    engine = app.engine.sync_engine
    sa_event.listen(engine, "before_cursor_execute", counter.statement)
    sa_event.listen(engine.pool, "checkout", counter.checkout)
    sa_event.listen(engine.pool, "connect", counter.connected)
    gate = asyncio.Semaphore(concurrency)

    async def deliver(event: MessagePosted) -> None:
        try:
            await sink(event)
        finally:
            gate.release()

    try:
        tasks = set()
        with long_lived():  # as ``copbot run`` runs once started
            started = time.perf_counter()
            for event in events:
                await gate.acquire()
                task = asyncio.create_task(deliver(event))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            await asyncio.gather(*tasks)
            elapsed = time.perf_counter() - started
        batches = app.dispatcher.ingest.batches
        sa_event.remove(engine, "before_cursor_execute", counter.statement)
        sa_event.remove(engine.pool, "checkout", counter.checkout)
        sa_event.remove(engine.pool, "connect", counter.connected)
    finally:
        await app.stop()
    return elapsed, batches, counter


async def raw_baseline(source: Path, target: Path) -> tuple[float, int]:
    """Seconds to insert the pipeline's members, threads and messages rows into a fresh migrated file."""
    engine = create_engine(f"sqlite+aiosqlite:///{target}")
    await migrate.upgrade(engine)
    await engine.dispose()
    tables: dict[str, tuple[list[str], list[Any]]] = {}
    async with aiosqlite.connect(source) as db:
        for table in ("members", "threads", "messages"):
            cursor = await db.execute(f"SELECT * FROM {table} ORDER BY id")
            columns = [column[0] for column in cursor.description]
            tables[table] = (columns, list(await cursor.fetchall()))
    async with aiosqlite.connect(target) as db:
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            await db.execute(f"PRAGMA {pragma}")
        started = time.perf_counter()
        for table, (columns, rows) in tables.items():
            marks = ", ".join("?" * len(columns))
            await db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        await db.commit()
        elapsed = time.perf_counter() - started
    return elapsed, len(tables["messages"][1])


def _rates(label: str, rates: list[float], unit: str) -> str:
    spread = f" (runs {' / '.join(f'{rate:,.0f}' for rate in rates)})" if len(rates) > 1 else ""
    return f"{label}: median {statistics.median(rates):,.0f} {unit}{spread}"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument("--replies", action="store_true", help="let the bot offer threads, entries and captures")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the pipeline and of the baseline (medians)")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"dataset not found at {DATA}; nothing to measure")
        return 0
    events = build_events(json.loads(DATA.read_text(encoding="utf-8")), args.messages)
    mode = "bot replying" if args.replies else "bot quiet"
    print(f"{len(events):,} events from {DATA.name}; {os.cpu_count()} CPUs; concurrency {args.concurrency}; {mode}")
    rates: list[float] = []
    raw_rates: list[float] = []
    complete = True
    with tempfile.TemporaryDirectory(prefix="copbot-ingest-") as tmp:
        for run in range(max(1, args.repeat)):
            pipeline_file = Path(tmp) / f"pipeline-{run}.sqlite3"
            seconds, batches, counter = await pipeline(pipeline_file, events, args.concurrency, args.replies)
            rates.append(len(events) / seconds)
            async with aiosqlite.connect(pipeline_file) as db:
                cursor = await db.execute("SELECT count(*), count(thread_id), count(activity) FROM messages")
                stored, threaded, labelled = await cursor.fetchone() or (0, 0, 0)
                cursor = await db.execute("SELECT count(*) FROM threads")
                (threads,) = await cursor.fetchone() or (0,)
            complete = complete and stored == len(events)
            per = 1000 / len(events)
            print(
                f"run {run + 1}: {rates[-1]:,.0f} msg/s ({seconds:.1f} s); stored {stored:,} messages ({threaded:,} "
                f"in {threads:,} threads, {labelled:,} labelled), {batches:,} batches; {counter.statements:,} SQL "
                f"statements ({counter.statements * per:.0f} per 1,000 messages), {counter.checkouts:,} pool "
                f"checkouts ({counter.checkouts * per:.1f} per 1,000), {counter.connections:,} new connections "
                f"({counter.connections * per:.1f} per 1,000)"
            )
        for run in range(max(1, args.repeat)):
            raw_seconds, raw_rows = await raw_baseline(
                Path(tmp) / "pipeline-0.sqlite3", Path(tmp) / f"raw-{run}.sqlite3"
            )
            raw_rates.append(raw_rows / raw_seconds)
    print(_rates("pipeline", rates, "msg/s") + "; " + _rates("raw executemany", raw_rates, "rows/s"))
    ratio = statistics.median(rates) / statistics.median(raw_rates)
    load = ", ".join(f"{figure:.2f}" for figure in os.getloadavg())
    target = TARGET["replying" if args.replies else "quiet"]
    verdict = "met" if ratio >= target else "missed"
    print(f"ratio {ratio:.3f} of raw, of the medians (target >= {target}, goal {GOAL}): {verdict}; load average {load}")
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
