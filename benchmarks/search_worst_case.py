"""Worst-case search: a thread of N Discord-sized messages repeating one word and one huge entry; time search."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

from copbot.knowledge.interchange.jsonl import import_lines
from copbot.knowledge.search.backend import search
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory

MESSAGE_CHARS = 2000
"""A Discord message at its length limit."""
WORD = "sprocket"
HUGE_MB = 50


def flood_entry(public_id: str, messages: int) -> str:
    """A solved thread whose ``messages`` replies (its discussion) repeat one word to the message length limit."""
    body = ((WORD + " ") * (MESSAGE_CHARS // (len(WORD) + 1))).strip()
    record = {
        "id": public_id,
        "title": "help please",
        "question": "my machine makes a noise",
        "answers": ["oil it"],
        "messages": [{"author": "flooder", "text": body} for _ in range(messages)],
    }
    return json.dumps(record)


def huge_entry(public_id: str, megabytes: int) -> str:
    """One imported entry whose question is ``megabytes`` MB of the word."""
    body = (WORD + " ") * (megabytes * 1_000_000 // (len(WORD) + 1))
    return json.dumps({"id": public_id, "title": "huge", "question": body})


async def measure(url: str, messages: int, megabytes: int, repeats: int) -> dict[str, float]:
    """Import the two hostile entries plus a few normal ones, then time searches for the word (worst of repeats)."""
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        sessions = session_factory(engine)
        lines = [flood_entry("flood", messages), json.dumps({"id": "plain", "title": "gear", "question": "a gear"})]
        started = time.perf_counter()
        await import_lines(sessions, lines)
        figures = {"import_flood_s": time.perf_counter() - started}
        results: dict[str, float] = {}
        for name, query in (("flood", WORD), ("flood+other", f"{WORD} gear")):
            worst = 0.0
            for _ in range(repeats):
                async with sessions() as session:
                    started = time.perf_counter()
                    hits = await search(session, query)
                    worst = max(worst, time.perf_counter() - started)
            results[f"search_{name}_s"] = worst
            results[f"hits_{name}"] = float(len(hits))
        if megabytes:
            started = time.perf_counter()
            await import_lines(sessions, [huge_entry("huge", megabytes)])
            figures["import_huge_s"] = time.perf_counter() - started
            worst = 0.0
            for _ in range(repeats):
                async with sessions() as session:
                    started = time.perf_counter()
                    hits = await search(session, WORD)
                    worst = max(worst, time.perf_counter() - started)
            results["search_with_huge_s"] = worst
            results["hits_with_huge"] = float(len(hits))
        return figures | results
    finally:
        await engine.dispose()


def _postgres_url(server: str) -> tuple[str, str]:
    import psycopg

    name = f"copbot_bench_{secrets.token_hex(4)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return name, "postgresql+asyncpg://" + f"{server}/{name}".split("://", 1)[1]


def _drop_postgres(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    """Print the worst search time per store for the flooded thread and the huge entry."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--megabytes", type=int, default=HUGE_MB, help="size of the huge entry (0: skip it)")
    parser.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    server = os.environ.get("COPBOT_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
    stores = ("sqlite", "postgresql") if args.store == "both" else (args.store,)
    for store in stores:
        if store == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite+aiosqlite:///{Path(folder) / 'worst.sqlite3'}"
                figures = asyncio.run(measure(url, args.messages, args.megabytes, args.repeats))
        else:
            name, url = _postgres_url(server)
            try:
                figures = asyncio.run(measure(url, args.messages, args.megabytes, args.repeats))
            finally:
                _drop_postgres(server, name)
        shown = ", ".join(f"{key}={value:.3f}" for key, value in figures.items())
        print(f"{store} N={args.messages} huge={args.megabytes}MB: {shown}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
