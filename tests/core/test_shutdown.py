"""Graceful shutdown: SIGINT, SIGTERM and end of piped input stop the bot cleanly, leaving no task behind."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.config.settings import parse_settings


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        '[database]\nurl = "sqlite+aiosqlite:///bot.sqlite3"\n[console]\nuser = "alice"\n[bot]\nlog_level = "INFO"\n'
    )
    return config


def _start_bot(tmp_path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "copbot.cli.main", "run", "--config", str(_config(tmp_path))],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _read_until(process: subprocess.Popen[str], needle: str, timeout: float = 30.0) -> str:
    assert process.stdout is not None
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen += line
        if needle in line:
            return seen
    raise AssertionError(f"never saw {needle!r}; output so far:\n{seen}")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_the_running_bot_gracefully(tmp_path: Path, sig: signal.Signals) -> None:
    process = _start_bot(tmp_path)
    try:
        assert process.stdin is not None
        process.stdin.write("/ask how do I keep sourdough starter alive?\n")
        process.stdin.flush()
        _read_until(process, "Nothing in the knowledge base answers this yet")
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "copbot stopped" in stderr
    assert "Traceback" not in stderr
    assert (tmp_path / "bot.sqlite3").exists()


def test_piped_input_ends_cleanly_after_pending_replies(tmp_path: Path) -> None:
    script = "/ask where do I find the rota template?\n:as bob\n/nonsense\n"
    result = subprocess.run(
        [sys.executable, "-m", "copbot.cli.main", "run", "--config", str(_config(tmp_path))],
        cwd=tmp_path,
        input=script,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Nothing in the knowledge base answers this yet" in result.stdout
    assert "I don't know the command /nonsense" in result.stdout
    assert result.stdout.rstrip().endswith("Type /help to see them all.")
    assert "copbot stopped" in result.stderr


async def test_start_and_stop_leave_no_task_running(tmp_path: Path) -> None:
    settings = parse_settings(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "t.sqlite3"}"\n', base_dir=tmp_path)
    before = asyncio.all_tasks()
    app = Application(settings, adapters=[MemoryAdapter()])
    await app.start()
    waiter = asyncio.create_task(app.wait())
    await asyncio.sleep(0)
    app.request_stop()
    await asyncio.wait_for(waiter, timeout=5)
    await app.stop()
    await app.stop()
    assert asyncio.all_tasks() == before
