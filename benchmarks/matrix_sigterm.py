"""Duplicate and lost answers over SIGTERM cycles: `copbot run` stopped in the middle of a burst of commands."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USAGE = "Run: .venv/bin/python benchmarks/matrix_sigterm.py [--cycles 10] [--burst 15]"


async def cycles(workdir: Path, count: int, burst: int) -> tuple[int, int]:
    """Run ``count`` burst-SIGTERM-restart cycles; returns (duplicate answers, commands never answered)."""
    from tests.adapters.matrix.synapse import Synapse
    from tests.e2e.matrix_process import BotProcess, burst_then_sigterm, people, shared_room

    synapse = Synapse(workdir / "synapse")
    await asyncio.to_thread(synapse.start)
    members = []
    bot = None
    try:
        bot = BotProcess(synapse, await synapse.register("copbot"), workdir / "copbot")
        bot.start()
        members = await people(synapse, ["asker", "helper"])
        room = await shared_room(bot.bot.user_id, members)
        duplicates = lost = 0
        for cycle in range(1, count + 1):
            counts = await burst_then_sigterm(bot, room, count=burst)
            extra = sum(max(0, n - 1) for n in counts.values())
            missing = sum(1 for n in counts.values() if n == 0)
            duplicates += extra
            lost += missing
            print(f"cycle {cycle:2}: {burst} commands, {extra} answered twice, {missing} never answered", flush=True)
        return duplicates, lost
    finally:
        for member in members:
            await member.close()
        if bot is not None and bot.running():
            bot.terminate()
        synapse.stop()


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, epilog=USAGE)
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--burst", type=int, default=15, help="commands sent at once before each SIGTERM")
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # the Synapse and process harness live with the tests
    with tempfile.TemporaryDirectory(prefix="copbot-matrix-sigterm-") as tmp:
        duplicates, lost = asyncio.run(cycles(Path(tmp), args.cycles, args.burst))
    print(f"over {args.cycles} SIGTERM cycles: {duplicates} duplicate answers, {lost} commands never answered")
    return 1 if duplicates or lost else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
