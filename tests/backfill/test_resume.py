"""A backfill killed with SIGKILL mid-run resumes from its checkpoint: every message stored exactly once."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.backfill.exports import dce_file, dce_message, dce_user

ROOT = Path(__file__).resolve().parents[2]
COUNT = 30_000
PEOPLE = [dce_user(str(n), f"member{n}") for n in range(1, 40)]


def big_export(tmp_path: Path) -> Path:
    messages = []
    for n in range(COUNT):
        reply = str(1_000_000 + n - 1) if n % 3 else None
        messages.append(dce_message(str(1_000_000 + n), PEOPLE[n % len(PEOPLE)], f"message {n} about soil", n,
                                    reply_to=reply, channel="100"))  # fmt: skip
    return dce_file(tmp_path / "big.json", "100", "help", messages)


def backfill(config: Path, export: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "copbot", "backfill", "--quiet", "--config", str(config), "--from", str(export)]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def position(database: Path) -> tuple[int, int]:
    try:
        with sqlite3.connect(database, timeout=5) as connection:
            row = connection.execute("SELECT position, done FROM backfill_checkpoints").fetchone()
    except sqlite3.OperationalError:
        return 0, 0
    return (int(row[0]), int(row[1])) if row else (0, 0)


def test_a_run_killed_mid_way_resumes_and_stores_each_message_once(tmp_path: Path) -> None:
    database = tmp_path / "c.sqlite3"
    config = tmp_path / "copbot.toml"
    config.write_text(
        f'[database]\nurl = "sqlite+aiosqlite:///{database}"\n[backfill]\nchannels = [{{ id = "100" }}]\n'
    )
    export = big_export(tmp_path)

    first = backfill(config, export)
    deadline = time.monotonic() + 120
    while position(database)[0] == 0 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(10)
    killed_at, done = position(database)
    assert 0 < killed_at < COUNT and not done, (killed_at, done)

    second = backfill(config, export)
    _, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    found = re.search(r"backfilled 1 source: (\d+) messages? stored", err)
    assert found is not None, err
    stored_now = int(found.group(1))
    assert stored_now <= COUNT - killed_at, "the second run went on from the checkpoint, not from the start"

    with sqlite3.connect(database) as connection:
        ids = [row[0] for row in connection.execute("SELECT external_id FROM messages")]
        rows = connection.execute("SELECT count(*) FROM backfill_rows WHERE kind = 'message'").fetchone()[0]
    assert len(ids) == len(set(ids)) == COUNT
    assert set(ids) == {str(1_000_000 + n) for n in range(COUNT)}
    assert rows == COUNT, "every stored message is recorded for --remove, none twice"
    assert position(database) == (COUNT, 1)

    third = backfill(config, export)
    _, err = third.communicate(timeout=120)
    assert "0 messages stored" in err
