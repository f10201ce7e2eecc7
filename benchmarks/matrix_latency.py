"""Command-to-reply latency of copbot through a real Synapse, against a bare matrix-nio echo bot."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    JoinResponse,
    MatrixRoom,
    RoomCreateResponse,
    RoomMessage,
    RoomMessageText,
    RoomSendResponse,
)

if TYPE_CHECKING:
    from copbot.app import Application
    from tests.adapters.matrix.synapse import RegisteredUser, Synapse

ROOT = Path(__file__).resolve().parent.parent
TOKEN_ENV = "COPBOT_BENCH_MATRIX_ACCESS_TOKEN"
SYNC_TIMEOUT_MS = 30_000
TARGET_RATIO = 1.3
USAGE = "Run: .venv/bin/python benchmarks/matrix_latency.py [--rounds 50] [--command '!search something']"


def use_project_tests() -> None:
    """Make ``tests.adapters.matrix.synapse`` importable: the Synapse fixture lives with the Matrix tests."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def client_for(url: str, user: RegisteredUser) -> AsyncClient:
    client = AsyncClient(url, user.user_id, device_id=user.device_id, config=AsyncClientConfig(request_timeout=60))
    client.restore_login(user.user_id, user.device_id, user.access_token)
    return client


def reply_target(source: dict[str, Any]) -> str | None:
    relates = (source.get("content") or {}).get("m.relates_to") or {}
    target = (relates.get("m.in_reply_to") or {}).get("event_id")
    return target if isinstance(target, str) else None


class EchoBot:
    """The baseline: a minimal matrix-nio bot that answers every message with a reply notice."""

    def __init__(self, url: str, user: RegisteredUser) -> None:
        self.client = client_for(url, user)
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.client.sync(timeout=0, full_state=True)  # skip history, as copbot does on first start
        self.client.add_event_callback(self._on_message, RoomMessageText)
        self.task = asyncio.create_task(self.client.sync_forever(timeout=SYNC_TIMEOUT_MS))

    async def _on_message(self, room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender == self.client.user_id:
            return
        content = {
            "msgtype": "m.notice",
            "body": event.body,
            "m.relates_to": {"m.in_reply_to": {"event_id": event.event_id}},
        }
        await self.client.room_send(room.room_id, "m.room.message", content)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        await self.client.close()


class Member:
    """The person timing it: sends a message, notes when the reply to it arrives through its own sync."""

    def __init__(self, url: str, user: RegisteredUser) -> None:
        self.client = client_for(url, user)
        self.arrived: dict[str, float] = {}
        self.changed = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.client.sync(timeout=0, full_state=True)
        self.client.add_event_callback(self._on_message, RoomMessage)
        self.task = asyncio.create_task(self.client.sync_forever(timeout=SYNC_TIMEOUT_MS))

    async def _on_message(self, room: MatrixRoom, event: RoomMessage) -> None:
        target = reply_target(event.source)
        if target is not None and event.sender != self.client.user_id:
            self.arrived.setdefault(target, time.perf_counter())
            self.changed.set()

    async def round_trip(self, room_id: str, body: str, within: float = 60) -> float:
        """Seconds from sending ``body`` until the reply to it arrives at this member's sync."""
        started = time.perf_counter()
        response = await self.client.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": body})
        if not isinstance(response, RoomSendResponse):
            raise RuntimeError(f"sending {body!r} failed: {response}")
        event_id = str(response.event_id)
        deadline = started + within
        while event_id not in self.arrived:
            self.changed.clear()
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"no reply to {body!r} within {within}s")
            await asyncio.wait_for(self.changed.wait(), remaining)
        return self.arrived[event_id] - started

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        await self.client.close()


async def room_with(member: Member, bot_id: str) -> str:
    """A private room the member creates with ``bot_id`` invited; returns once the bot has joined."""
    created = await member.client.room_create(invite=[bot_id])
    assert isinstance(created, RoomCreateResponse), created
    for _ in range(600):
        members = await member.client.joined_members(created.room_id)
        if any(m.user_id == bot_id for m in getattr(members, "members", [])):
            return str(created.room_id)
        await asyncio.sleep(0.1)
    raise TimeoutError(f"{bot_id} did not join")


def time_dispatch(app: Application) -> list[float]:
    """Record how long copbot's dispatcher takes per command, to tell its own work from the network's."""
    from copbot.core.events import CommandInvoked

    assert app.dispatcher is not None
    dispatcher = app.dispatcher
    handle = dispatcher.handle
    durations: list[float] = []

    async def timed(adapter: Any, event: Any) -> None:
        started = time.perf_counter()
        await handle(adapter, event)
        if isinstance(event, CommandInvoked):
            durations.append(time.perf_counter() - started)

    dispatcher.handle = timed  # type: ignore[method-assign]
    return durations


def summary(name: str, seconds: list[float]) -> tuple[float, float]:
    """Print and return the median and the 95th percentile in milliseconds."""
    ms = sorted(s * 1000 for s in seconds)
    median = statistics.median(ms)
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[-1]
    print(f"{name:<8} n={len(ms)}  median {median:6.1f} ms  p95 {p95:6.1f} ms  min {ms[0]:6.1f}  max {ms[-1]:6.1f}")
    return median, p95


async def measure(synapse: Synapse, workdir: Path, rounds: int, warmup: int, command: str) -> float:
    """Start copbot and the echo bot, time ``rounds`` interleaved round trips each; returns the median ratio."""
    from copbot.app import Application
    from copbot.config.settings import parse_settings

    bot, echo_user, member_user = [await synapse.register(name) for name in ("copbot", "echo", "member")]
    os.environ[TOKEN_ENV] = bot.access_token
    settings = parse_settings(
        f'[database]\nurl = "sqlite+aiosqlite:///{workdir / "copbot.sqlite3"}"\n'
        f"[permissions]\nrate_limit_per_minute = 100000\n"
        f'[matrix]\nenabled = true\nhomeserver = "{synapse.url}"\nuser_id = "{bot.user_id}"\n'
        f'access_token = {{ env = "{TOKEN_ENV}" }}\nallowed_servers = ["{synapse.server_name}"]\n',
        source="benchmark.toml",
        base_dir=workdir,
    )
    app = Application(settings)
    echo = EchoBot(synapse.url, echo_user)
    member = Member(synapse.url, member_user)
    try:
        await app.start()
        handled = time_dispatch(app)
        await echo.start()
        copbot_room = await room_with(member, bot.user_id)
        echo_room = await member.client.room_create(invite=[echo_user.user_id])
        assert isinstance(echo_room, RoomCreateResponse), echo_room
        joined = await echo.client.join(echo_room.room_id)
        assert isinstance(joined, JoinResponse), joined
        await member.start()
        copbot_times: list[float] = []
        echo_times: list[float] = []
        for index in range(warmup + rounds):
            first_copbot = index % 2 == 0  # alternate the order so neither side always runs second
            pairs = [(copbot_room, copbot_times), (echo_room.room_id, echo_times)]
            for room_id, times in pairs if first_copbot else reversed(pairs):
                seconds = await member.round_trip(room_id, command)
                if index >= warmup:
                    times.append(seconds)
        copbot_median, _ = summary("copbot", copbot_times)
        echo_median, _ = summary("echo", echo_times)
        summary("dispatch", handled[-rounds:])
        print("(dispatch: copbot's own work per command inside the round trip: tracking, command, listeners)")
    finally:
        await member.stop()
        await echo.stop()
        await app.stop()
    ratio = copbot_median / echo_median
    print(f"ratio of medians copbot/echo: {ratio:.2f} (target <= {TARGET_RATIO})")
    return ratio


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, epilog=USAGE)
    parser.add_argument("--rounds", type=int, default=50, help="measured round trips per bot")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured round trips per bot first")
    parser.add_argument("--command", default="!search something", help="what the member sends")
    parser.add_argument("--check", action="store_true", help="exit 1 when the ratio is over the target")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    use_project_tests()
    from tests.adapters.matrix.synapse import Synapse

    with tempfile.TemporaryDirectory(prefix="copbot-matrix-bench-") as tmp:
        synapse = Synapse(Path(tmp) / "synapse")
        synapse.start()
        print(f"Synapse started in {synapse.last_start_seconds:.1f}s on {synapse.url}")
        try:
            ratio = asyncio.run(measure(synapse, Path(tmp), args.rounds, args.warmup, args.command))
        finally:
            synapse.stop()
    return 1 if args.check and ratio > TARGET_RATIO else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
