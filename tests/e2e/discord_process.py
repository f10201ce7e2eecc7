"""``copbot run`` as an admin runs it, as a subprocess of the test, connected to the Discord stand-in."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.adapters.discord import payloads as p
from tests.e2e.discord_standin.server import StandIn

REPO = Path(__file__).resolve().parents[2]
STARTED = "discord adapter started"


def write_config(directory: Path, extra: str = "") -> Path:
    """A real TOML config: SQLite in ``directory``, Discord enabled with its token from the environment."""
    config = directory / "copbot.toml"
    config.write_text(
        f'[bot]\nlog_level = "INFO"\n\n[database]\nurl = "sqlite+aiosqlite:///{directory / "copbot.sqlite3"}"\n\n'
        f'[discord]\nenabled = true\ntoken = {{ env = "DISCORD_TOKEN" }}\nguild_ids = [{p.GUILD_ID}]\n{extra}'
    )
    return config


@dataclass
class BotProcess:
    """One run of the bot; its stderr (the log) goes to a file so it can never block."""

    api: StandIn
    config: Path
    token: str | None = None
    process: asyncio.subprocess.Process | None = None
    log_path: Path = field(init=False)
    runs: int = 0

    def __post_init__(self) -> None:
        self.log_path = self.config.parent / "copbot.log"

    async def start(self, *, wait: bool = True) -> None:
        """Start ``python -m tests.e2e.discord_launch`` and, with ``wait``, wait until the adapter is up."""
        self.runs += 1
        env = {**os.environ, "DISCORD_TOKEN": self.token or self.api.token, "PYTHONUNBUFFERED": "1"}
        with self.log_path.open("a") as log:
            log.write(f"----- run {self.runs}\n")
            log.flush()
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.e2e.discord_launch", "--api", self.api.base,
                "--gateway", self.api.gateway_url, "--config", str(self.config),
                cwd=REPO, env=env, stdout=log, stderr=log, stdin=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
        if wait:
            await self.wait_for_log(STARTED)

    def log(self) -> str:
        """This run's log (everything after the last run marker)."""
        return self.log_path.read_text().rpartition(f"----- run {self.runs}\n")[2]

    async def wait_for_log(self, needle: str, within: float = 30.0) -> None:
        async with asyncio.timeout(within):
            while needle not in self.log():
                if self.process is not None and self.process.returncode is not None:
                    raise AssertionError(f"copbot exited ({self.process.returncode}) before {needle!r}:\n{self.log()}")
                await asyncio.sleep(0.05)

    async def stop(self, sig: signal.Signals = signal.SIGTERM, within: float = 30.0) -> int:
        """Send ``sig`` and wait for the process to end; its exit code."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(sig)
        return await self.exited(within)

    async def exited(self, within: float = 30.0) -> int:
        assert self.process is not None
        async with asyncio.timeout(within):
            return await self.process.wait()

    async def ensure_stopped(self) -> None:
        """Kill the process if a test left it running."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
