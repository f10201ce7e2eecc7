"""Child process for the crash test: ingest an endless stream, printing the highest acknowledged number."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta

from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.config.settings import parse_settings
from copbot.core.events import Member, MessagePosted, Place

IN_FLIGHT = 64
START = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def event(number: int) -> MessagePosted:
    """Message ``number``: every fifth opens a reply chain, the others reply to the one before or sit in a thread."""
    place = Place("crash", "general")
    reply_to = None
    if number % 5 == 1:
        place = place.in_thread(f"m{number - 1}")
    elif number % 5:
        reply_to = f"m{number - 1}"
    author = Member(id=f"u{number % 17}", name=f"user {number % 17}")
    text = f"message {number}: why does the build fail with an error after the upgrade?"
    created = START + timedelta(seconds=number)
    return MessagePosted(place=place, created_at=created, id=f"m{number}", author=author, text=text, reply_to=reply_to)


async def main(path: str) -> None:
    settings = parse_settings(f'[database]\nurl = "sqlite+aiosqlite:///{path}"\n', source="crash.toml")
    memory = MemoryAdapter(platform="crash")
    app = Application(settings, adapters=[memory])
    await app.start()
    assert app.dispatcher is not None
    sink = app.dispatcher.sink_for(memory)
    acknowledged: set[int] = set()
    highest = -1
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def deliver(number: int) -> None:
        nonlocal highest
        try:
            await sink(event(number))  # returns once the batch holding it has committed
        finally:
            gate.release()
        acknowledged.add(number)
        before = highest
        while highest + 1 in acknowledged:
            highest += 1
            acknowledged.discard(highest)
        if highest != before:
            sys.stdout.write(f"{highest}\n")
            sys.stdout.flush()

    tasks: set[asyncio.Task[None]] = set()
    number = 0
    while True:
        await gate.acquire()
        task = asyncio.create_task(deliver(number))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        number += 1


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
