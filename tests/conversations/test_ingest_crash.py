"""A crash (SIGKILL) during batched ingest loses no message whose handler had returned (committed)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KILL_AFTER = 1500
"""The child is killed once it has reported at least this many acknowledged messages."""


def test_sigkill_mid_stream_loses_no_acknowledged_message(tmp_path: Path) -> None:
    database = tmp_path / "crash.sqlite3"
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.conversations.ingest_crash_child", str(database)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    last = -1
    deadline = time.monotonic() + 120
    try:
        assert child.stdout is not None
        for line in child.stdout:
            last = int(line)
            if last >= KILL_AFTER or time.monotonic() > deadline:
                break
        os.kill(child.pid, signal.SIGKILL)  # mid-stream: the child never stops delivering on its own
    finally:
        child.kill()
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert last >= KILL_AFTER, f"the child acknowledged only up to {last} before the deadline"
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = {row[0] for row in db.execute("SELECT external_id FROM messages WHERE platform = 'crash'")}
        threads = db.execute("SELECT count(*) FROM threads WHERE platform = 'crash'").fetchone()[0]
        orphans = db.execute(
            "SELECT count(*) FROM messages m LEFT JOIN threads t ON t.id = m.thread_id "
            "WHERE m.thread_id IS NOT NULL AND t.id IS NULL"
        ).fetchone()[0]
    missing = [number for number in range(last + 1) if f"m{number}" not in stored]
    assert missing == [], f"{len(missing)} acknowledged messages lost, first {missing[:5]}"
    assert threads >= (last + 1) // 5 and orphans == 0
