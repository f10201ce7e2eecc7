"""End-to-end copbot on a real Synapse: asking, solving with ✅, pins, edits, redactions and a homeserver restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from nio import RoomGetStateEventResponse, RoomPutStateResponse
from sqlalchemy import select

from copbot.store.models import Thread
from tests.adapters.matrix.helpers import eventually, say
from tests.adapters.matrix.scenario import Community, community
from tests.adapters.matrix.synapse import Synapse

QUESTION = "How do we rotate the Kafka broker logs?"
SAVED = "Saved to the knowledge base as"


@pytest.fixture
async def world(synapse: Synapse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Community]:
    async with community(synapse, tmp_path, monkeypatch) as running:
        yield running


async def test_ask_is_answered_in_a_thread_on_the_question(world: Community) -> None:
    slash, reply = await world.command(world.asker, f"/ask {QUESTION}", "Question from")
    relates = reply["content"]["m.relates_to"]
    assert (relates["rel_type"], relates["event_id"]) == ("m.thread", slash)
    assert reply["content"]["msgtype"] == "m.notice"
    assert "Nothing in the knowledge base answers this yet" in reply["content"]["body"]

    bang, reply = await world.command(world.helper, "!ask Where is the on-call rota kept?", "Question from")
    relates = reply["content"]["m.relates_to"]
    assert (relates["rel_type"], relates["event_id"]) == ("m.thread", bang)
    assert len(await world.replies_to(slash)) == 1
    assert world.app.services is not None
    async with world.app.services.sessions() as session:
        threads = list(await session.scalars(select(Thread).where(Thread.is_help_request).order_by(Thread.id)))
    assert [(t.thread_key, t.title) for t in threads] == [
        (slash, "How do we rotate the Kafka broker logs?"),
        (bang, "Where is the on-call rota kept?"),
    ]


async def test_answer_marked_solved_with_a_check_mark_is_found_by_search(world: Community) -> None:
    ask, _ = await world.command(world.asker, f"!ask {QUESTION}", "Question from")
    answer = await world.in_thread(world.helper, ask, "Set log.retention.hours to 48 and restart each broker.")
    await world.react(world.asker, answer, "✅")
    saved = await world.reply_to(ask, SAVED)
    [entry] = await world.entries()
    assert entry.public_id in saved["content"]["body"]
    assert (entry.solved, entry.captured_via, entry.source_room) == (True, "reaction", world.room)
    assert ("answer", "Set log.retention.hours to 48 and restart each broker.") in await world.entry_texts(entry.id)

    command, results = await world.command(world.helper, "/search kafka retention", entry.public_id)
    assert results["content"]["body"].startswith("Knowledge base results")
    assert results["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == command
    assert len(await world.entries()) == 1


async def test_room_admin_pinning_a_message_captures_it_and_a_members_pin_does_not(world: Community) -> None:
    levels = await world.admin.room_get_state_event(world.room, "m.room.power_levels")
    assert isinstance(levels, RoomGetStateEventResponse), levels
    content = {**levels.content, "events": {**levels.content.get("events", {}), "m.room.pinned_events": 0}}
    assert isinstance(
        await world.admin.room_put_state(world.room, "m.room.power_levels", content), RoomPutStateResponse
    )
    chatter = await say(world.asker, world.room, "Lunch at noon, anyone coming along today?")
    await world.pin(world.asker, [chatter])  # allowed by the room, but power level 0 is no moderator for copbot

    tip = await say(world.helper, world.room, "Tip: kafka-log-dirs --describe shows which broker disk is full.")
    await world.pin(world.admin, [chatter, tip])
    saved = await world.reply_to(tip, SAVED)
    [entry] = await world.entries()
    assert entry.public_id in saved["content"]["body"]
    assert entry.captured_via == "pin"
    texts = [text for _, text in await world.entry_texts(entry.id)]
    assert "Tip: kafka-log-dirs --describe shows which broker disk is full." in texts
    assert await world.search_ids("broker disk full") == [entry.public_id]
    assert await world.replies_to(chatter) == []


async def test_edits_and_redactions_reach_the_knowledge_base(world: Community) -> None:
    ask, _ = await world.command(world.asker, "!ask Which compression should the Kafka topics use?", "Question from")
    answer = await world.in_thread(world.helper, ask, "Use gzip on the topics.")
    await world.react(world.asker, answer, "✅")
    await world.reply_to(ask, SAVED)
    [entry] = await world.entries()
    assert await world.search_ids("zstd") == []

    await world.edit(world.helper, answer, "Use zstd on the topics; it is faster than gzip.")

    async def edited() -> bool:
        return ("answer", "Use zstd on the topics; it is faster than gzip.") in await world.entry_texts(entry.id)

    await eventually(edited, within=30)
    assert await world.search_ids("zstd") == [entry.public_id]
    await world.command(world.asker, "!search zstd", entry.public_id)

    await world.redact(world.helper, answer)

    async def redacted() -> bool:
        return all("zstd" not in text for _, text in await world.entry_texts(entry.id))

    await eventually(redacted, within=30)
    assert await world.search_ids("zstd") == []
    await world.command(world.asker, "!search zstd", "Nothing in the knowledge base matches")


async def test_synapse_restart_mid_session_neither_replays_nor_stops(world: Community) -> None:
    before, _ = await world.command(world.asker, "!search kafka", "Nothing in the knowledge base matches")
    await asyncio.to_thread(world.synapse.restart)
    after, _ = await world.command(world.asker, "!search after", "Nothing in the knowledge base matches", within=120)
    last, _ = await world.command(world.helper, f"/ask {QUESTION}", "Question from")
    assert len(await world.replies_to(before)) == 1
    assert len(await world.replies_to(after)) == 1
    assert len(await world.replies_to(last)) == 1
