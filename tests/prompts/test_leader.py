"""Two real bot processes on one PostgreSQL database: one runs the scheduler; kill it and the other takes over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import psycopg
import pytest

from tests.pg_support import TestDatabase

PROMPT_TEXT = "Leader check: what are you working on?"
CONFIG = """
[bot]
log_level = "INFO"

[database]
url = "{url}"

[console]
user = "alice"

[scheduler]
leader_retry_seconds = 1

[[prompts]]
name = "minutely"
platform = "console"
channel = "general"
cron = "* * * * *"
texts = ["{text}"]
"""


class Bot:
    """``copbot run`` in a child process: stdin held open (the console adapter reads it), output collected."""

    def __init__(self, config: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "copbot.cli.main", "run", "--config", str(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.out: list[str] = []
        self.err: list[str] = []
        assert self.process.stdout is not None and self.process.stderr is not None
        for stream, lines in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=self._collect, args=(stream, lines), daemon=True).start()

    @staticmethod
    def _collect(stream: IO[str], lines: list[str]) -> None:
        for line in stream:
            lines.append(line)

    def log(self) -> str:
        """Everything the process logged so far."""
        return "".join(self.err)

    def output(self) -> str:
        """Everything the console adapter printed so far."""
        return "".join(self.out)

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, the lock goes only because PostgreSQL sees the connection die."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


def wait_for(condition: Callable[[], bool], timeout: float, what: str, *bots: Bot) -> float:
    """Poll until ``condition`` holds; the seconds it took. Fails with the bots' logs after ``timeout``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            logs = "\n---\n".join(bot.log()[-4000:] for bot in bots)
            pytest.fail(f"timed out after {timeout}s waiting for {what}\n{logs}")
        time.sleep(0.2)
    return time.monotonic() - start


@pytest.fixture
def config(tmp_path: Path, postgres_database: TestDatabase) -> Path:
    postgres_database.empty()
    path = tmp_path / "config.toml"
    path.write_text(CONFIG.format(url=postgres_database.url, text=PROMPT_TEXT), encoding="utf-8")
    return path


@pytest.fixture
def bots(config: Path) -> Iterator[Callable[[], Bot]]:
    started: list[Bot] = []

    def start() -> Bot:
        bot = Bot(config)
        started.append(bot)
        return bot

    try:
        yield start
    finally:
        for bot in started:
            bot.kill()


def test_one_leader_and_a_takeover_within_60s_without_double_posts(
    bots: Callable[[], Bot], postgres_database: TestDatabase
) -> None:
    first = bots()
    wait_for(lambda: "scheduler leader: acquired" in first.log(), 60, "the first process to lead", first)
    second = bots()
    wait_for(lambda: "scheduler leader: standby" in second.log(), 60, "the second process to stand by", second)
    time.sleep(2.5)  # a couple of retries
    assert "scheduler leader: acquired" not in second.log()
    assert "prompt minutely scheduled" in first.log() and "prompt minutely scheduled" not in second.log()

    first.kill()
    took = wait_for(lambda: "scheduler leader: acquired" in second.log(), 60, "the takeover", second)
    assert took < 60
    wait_for(lambda: "prompt minutely scheduled" in second.log(), 30, "the new leader's scheduler", second)

    wait_for(lambda: PROMPT_TEXT in second.output(), 70, "the new leader to post the prompt", second)
    with psycopg.connect(postgres_database.libpq_url) as connection:
        runs = connection.execute(
            "SELECT scheduled_for, status FROM prompt_runs WHERE prompt_name = 'minutely'"
        ).fetchall()
    moments = [moment for moment, _ in runs]
    assert len(moments) == len(set(moments)) >= 1
    posted = [moment for moment, status in runs if status == "posted"]
    printed = first.output().count(PROMPT_TEXT) + second.output().count(PROMPT_TEXT)
    assert printed == len(posted) >= 1

    assert second.process.stdin is not None
    second.process.stdin.close()  # end of console input: a clean stop releases the lock
    assert second.process.wait(timeout=30) == 0
    assert "scheduler leader: released" in second.log()
