"""Backfill throughput: a DiscordChatExporter file built from the f2chat threads, through `copbot backfill --from`'s
code (file parsed, batched ingest, checkpoints, answered-thread detection), against raw ``executemany`` of the same
rows into the same schema in the same run; and the detection's precision and recall on a replay of known answers.

The file is one help channel: each f2chat thread is a reply chain (every later message replies to the one before, as
Gitter users quote), repeated with fresh ids and authors until the count is reached. f2chat has no solved markers, so
the replay marks known answers itself: in every third thread (chosen by a hash of its id) the asker reacts ✅ to the
first reply by someone else, and in every 20th the first reply is pinned. Precision and recall of the ✅ and pin
signals are measured against those marks; the thanks rule finds answers in the threads' own words, with no ground
truth, so its count is reported by the threads' f2chat intention.
Run: .venv/bin/python benchmarks/backfill.py [--messages 1000000] [--stores sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from copbot.backfill.exports import read_exports
from copbot.backfill.queue import Queue
from copbot.backfill.run import Backfill
from copbot.config.settings import parse_settings
from copbot.store import migrate
from copbot.store.backfill import BackfillCandidate
from copbot.store.engine import create_engine, session_factory
from copbot.store.models import Thread

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "f2chat" / "spring-boot.json"
START = datetime(2020, 1, 6, 9, 0, tzinfo=UTC)
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DATABASE = "copbot_bench_backfill"
TABLES = ("members", "threads", "messages")


def marked(thread_id: str, every: int) -> bool:
    return int(hashlib.sha1(thread_id.encode()).hexdigest(), 16) % every == 0


def build_export(threads: list[dict[str, Any]], count: int, path: Path) -> dict[str, tuple[str, str]]:
    """Write the export; returns root message id -> (known mark: "reaction", "pinned" or "", f2chat intention)."""
    messages: list[dict[str, Any]] = []
    truth: dict[str, tuple[str, str]] = {}
    moment, round_, next_id = START, 0, 10**12
    while len(messages) < count:
        for thread in threads:
            users = [str(m["user"]) for m in thread["messages"]]
            asker = users[0]
            react, pin = marked(f"{round_}-{thread['id']}", 3), marked(f"{round_}-{thread['id']}", 20)
            root = previous = ""
            done_mark = False
            for index, message in enumerate(thread["messages"]):
                if len(messages) == count:
                    break
                moment += timedelta(seconds=7)
                ident, next_id = str(next_id), next_id + 1
                user = str(message["user"])
                first_reply = index > 0 and user != asker and not done_mark
                reactions = []
                if first_reply and react:
                    reactions = [{"emoji": {"id": None, "name": "✅", "code": "white_check_mark"}, "count": 1,
                                  "users": [{"id": f"{asker}#{round_}", "name": asker, "isBot": False}]}]  # fmt: skip
                raw = {
                    "id": ident, "type": "Reply" if index else "Default", "timestamp": moment.isoformat(),
                    "timestampEdited": None, "isPinned": bool(first_reply and pin and not react),
                    "content": str(message.get("text") or ""),
                    "author": {"id": f"{user}#{round_}", "name": user, "nickname": user, "isBot": False},
                    "attachments": [], "embeds": [], "stickers": [], "reactions": reactions, "mentions": [],
                }  # fmt: skip
                if index:
                    raw["reference"] = {"messageId": previous, "channelId": "100", "guildId": "1"}
                else:
                    root = ident
                done_mark = done_mark or first_reply
                messages.append(raw)
                previous = ident
            if root:
                mark = "reaction" if react else "pinned" if pin else ""
                truth[root] = (mark if done_mark else "", str(thread.get("intention", "")))
        round_ += 1
    data = {"guild": {"id": "1", "name": "bench"}, "channel": {"id": "100", "type": "GuildTextChat",
            "categoryId": None, "name": "help"}, "messages": messages, "messageCount": len(messages)}  # fmt: skip
    path.write_text(json.dumps(data), encoding="utf-8")
    return truth


async def backfill(url: str, export: Path) -> tuple[float, float, dict[str, str]]:
    """Seconds for the whole backfill (parse included), of which parsing; and root id -> candidate signal."""
    settings = parse_settings(f'[database]\nurl = "{url}"\n[backfill]\nchannels = [{{ id = "100" }}]\n')
    engine = create_engine(url)
    await migrate.upgrade(engine)
    sessions = session_factory(engine)
    try:
        began = time.perf_counter()
        (reader,) = read_exports([export])
        parsed = time.perf_counter() - began
        job = Backfill(sessions, settings, Queue(sessions, settings), progress=False)
        await job.run(reader, ["100"])
        seconds = time.perf_counter() - began
        async with sessions() as session:
            query = select(Thread.thread_key, BackfillCandidate.signal).join(Thread)
            found = {key: signal for key, signal in await session.execute(query)}
    finally:
        await engine.dispose()
    return seconds, parsed, found


async def dump(url: str) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    engine = create_engine(url)
    tables = {}
    try:
        async with engine.connect() as connection:
            for table in TABLES:
                result = await connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))
                tables[table] = (list(result.keys()), [tuple(row) for row in result])
    finally:
        await engine.dispose()
    return tables


async def raw_insert(url: str, tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> float:
    """Seconds for plain executemany of the same rows into a fresh migrated store (the driver's own batching)."""
    engine = create_engine(url)
    await migrate.upgrade(engine)
    try:
        async with engine.begin() as connection:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            began = time.perf_counter()
            for table, (columns, rows) in tables.items():
                if url.startswith("sqlite"):
                    marks = ", ".join("?" * len(columns))
                    await driver.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
                else:
                    marks = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
                    await driver.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
            seconds = time.perf_counter() - began
    finally:
        await engine.dispose()
    return seconds


def detection(truth: dict[str, tuple[str, str]], found: dict[str, str]) -> None:
    for signal in ("reaction", "pinned"):
        known = {root for root, (mark, _) in truth.items() if mark == signal}
        got = {root for root, s in found.items() if s == signal}
        hits = len(known & got)
        precision, recall = hits / max(1, len(got)), hits / max(1, len(known))
        print(f"  {signal}: {len(known):,} known, {len(got):,} found, precision {precision:.3f}, recall {recall:.3f}")
    thanks = Counter(truth[root][1] for root, s in found.items() if s == "thanks" and root in truth)
    unmarked = Counter(intention for mark, intention in truth.values() if not mark)
    total = sum(thanks.values())
    share = total / max(1, sum(unmarked.values()))
    print(f"  thanks (no ground truth): {total:,} of {sum(unmarked.values()):,} unmarked threads ({share:.1%})")
    for intention, n in sorted(thanks.items(), key=lambda item: -item[1]):
        print(f"    {intention}: {n:,} of {unmarked[intention]:,} ({n / max(1, unmarked[intention]):.1%})")


async def prepare_postgres() -> str:
    import asyncpg

    admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
    try:
        for name in (PG_DATABASE, PG_DATABASE + "_raw"):
            await admin.execute(f"DROP DATABASE IF EXISTS {name}")
            await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    return f"postgresql+asyncpg://{PG_SERVER.split('://', 1)[1]}/{PG_DATABASE}"


async def drop_postgres() -> None:
    import asyncpg

    admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
    try:
        for name in (PG_DATABASE, PG_DATABASE + "_raw"):
            await admin.execute(f"DROP DATABASE IF EXISTS {name}")
    finally:
        await admin.close()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--stores", default="sqlite,postgresql")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"dataset not found at {DATA}; nothing to measure")
        return 0
    threads = json.loads(DATA.read_text(encoding="utf-8"))
    print(f"{args.messages:,} messages from {DATA.name} (f2chat, Pan et al. 2021); {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="copbot-backfill-") as tmp:
        export = Path(tmp) / "export.json"
        built = time.perf_counter()
        truth = build_export(threads, args.messages, export)
        print(f"export: {export.stat().st_size / 1e6:,.0f} MB, {len(truth):,} threads, "
              f"built in {time.perf_counter() - built:.0f} s", flush=True)  # fmt: skip
        for store in args.stores.split(","):
            if store == "sqlite":
                url, raw_url = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3", f"sqlite+aiosqlite:///{tmp}/raw.sqlite3"
            else:
                url = await prepare_postgres()
                raw_url = url + "_raw"
            try:
                seconds, parsed, found = await backfill(url, export)
                tables = await dump(url)
                raw = await raw_insert(raw_url, tables)
            finally:
                if store != "sqlite":
                    await drop_postgres()
            rows = len(tables["messages"][1])
            rate, raw_rate = args.messages / seconds, rows / raw
            print(f"{store}: backfill {rate:,.0f} msg/s ({seconds:.1f} s, parsing {parsed:.1f} s, {rows:,} stored); "
                  f"raw executemany {raw_rate:,.0f} rows/s ({raw:.1f} s); ratio {rate / raw_rate:.3f}; "
                  f"load average {os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip
            if rows < args.messages * 0.99:  # a few f2chat lines are empty or read as commands ("/actuator ...")
                print(f"{store}: stored only {rows:,} of {args.messages:,}")
                return 1
        print("detection on the replay:")
        detection(truth, found)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
