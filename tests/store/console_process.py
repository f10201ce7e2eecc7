"""``copbot run`` on the console as a child process fed through a pipe, for tests of the store under faults."""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


class ConsoleProcess:
    """A running ``copbot run`` whose stdin is a pipe the test writes lines to; stdout is read line by line."""

    def __init__(self, config: Path, **popen: Any) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        self.child = subprocess.Popen(
            [sys.executable, "-m", "copbot", "run", "--config", str(config)],
            cwd=config.parent,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            **popen,
        )
        self.out: list[str] = []
        self._err: list[bytes] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._readers = [threading.Thread(target=self._read, daemon=True),
                         threading.Thread(target=self._read_err, daemon=True)]  # fmt: skip
        for reader in self._readers:
            reader.start()

    def _read_err(self) -> None:
        assert self.child.stderr is not None
        self._err.extend(self.child.stderr)

    def _read(self) -> None:
        assert self.child.stdout is not None
        for raw in self.child.stdout:
            self._lines.put(raw.decode("utf-8", "replace"))
        self._lines.put(None)

    def send(self, *lines: str) -> None:
        """Type ``lines`` (a broken pipe means the bot already stopped: what it printed tells why)."""
        assert self.child.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.child.stdin.write("".join(f"{line}\n" for line in lines).encode())
            self.child.stdin.flush()

    def wait_for(self, text: str, timeout: float = 60) -> str:
        """The first output line from now on containing ``text`` (every line read is kept in ``out``)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no output line with {text!r} within {timeout} s") from None
            if line is None:
                raise AssertionError(f"the bot ended before printing {text!r}")
            self.out.append(line)
            if text in line:
                return line

    def finish(self, timeout: float = 60) -> tuple[int, str]:
        """Close input, wait for the exit; the return code and everything on stderr."""
        assert self.child.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.child.stdin.close()
        self.child.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=10)
        while not self._lines.empty():
            line = self._lines.get()
            if line is not None:
                self.out.append(line)
        return self.child.returncode, b"".join(self._err).decode("utf-8", "replace")

    def kill(self) -> None:
        """Make sure the child is gone (a failing test must not leave a bot running)."""
        if self.child.poll() is None:
            self.child.kill()
            self.child.wait(timeout=30)


@contextlib.contextmanager
def console_process(config: Path, **popen: Any) -> Iterator[ConsoleProcess]:
    """A ``ConsoleProcess`` that is killed at the end if it still runs."""
    bot = ConsoleProcess(config, **popen)
    try:
        yield bot
    finally:
        bot.kill()


def sqlite_config(folder: Path, database: Path) -> Path:
    """A config for the console on the SQLite file ``database``, written into ``folder``."""
    config = folder / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{database}"\n')
    return config
