"""`copbot db copy` from SQLite into PostgreSQL as it is, against the index kept row by row and the old copy.

Copies one SQLite file (build it with `benchmarks/search.py --sizes 20000 --keep DIR`) into a new PostgreSQL
database three ways, alternating: as the product does (multi-row INSERTs; a copy of at least
``search_index.DEFER_AT`` entries sets the RUM index aside and builds it after the rows); with the index kept up to
date row by row (the threshold raised past the copy); and as the copy was before (a plain executemany per batch,
which fires the version triggers once per row, and the index kept). Each copy goes into a database of its own,
dropped after; all are timed in this process.
Run: PYTHONPATH=. .venv/bin/python benchmarks/db_copy.py /tmp/kb20/kb-20000.sqlite3 [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from copbot.store import search_index, transfer

SERVER = os.environ.get("COPBOT_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


def _admin(statement: sql.Composed) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(statement)


async def _executemany(connection: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> None:
    """The copy's insert before ``insert_rows``: one executemany, the statement run once per row on PostgreSQL."""
    await connection.execute(insert(table), rows)


WAYS = {
    "now": (True, transfer.insert_rows),
    "index kept": (False, transfer.insert_rows),
    "before": (False, _executemany),
}
"""Each way: whether a large copy may set the RUM index aside, and how a batch of rows is inserted."""


async def copy_once(source: Path, way: str) -> tuple[float, bool, int]:
    """Seconds for one copy into a new database; whether the index was set aside; entries copied."""
    name = f"copbot_bench_{secrets.token_hex(4)}"
    _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    set_aside, inserting = WAYS[way]
    search_index.DEFER_AT = 20_000 if set_aside else 10**12
    transfer.insert_rows = inserting
    started = last = time.perf_counter()
    slowest: list[tuple[float, str]] = []

    def progress(table: str, _rows: int) -> None:
        nonlocal last
        now = time.perf_counter()
        slowest.append((now - last, table))
        last = now

    try:
        target = f"postgresql://{SERVER.split('://', 1)[1]}/{name}"
        report = await transfer.copy_database(f"sqlite:///{source}", target, progress=progress)
        seconds = time.perf_counter() - started
        tables = ", ".join(f"{table} {took:.1f} s" for took, table in sorted(slowest, reverse=True)[:4])
        print(f"  slowest tables: {tables}; after the last table {time.perf_counter() - last:.1f} s")
        return seconds, report.index_set_aside, report.rows.get("search_documents", 0)
    finally:
        _admin(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a migrated copbot SQLite file")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if not args.source.is_file():
        print(f"no SQLite file at {args.source}; build one with benchmarks/search.py --keep")
        return 0
    times: dict[str, list[float]] = {way: [] for way in WAYS}
    for _ in range(args.rounds):
        for way in WAYS:
            seconds, did, entries = await copy_once(args.source, way)
            times[way].append(seconds)
            how = "set aside, built after" if did else "kept row by row"
            print(f"{way}: {entries:,} entries, RUM index {how}: {seconds:.1f} s")
    now = statistics.median(times["now"])
    load = ", ".join(f"{figure:.2f}" for figure in os.getloadavg())
    others = "; ".join(f"{way} {statistics.median(times[way]):.1f} s (x{statistics.median(times[way]) / now:.1f})"
                       for way in WAYS if way != "now")  # fmt: skip
    print(f"median: now {now:.1f} s; {others}; load {load}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
