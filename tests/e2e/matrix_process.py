"""``copbot run --config FILE`` as a child process against a real Synapse, and the members who talk to it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nio import AsyncClient, JoinResponse

from tests.adapters.matrix.helpers import create_room, eventually, say, send, wait_joined
from tests.adapters.matrix.scenario import bot_reply, client_for, messages_by, relates_to, thread_content
from tests.adapters.matrix.synapse import RegisteredUser, Synapse

ROOT = Path(__file__).resolve().parents[2]
TOKEN_ENV = "MATRIX_TOKEN"
READY_LINE = "matrix adapter started"
WAIT = 45.0
"""Seconds any condition may take on a loaded machine."""


def config_text(synapse: Synapse, bot: RegisteredUser, *, allowed_rooms: list[str] | None = None) -> str:
    """The TOML an admin would write: SQLite next to the file, the token named by an environment variable."""
    allow = (
        f"allowed_rooms = {allowed_rooms!r}".replace("'", '"')
        if allowed_rooms is not None
        else f'allowed_servers = ["{synapse.server_name}"]'
    )
    return (
        '[database]\nurl = "sqlite+aiosqlite:///copbot.sqlite3"\n\n'
        "[permissions]\nrate_limit_per_minute = 1000\n\n"
        f'[matrix]\nenabled = true\nhomeserver = "{synapse.url}"\nuser_id = "{bot.user_id}"\n'
        f'access_token = {{ env = "{TOKEN_ENV}" }}\n{allow}\n'
    )


@dataclass
class BotProcess:
    """One bot installation: a directory with config.toml and the database; started and stopped as a process."""

    synapse: Synapse
    bot: RegisteredUser
    directory: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    exit_codes: list[int] = field(default_factory=list)

    @property
    def config(self) -> Path:
        return self.directory / "config.toml"

    @property
    def log(self) -> Path:
        return self.directory / f"copbot-{self.starts}.log"

    def configure(self, **options: Any) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.config.write_text(config_text(self.synapse, self.bot, **options))

    def start(self, within: float = 90.0) -> None:
        """Start ``python -m copbot run --config FILE`` from the repository root; return once Matrix is connected."""
        if not self.config.exists():
            self.configure()
        self.starts += 1
        env = {**os.environ, TOKEN_ENV: self.bot.access_token, "PYTHONUNBUFFERED": "1"}
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "copbot", "run", "--config", str(self.config)],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + within
        while READY_LINE not in self.output():
            if self.process.poll() is not None:
                raise AssertionError(f"copbot exited with {self.process.returncode}:\n{self.output()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"copbot did not connect within {within}s:\n{self.output()}")
            time.sleep(0.05)

    def output(self) -> str:
        """What the current run has logged so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def terminate(self, within: float = 30.0) -> int:
        """SIGTERM, as ``docker stop`` or systemd sends; returns the exit code."""
        assert self.process is not None, "not started"
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=within)
        self.exit_codes.append(code)
        self.process = None
        return code

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to clean up."""
        assert self.process is not None, "not started"
        self.process.kill()
        self.process.wait(timeout=30)
        self.process = None

    def entries(self) -> list[tuple[str, str, str]]:
        """(public id, title, captured via) of every knowledge entry, read straight from the SQLite file."""
        with sqlite3.connect(f"file:{self.directory / 'copbot.sqlite3'}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT public_id, title, captured_via FROM knowledge_entries ORDER BY id").fetchall()
        return [(str(a), str(b), str(c)) for a, b, c in rows]


@dataclass
class Room:
    """A shared room with the bot in it, seen through the clients of the people in it."""

    bot_id: str
    room_id: str
    people: list[AsyncClient]

    async def bot_messages(self, room_id: str | None = None, reader: AsyncClient | None = None) -> list[dict[str, Any]]:
        """Every message the bot posted in the room (or ``room_id``), oldest first."""
        reader = reader or self.people[0]
        return await messages_by(reader, room_id or self.room_id, self.bot_id, pages=20)

    async def replies_to(self, event_id: str) -> list[dict[str, Any]]:
        """The bot's messages in the thread of ``event_id`` or replying to it."""
        return [e for e in await self.bot_messages() if relates_to(e["content"], event_id)]

    async def reply_to(self, event_id: str, containing: str = "", within: float = WAIT) -> dict[str, Any]:
        """Wait for the bot's first reply to ``event_id`` whose body contains ``containing``."""
        return await bot_reply(self.bot_messages, event_id, containing, within)

    async def command(self, who: AsyncClient, text: str, containing: str = "") -> tuple[str, dict[str, Any]]:
        """Send ``text`` as ``who`` and wait for the bot's answer to it."""
        command_id = await say(who, self.room_id, text)
        return command_id, await self.reply_to(command_id, containing)

    async def in_thread(self, who: AsyncClient, root: str, body: str) -> str:
        return await send(who, self.room_id, "m.room.message", thread_content(root, body))

    async def react(self, who: AsyncClient, event_id: str, key: str) -> str:
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}
        return await send(who, self.room_id, "m.reaction", content)

    async def answer_counts(self, command_ids: list[str]) -> dict[str, int]:
        """How many times the bot answered each command."""
        messages = await self.bot_messages()
        return {cid: sum(relates_to(m["content"], cid) for m in messages) for cid in command_ids}


async def people(synapse: Synapse, names: list[str]) -> list[AsyncClient]:
    """Register one account per name and return logged-in matrix-nio clients for them."""
    return [client_for(synapse, await synapse.register(name)) for name in names]


async def shared_room(bot_id: str, members: list[AsyncClient]) -> Room:
    """The first member creates a room, invites the bot and the others; returns once all are in."""
    room_id = await create_room(members[0], [bot_id, *(m.user_id for m in members[1:])])
    for member in members[1:]:
        joined = await member.join(room_id)
        assert isinstance(joined, JoinResponse), joined
    await wait_joined(members[0], room_id, bot_id)
    return Room(bot_id, room_id, members)


async def burst_then_sigterm(bot: BotProcess, room: Room, count: int = 15, after_answers: int = 3) -> dict[str, int]:
    """Send ``count`` commands at once, SIGTERM the bot once a few are answered, restart it, count the answers."""
    member = room.people[0]
    ids = [await say(member, room.room_id, f"!search burst{n} widgets") for n in range(count)]

    async def some_answered() -> bool:
        return sum((await room.answer_counts(ids)).values()) >= after_answers

    await eventually(some_answered, within=WAIT)
    assert bot.terminate() == 0, bot.output()
    bot.start()

    async def all_answered() -> bool:
        return all((await room.answer_counts(ids)).values())

    try:
        await eventually(all_answered, within=WAIT)
    except AssertionError:
        counts = await room.answer_counts(ids)
        raise AssertionError(f"answers per command {list(counts.values())}; the bot logged:\n{bot.output()}") from None
    await room.command(member, "!search marker after the burst")  # anything repeated would come before it
    return await room.answer_counts(ids)
