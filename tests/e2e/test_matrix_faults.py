"""Faults around the running process: SIGTERM mid-burst, a homeserver restart, kill -9 during a capture."""

from __future__ import annotations

import asyncio

from tests.adapters.matrix.synapse import Synapse
from tests.e2e.matrix_process import BotProcess, Room, burst_then_sigterm

QUESTION = "!ask Which compression should the Kafka topics use?"


async def test_sigterm_in_a_burst_of_commands_answers_each_exactly_once(installation: BotProcess, room: Room) -> None:
    for _ in range(2):
        counts = await burst_then_sigterm(installation, room)
        assert sorted(counts.values()) == [1] * 15, counts
    assert installation.exit_codes == [0, 0]


async def test_homeserver_restart_then_the_next_command_is_answered(
    synapse: Synapse, installation: BotProcess, room: Room
) -> None:
    asker = room.people[0]
    before, _ = await room.command(asker, "!search before", "Nothing in the knowledge base")
    await asyncio.to_thread(synapse.restart)
    after, _ = await room.command(asker, "!search after", "Nothing in the knowledge base")
    assert installation.running()
    assert [len(await room.replies_to(c)) for c in (before, after)] == [1, 1]


async def test_kill_9_during_a_capture_keeps_the_entry(installation: BotProcess, room: Room) -> None:
    asker, helper = room.people
    ask, _ = await room.command(asker, QUESTION, "Question from")
    answer = await room.in_thread(helper, ask, "Use zstd on the topics; it is faster than gzip.")
    await room.react(asker, answer, "✅")
    await asyncio.sleep(0.15)
    installation.kill()
    installation.start()
    saved = await room.reply_to(ask, "Saved to the knowledge base as")
    [(public_id, _, via)] = installation.entries()
    assert via == "reaction" and public_id in saved["content"]["body"]
    _, found = await room.command(helper, "!search zstd", public_id)
    assert found["content"]["body"].startswith("Knowledge base results")
