"""Health report at size: 1,000,000 messages over a year, the whole `copbot report` against COUNT(*) of its tables.

A community of 4,000 members (a few write most, as in real communities; newcomers keep arriving all year) writes
in six rooms on working days and hours; consecutive messages of a room form conversations of 1 to 12 messages,
35% of them help requests, most answered; answered threads become entries with tags, answers, views and
suggestions; two prompts a week draw replies. Texts come from F2Chat spring-boot (``--corpus``) when present,
else synthetic words. Rows go in with raw ``executemany`` (SQLite) and ``COPY`` (PostgreSQL) after the real
migrations, then the store is ANALYZEd. The report is timed end to end (engine, schema check, the gap list, every
figure, the HTML with its SVG charts) over the default 90 days, the whole year, one channel and as --json.
Run: .venv/bin/python benchmarks/report.py [--messages 1000000] [--stores sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from copbot.cli.main import build_parser
from copbot.cli.report import report_output
from copbot.config.settings import parse_settings
from copbot.core.clock import ManualClock
from copbot.store import migrate
from copbot.store.engine import create_engine

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
YEAR = 365 * 86400
START = NOW.timestamp() - YEAR
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "f2chat" / "spring-boot.json"
ROOMS = ("general", "help", "boot", "data", "jobs", "random")
ROOM_WEIGHTS = (30, 30, 15, 10, 5, 10)
ACTIVITIES = (
    "problem_solving", "request_for_information", "seeking_experience", "reusing_assets", "coordination",
    "building_an_argument", "growing_confidence", "discussing_developments", "documenting_projects", "visits",
    "identifying_gaps", "other",
)  # fmt: skip
ACTIVITY_WEIGHTS = (20, 14, 10, 6, 6, 3, 4, 8, 3, 1, 2, 23)
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 13, 10, 12, 14, 14, 12, 9, 6, 5, 4, 3, 2, 1]
MEMBERS = 4000
TAGS = [f"topic{n}" for n in range(150)]
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DATABASE = "copbot_bench_report"
TABLES = ("messages", "threads", "members", "knowledge_entries", "entry_messages", "entry_tags", "entry_uses",
          "prompt_runs", "audit_log")  # fmt: skip
Rows = dict[str, list[tuple[Any, ...]]]


def texts(corpus: Path) -> list[str]:
    """Message texts: F2Chat's when the file is there, else synthetic sentences."""
    if corpus.exists():
        threads = json.loads(corpus.read_text(encoding="utf-8"))
        found = [" ".join(str(m.get("text") or "").split())[:400] for t in threads for m in t["messages"]]
        return [text for text in found if text] or ["hello"]
    words = ["spring", "boot", "docker", "gradle", "test", "config", "bean", "proxy", "cache", "query", "deploy"]
    rng = random.Random(7)
    return [" ".join(rng.choices(words, k=rng.randint(4, 20))) for _ in range(5000)]


def _moments(rng: random.Random, count: int, first: float) -> Iterator[float]:
    """``count`` times after ``first``: working hours, fewer at weekends."""
    days_left = max(1, int((NOW.timestamp() - first) // 86400))
    made = 0
    while made < count:
        day = int(first // 86400) + rng.randrange(days_left)
        if datetime.fromtimestamp(day * 86400, UTC).weekday() >= 5 and rng.random() < 0.6:
            continue
        moment = day * 86400 + rng.choices(range(24), HOUR_WEIGHTS)[0] * 3600 + rng.randrange(3600)
        if first <= moment < NOW.timestamp():
            made += 1
            yield moment


def generate(total: int, pool: list[str], seed: int = 1) -> Rows:
    """Every table's rows, with ids, as epoch seconds for the times (converted per store later)."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) ** 0.9 for rank in range(MEMBERS)]
    scale = total / sum(weights)
    counts = [max(1, round(w * scale)) for w in weights]
    counts[0] += total - sum(counts)
    members: list[tuple[Any, ...]] = []
    stream: list[tuple[float, int]] = []
    for number, count in enumerate(counts, start=1):
        first = START + rng.random() * YEAR * (0.2 if number <= 200 else 1.0)
        bot, opted_out, opted_in = number == 5, number % 37 == 0, number % 5 == 0
        members.append((number, "bench", f"u{number}", f"Member {number}", bot, opted_out, opted_in, first))
        stream += [(moment, number) for moment in _moments(rng, count, first)]
    stream.sort()
    by_room: dict[str, list[tuple[float, int]]] = {room: [] for room in ROOMS}
    for moment, author in stream:
        by_room[rng.choices(ROOMS, ROOM_WEIGHTS)[0]].append((moment, author))
    threads: list[tuple[Any, ...]] = []
    messages: list[tuple[Any, ...]] = []
    entries: list[tuple[Any, ...]] = []
    entry_messages: list[tuple[Any, ...]] = []
    entry_tags: list[tuple[Any, ...]] = []
    for room, items in by_room.items():
        position = 0
        while position < len(items):
            size = rng.randint(1, 12)
            chunk = items[position : position + size]
            position += size
            thread_id = len(threads) + 1
            asker = chunk[0][1]
            help_request = rng.random() < 0.35
            answered = chunk[-1][0] + 60 if help_request and len(chunk) > 1 and rng.random() < 0.7 else None
            threads.append((thread_id, "bench", room, f"t{thread_id}", False, f"m{len(messages) + 1}", asker,
                            pool[thread_id % len(pool)][:120], "answered" if answered else "open", help_request,
                            chunk[0][0], chunk[-1][0], answered))  # fmt: skip
            for index, (moment, author) in enumerate(chunk):
                message_id = len(messages) + 1
                activity = rng.choices(ACTIVITIES, ACTIVITY_WEIGHTS)[0] if rng.random() < 0.45 else None
                reply_to = f"m{message_id - 1}" if index else None
                messages.append((message_id, "bench", f"m{message_id}", room, thread_id, author,
                                 pool[message_id % len(pool)], reply_to, activity, moment))  # fmt: skip
            if answered and rng.random() < 0.25:
                entry_id = len(entries) + 1
                updated = answered + (rng.random() * 60 * 86400 if rng.random() < 0.1 else 0)
                entries.append((entry_id, f"kb{entry_id}", threads[-1][7], room, thread_id, answered, updated))
                for tag in rng.sample(range(len(TAGS)), rng.randint(1, 3)):
                    entry_tags.append((entry_id, tag + 1))
                answerer = next((a for _, a in chunk if a != asker), asker)
                entry_messages.append((len(entry_messages) + 1, entry_id, "question", 0, asker, chunk[0][0]))
                entry_messages.append((len(entry_messages) + 1, entry_id, "answer", 1, answerer, chunk[-1][0]))
    kinds = ("viewed", "suggested", "suggested")
    uses = [
        (n + 1, rng.choice(kinds), rng.randint(1, len(entries)), START + rng.random() * YEAR) for n in range(30000)
    ] if entries else []  # fmt: skip
    runs = [(n + 1, "weekly", START + n * 3.5 * 86400 + 9 * 3600) for n in range(104)]
    linked = {rng.randint(1, len(threads)): run_id for run_id, _, _ in runs}
    threads = [(*t, linked.get(t[0])) for t in threads]
    audit = [(n + 1, START + rng.random() * YEAR, f"kb{rng.randint(1, max(1, len(entries)))}") for n in range(500)]
    return {
        "members": members, "threads": threads, "messages": messages, "knowledge_entries": entries,
        "entry_messages": entry_messages, "entry_tags": entry_tags, "entry_uses": uses, "prompt_runs": runs,
        "audit_log": audit, "tags": [(n + 1, name) for n, name in enumerate(TAGS)],
    }  # fmt: skip


COLUMNS = {
    "members": "id, platform, external_id, display_name, is_bot, capture_opt_out, suggest_opt_in, created_at",
    "tags": "id, name",
    "prompt_runs": "id, prompt_name, started_at, scheduled_for, status, platform, room, detail",
    "threads": "id, platform, room, thread_key, is_platform_thread, root_message_id, asker_id, title, status, "
    "is_help_request, created_at, last_message_at, answered_at, prompt_run_id",
    "messages": "id, platform, external_id, room, thread_id, author_id, text, reply_to, activity, created_at",
    "knowledge_entries": "id, public_id, title, source_room, thread_id, created_at, updated_at, kind, question, "
    "summary, solved, captured_via, source_platform",
    "entry_tags": "entry_id, tag_id",
    "entry_messages": "id, entry_id, role, position, author_id, created_at, author_name, text",
    "entry_uses": "id, kind, entry_id, at, platform, room",
    "audit_log": "id, at, target, platform, actor_id, actor_name, action, detail",
}
TIME_COLUMNS = {
    "members": (7,), "prompt_runs": (2, 3), "threads": (10, 11, 12), "messages": (9,), "knowledge_entries": (5, 6),
    "entry_messages": (5,), "entry_uses": (3,), "audit_log": (1,),
}  # fmt: skip


def _shaped(table: str, row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Add the constant columns each table needs."""
    if table == "prompt_runs":
        return (row[0], row[1], row[2], row[2], "posted", "bench", "general", "")
    if table == "knowledge_entries":
        return (*row, "question", row[2], "", True, "solved", "bench")
    if table == "entry_messages":
        return (*row, "someone", "an answer")
    if table == "entry_uses":
        return (*row, "bench", "help")
    if table == "audit_log":
        return (row[0], row[1], row[2], "bench", "u1", "mod", "kb.edit", "")
    return row


def store_rows(rows: Rows, table: str, as_text: bool) -> Iterator[tuple[Any, ...]]:
    """``table``'s rows with times as SQLite text (naive UTC, as SQLAlchemy stores them) or aware datetimes."""
    times = TIME_COLUMNS.get(table, ())
    for row in rows[table]:
        shaped = list(_shaped(table, row))
        for index in times:
            if shaped[index] is not None:
                moment = datetime.fromtimestamp(shaped[index], UTC)
                shaped[index] = moment.strftime("%Y-%m-%d %H:%M:%S.%f") if as_text else moment
        yield tuple(shaped)


ORDER = ("members", "tags", "prompt_runs", "threads", "messages", "knowledge_entries", "entry_tags",
         "entry_messages", "entry_uses", "audit_log")  # fmt: skip


def fill_sqlite(path: Path, rows: Rows) -> None:
    """Raw executemany into the migrated file."""
    with sqlite3.connect(path) as connection:
        for table in ORDER:
            columns = COLUMNS[table]
            marks = ", ".join("?" * len(columns.split(",")))
            connection.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", store_rows(rows, table, True))
        connection.execute("ANALYZE")


def fill_postgres(url: str, rows: Rows) -> None:
    """COPY into the migrated database."""
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        for table in ORDER:
            with cursor.copy(f"COPY {table} ({COLUMNS[table]}) FROM STDIN") as copy:
                for row in store_rows(rows, table, False):
                    copy.write_row(row)
        connection.commit()
        connection.autocommit = True
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would: index-only scans need the visibility map


async def counts(database_url: str) -> float:
    """Seconds for COUNT(*) over every table the report reads, on a new engine (as the report opens one)."""
    from sqlalchemy import text

    began = time.perf_counter()
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            for table in TABLES:
                await connection.scalar(text(f"SELECT COUNT(*) FROM {table}"))
    finally:
        await engine.dispose()
    return time.perf_counter() - began


async def measure(database_url: str, tmp: Path, repeats: int) -> dict[str, float]:
    """Median seconds of COUNT(*) and of each report variant."""
    settings = parse_settings(f'[database]\nurl = "{database_url}"\n', base_dir=tmp)
    variants = {
        "report 90d (HTML)": ["--since", "90d", "--out", "x.html"],
        "report 90d --json": ["--since", "90d", "--json"],
        "report 365d (HTML)": ["--since", "365d", "--out", "x.html"],
        "report 90d --channel help": ["--since", "90d", "--channel", "help", "--out", "x.html"],
    }
    found = {"COUNT(*) of the tables": statistics.median([await counts(database_url) for _ in range(repeats)])}
    for name, argv in variants.items():
        args = build_parser("report").parse_args(["report", *argv])
        seconds = []
        for _ in range(repeats):
            began = time.perf_counter()
            await report_output(settings, args, ManualClock(NOW))
            seconds.append(time.perf_counter() - began)
        found[name] = statistics.median(seconds)
    found.update(await chart_seconds(database_url, settings, repeats))
    return found


def import_seconds() -> float:
    """Seconds to import the report's HTML module (so matplotlib) in a fresh interpreter."""
    import subprocess

    code = "import time; t = time.perf_counter(); import copbot.health.html; print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


async def chart_seconds(database_url: str, settings: Any, repeats: int) -> dict[str, float]:
    """The charts alone: matplotlib's import in a fresh process, then drawing the 90-day page from built figures."""
    from copbot.health.html import render
    from copbot.health.report import build_report
    from copbot.health.window import Window
    from copbot.store.engine import session_factory

    imports = [await asyncio.to_thread(import_seconds) for _ in range(repeats)]
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            report = await build_report(session, Window(NOW - timedelta(days=90), NOW), settings.health)
    finally:
        await engine.dispose()
    drawn = []
    for _ in range(repeats):
        began = time.perf_counter()
        render(report, NOW)
        drawn.append(time.perf_counter() - began)
    return {
        "charts: matplotlib import": statistics.median(imports),
        "charts: page drawn (90d)": statistics.median(drawn),
    }


async def prepare(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


def load(store: str, rows: Rows, folder: Path, size: int, keep: bool) -> str:
    """The store's URL, migrated and filled (a kept one is reused as it is, then upgraded)."""
    if store == "sqlite":
        path = folder / (f"report-{size}.sqlite3" if keep else "bench.sqlite3")
        url = f"sqlite+aiosqlite:///{path}"
        fresh = not path.exists()
        asyncio.run(prepare(url))
        if fresh:
            fill_sqlite(path, rows)
        else:
            with sqlite3.connect(path) as connection:
                connection.execute("ANALYZE")  # statistics for indexes a migration just added
        return url
    database = f"{PG_DATABASE}_{size}" if keep else PG_DATABASE
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        fresh = not (keep and found)
        if fresh:
            admin.execute(f"DROP DATABASE IF EXISTS {database}")
            admin.execute(f"CREATE DATABASE {database}")
    url = f"postgresql+asyncpg://{PG_SERVER.split('://', 1)[1]}/{database}"
    asyncio.run(prepare(url))
    if fresh:
        fill_postgres(f"{PG_SERVER}/{database}", rows)
    return url


def main() -> int:
    """Build each store, time it, print a table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="F2Chat spring-boot.json (synthetic if absent)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the stores: DIR/report-N.sqlite3, database _N")
    args = parser.parse_args()
    began = time.perf_counter()
    pool = texts(args.corpus)
    rows = generate(args.messages, pool)
    source = "F2Chat spring-boot" if args.corpus.exists() else "synthetic"
    print(f"generated {len(rows['messages']):,} messages ({source} texts), {len(rows['threads']):,} threads, "
          f"{len(rows['knowledge_entries']):,} entries in {time.perf_counter() - began:.1f} s")  # fmt: skip
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        tmp = args.keep or Path(folder)
        tmp.mkdir(parents=True, exist_ok=True)
        for store in args.stores.split(","):
            began = time.perf_counter()
            url = load(store, rows, tmp, args.messages, args.keep is not None)
            average = " ".join(f"{n:.2f}" for n in os.getloadavg())
            print(f"{store}: loaded in {time.perf_counter() - began:.1f} s, load average {average}", flush=True)
            try:
                results[store] = asyncio.run(measure(url, tmp, args.repeats))
            finally:
                if store != "sqlite" and args.keep is None:
                    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
                        admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
    print(f"load average at the end: {' '.join(f'{n:.2f}' for n in os.getloadavg())} ({os.cpu_count()} cores)")
    names = list(next(iter(results.values())))
    print(f"\n| {'seconds (median of ' + str(args.repeats) + ')':<32} | " + " | ".join(f"{s:>10}" for s in results))
    print(f"|{'-' * 34}|" + "|".join("-" * 12 for _ in results))
    for name in names:
        print(f"| {name:<32} | " + " | ".join(f"{results[s][name]:>10.2f}" for s in results))
    baseline = "COUNT(*) of the tables"
    print("\nratio to COUNT(*): " + "; ".join(
        f"{s} " + ", ".join(f"{n} x{results[s][n] / results[s][baseline]:.0f}" for n in names if n.startswith("report"))
        for s in results
    ))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
