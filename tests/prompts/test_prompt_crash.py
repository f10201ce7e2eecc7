"""A prompt run killed (SIGKILL) at each point is posted exactly once after restart where possible, never twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from copbot.prompts.jobs import DIE_AT_VARIABLE
from copbot.store.engine import create_engine, session_factory
from copbot.store.operations import PromptRun

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("prompt_crash_child.py")


def child(url: str, posts: Path, mode: str, die_at: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the child bot (a real process, this checkout's code) to its end or its death."""
    env = {key: value for key, value in os.environ.items() if key != DIE_AT_VARIABLE}
    if die_at is not None:
        env[DIE_AT_VARIABLE] = die_at
    env["PYTHONPATH"] = str(ROOT)
    command = [sys.executable, str(CHILD), url, str(posts), mode]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def posted(posts: Path) -> list[str]:
    return posts.read_text(encoding="utf-8").splitlines() if posts.exists() else []


async def runs(url: str) -> list[tuple[str, str | None]]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return [(run.status, run.message_id) for run in await session.scalars(select(PromptRun))]
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("point", "posted_before_restart", "final_status", "logged"),
    [
        ("claim", 0, "posted", "was due but never claimed"),
        ("post", 0, "posted", "was claimed but never posted"),
        ("record", 1, "unconfirmed", "the bot stopped while posting it"),
    ],
)
async def test_killed_at_each_point_of_a_run(
    database_url: str, tmp_path: Path, point: str, posted_before_restart: int, final_status: str, logged: str
) -> None:
    """Three real processes per case (killed, restarted, restarted again): 5-15 s, the cost of real kills."""
    posts = tmp_path / "posts.txt"
    killed = child(database_url, posts, "force", die_at=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    assert len(posted(posts)) == posted_before_restart
    restarted = child(database_url, posts, "restart")
    assert restarted.returncode == 0, restarted.stderr[-3000:]
    assert logged in restarted.stderr
    again = child(database_url, posts, "restart")
    assert again.returncode == 0, again.stderr[-3000:]
    assert len(posted(posts)) == 1, posted(posts)
    [(status, message_id)] = await runs(database_url)
    assert status == final_status
    assert (message_id is not None) == (final_status == "posted")
