"""Resident memory of a running copbot over a large knowledge base: idle, then after 1,000 searches."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import subprocess
import sys
import time
from pathlib import Path

import corpus

from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.config.settings import parse_settings
from copbot.knowledge.search.backend import search

LIMIT_MB = 150.0
DEFAULT_REUSE = Path("/tmp/copbot-bench/kb-1000000.sqlite3")
"""Where ``search.py --sizes 1000000 --keep /tmp/copbot-bench`` leaves the one-million-entry knowledge base."""


def rss_mb() -> float:
    """This process's resident set size (VmRSS) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def peak_mb() -> float:
    """The highest resident set size this process reached (VmHWM) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def question_texts() -> list[str]:
    """The 200 real questions, read in a child process so parsing the data sets does not count in this one's RSS."""
    code = "import json, corpus; print(json.dumps(corpus.load().queries))"
    here = Path(__file__).resolve().parent
    done = subprocess.run([sys.executable, "-c", code], cwd=here, capture_output=True, text=True, check=True)
    queries: list[str] = json.loads(done.stdout)
    return queries


def file_size(path: Path) -> int:
    """Bytes of the SQLite file and its write-ahead log."""
    return sum(Path(f"{path}{suffix}").stat().st_size for suffix in ("", "-wal") if Path(f"{path}{suffix}").exists())


async def run(path: Path, searches: int, idle_seconds: float) -> None:
    """Start the real application with the memory adapter over ``path``, measure, search, measure again."""
    queries = question_texts()
    before = rss_mb()
    settings = parse_settings(f'[database]\nurl = "sqlite+aiosqlite:///{path}"\n', base_dir=path.parent)
    app = Application(settings, adapters=[MemoryAdapter()])
    await app.start()
    try:
        assert app.services is not None
        await asyncio.sleep(idle_seconds)
        gc.collect()
        idle = rss_mb()
        started = time.perf_counter()
        found = 0
        for number in range(searches):
            async with app.services.sessions() as session:
                found += len(await search(session, queries[number % len(queries)]))
        took = time.perf_counter() - started
        gc.collect()
        busy = rss_mb()
    finally:
        await app.stop()
    size = file_size(path)
    print(f"knowledge base: {path} ({size / 2**30:.2f} GiB)")
    print(f"python + imports before start: {before:6.1f} MB")
    print(f"bot idle after {idle_seconds:.0f}s:          {idle:6.1f} MB (limit {LIMIT_MB:.0f} MB)")
    print(f"after {searches} searches ({took:.0f}s, {found} hits): {busy:6.1f} MB (limit {LIMIT_MB:.0f} MB)")
    print(f"peak (VmHWM):                  {peak_mb():6.1f} MB")
    print("within the limit" if max(idle, busy) <= LIMIT_MB else "OVER the limit")


def main() -> int:
    """Parse the options and run, if the knowledge base and the data sets are there."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reuse", type=Path, default=DEFAULT_REUSE, help="SQLite file built by search.py --keep")
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--idle", type=float, default=5.0, help="seconds to sit idle before the first measurement")
    args = parser.parse_args()
    if absent := corpus.missing():
        print(f"data sets not found ({', '.join(map(str, absent))}); nothing to measure.")
        return 0
    if not args.reuse.exists():
        print(f"no knowledge base at {args.reuse}; build one with: python benchmarks/search.py --sizes 1000000 "
              f"--keep {args.reuse.parent}")  # fmt: skip
        return 0
    asyncio.run(run(args.reuse, args.searches, args.idle))
    return 0


if __name__ == "__main__":
    sys.exit(main())
