"""Start-up: wall time of ``copbot --version`` and of ``copbot run`` to its first console line, against bare Python."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONSOLE_LINE = b"copbot console, room #"
"""The console adapter's first line: from here on the member can type."""


def timed(command: Sequence[str], *, until: bytes | None = None, env: dict[str, str] | None = None) -> float:
    """Seconds from spawning ``command`` to its exit, or to the first stdout line holding ``until``."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
    )
    assert process.stdout is not None and process.stdin is not None
    if until is None:
        process.communicate()
        return time.perf_counter() - started
    for line in process.stdout:
        if until in line:
            elapsed = time.perf_counter() - started
            break
    else:
        raise SystemExit(f"{' '.join(command)} exited before printing {until!r}")
    process.stdin.close()  # end of input: the console adapter stops the bot
    process.wait(timeout=60)
    return elapsed


def summary(name: str, times: Sequence[float], baseline: Sequence[float]) -> None:
    """One line: median and worst in ms, and the median against bare Python's."""
    median, base = statistics.median(times), statistics.median(baseline)
    worst = 1000 * max(times)
    print(f"{name:34s} median {1000 * median:7.1f} ms  max {worst:7.1f} ms  x{median / base:5.2f} of python")


def main() -> int:
    """Time each command ``--runs`` times, interleaved with the bare interpreter as the baseline."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as directory:
        config = Path(directory) / "config.toml"
        config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{directory}/copbot.sqlite3"\n', encoding="utf-8")
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        run = [python, "-m", "copbot", "run", "--config", str(config)]
        timed(run, until=CONSOLE_LINE, env=env)  # migrates the new file once, outside the timing
        bare: list[float] = []
        version: list[float] = []
        console: list[float] = []
        for _ in range(args.runs):
            bare.append(timed([python, "-c", "pass"]))
            version.append(timed([python, "-m", "copbot", "--version"]))
            console.append(timed(run, until=CONSOLE_LINE, env=env))
    print(f"{args.runs} runs each, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    summary("python -c pass (baseline)", bare, bare)
    summary("copbot --version", version, bare)
    summary("copbot run, first console line", console, bare)
    return 0


if __name__ == "__main__":
    sys.exit(main())
