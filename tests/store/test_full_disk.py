"""A full disk: the first failure is told with its reason, then counted (a line a minute at most), then the recovery."""

from __future__ import annotations

import contextlib
import logging
import resource
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from copbot.core.clock import ManualClock
from copbot.store.faults import WriteFailures, is_write_failure
from tests.store.console_process import console_process, sqlite_config

DISK_BYTES = 4 << 20
FLOOD = 300
"""Messages sent while the disk is full (before the fix each logged about 220 lines: 66,000 here)."""


def full_error() -> OperationalError:
    return OperationalError("INSERT ...", {}, sqlite3.OperationalError("database or disk is full"))


def test_failures_are_told_once_then_at_most_a_line_a_minute(caplog: pytest.LogCaptureFixture) -> None:
    clock = ManualClock(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    failures = WriteFailures(clock)
    with caplog.at_level(logging.WARNING, logger="copbot.store.faults"):
        for _ in range(1000):  # a thousand in ten seconds: one line
            failures.failed(full_error())
            clock.advance(timedelta(milliseconds=10))
        assert [r.getMessage() for r in caplog.records] == [
            "could not store a message: database or disk is full. copbot keeps running; further failures are "
            "counted, not logged one by one"
        ]
        clock.advance(timedelta(seconds=50))
        failures.failed(full_error())
        assert (
            caplog.records[-1].getMessage()
            == "1000 messages could not be stored since 09:00 (database or disk is full)"
        )
        for _ in range(30):
            clock.advance(timedelta(seconds=1))
            failures.failed(full_error())
        assert len(caplog.records) == 2, "no second summary within the minute"
        failures.succeeded()
        failures.succeeded()
        assert caplog.records[-1].getMessage() == "storing works again; 30 messages could not be stored since 09:01"
        assert len(caplog.records) == 3 and failures.total == 1031
    assert is_write_failure(full_error()) and not is_write_failure(ValueError("a bug, not the disk"))


@contextlib.contextmanager
def small_disk(folder: Path) -> Iterator[bool]:
    """A 4 MiB tmpfs at ``folder`` (True), or, where mounting is not allowed, nothing mounted (False)."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(folder)],
                             capture_output=True).returncode == 0  # fmt: skip
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Write zeros into a file on ``folder`` until the disk is full."""
    filler = folder / "filler"
    with contextlib.suppress(OSError), filler.open("wb", buffering=0) as handle:
        while True:
            handle.write(b"\0" * 65536)
    return filler


def file_size_limit(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_full_disk_is_told_once_with_a_count_and_the_recovery(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as mounted:
        database = tmp_path / "disk" / "copbot.sqlite3"
        config = sqlite_config(tmp_path, database)
        # Without a tmpfs (no right to mount): a file size limit makes the same writes fail (EFBIG), for good.
        limit = {} if mounted else {"preexec_fn": lambda: file_size_limit(2 << 20)}
        with console_process(config, **limit) as bot:
            bot.send("before: how do I prune tomatoes?", "mark 0")
            bot.wait_for("you: mark 0")
            filler = fill(database.parent) if mounted else None
            padding = "side shoots and suckers " * 60
            bot.send(*(f"lost {number} {padding}" for number in range(FLOOD)), "mark 1")
            bot.wait_for("you: mark 1", timeout=180)
            if filler is not None:
                filler.unlink()
                bot.send("after: storing works again", "mark 2")
                bot.wait_for("you: mark 2")
            code, err = bot.finish()
        with contextlib.closing(sqlite3.connect(database)) as db:
            texts = [text for (text,) in db.execute("SELECT text FROM messages ORDER BY id")]
    assert code == 0 and "Traceback" not in err, err[-3000:]
    lines = err.strip().splitlines()
    assert 1 <= len(lines) <= 4, f"{len(lines)} lines for {FLOOD} dropped messages:\n" + "\n".join(lines[:20])
    assert "could not store a message: " in lines[0]
    reason = "database or disk is full" if mounted else "disk I/O error"
    assert reason in lines[0] or "database or disk is full" in lines[0], lines[0]
    counted = [line for line in lines if "messages could not be stored since" in line]
    assert counted, "the dropped messages are counted"
    if mounted:
        assert "storing works again" in lines[-1], lines
        assert texts[0] == "before: how do I prune tomatoes?" and "after: storing works again" in texts
        told = sum(int(line.split(" messages")[0].split()[-1]) for line in counted)
        sent = FLOOD + 5  # before, the flood and the marks
        assert 1 + told == sent - len(texts), (told, len(texts))  # every message not stored is told, none twice
