"""`copbot run` with only Matrix enabled, as an admin starts it: it stays up, answers, keeps private things private."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import pytest
from nio import AsyncClient, RoomGetStateEventResponse

from tests.adapters.matrix.helpers import direct_room, eventually, say, send
from tests.adapters.matrix.synapse import Synapse
from tests.e2e.matrix_process import BotProcess, Room, shared_room

QUESTION = "How do we rotate the Kafka broker logs? Any help appreciated"
ANSWER = "Set log.retention.hours to 48 and restart each broker."


async def test_stays_up_until_sigterm_and_opens_a_thread_on_a_help_question(
    installation: BotProcess, room: Room
) -> None:
    started = time.monotonic()
    asker = room.people[0]
    question = await say(asker, room.room_id, QUESTION)
    reply = await room.reply_to(question, "I opened a thread")
    relates = reply["content"]["m.relates_to"]
    assert (relates["rel_type"], relates["event_id"]) == ("m.thread", question)
    await asyncio.sleep(max(0.0, 3 - (time.monotonic() - started)))
    assert installation.running(), f"copbot exited by itself:\n{installation.output()}"
    assert installation.terminate() == 0
    assert "Traceback" not in installation.output()


async def test_ask_search_and_solved_through_the_process(room: Room) -> None:
    asker, helper = room.people
    ask, reply = await room.command(asker, f"!ask {QUESTION}", "Question from")
    assert reply["content"]["m.relates_to"]["event_id"] == ask
    await room.in_thread(helper, ask, ANSWER)
    await room.in_thread(asker, ask, "!solved")
    saved = await room.reply_to(ask, "Saved to the knowledge base as")
    assert saved["content"]["m.relates_to"]["rel_type"] == "m.thread", "the reply stays in the question's thread"

    _, results = await room.command(helper, "!search kafka retention", "Knowledge base results")
    content = results["content"]
    assert "**" not in content["body"] and "**" not in content["formatted_body"]
    assert "<b>" in content["formatted_body"]
    assert "?via=copbot.test" in content["formatted_body"], "links name a server to join through"


async def test_control_and_bidi_characters_are_not_echoed(room: Room) -> None:
    _, reply = await room.command(
        room.people[0], "!search zebra\u202etxt.exe\u2066\x07", "Nothing in the knowledge base"
    )
    for text in (reply["content"]["body"], reply["content"].get("formatted_body", "")):
        assert not any(ch in text for ch in "\u202e\u2066\x07"), repr(text)
    assert "zebratxt.exe" in reply["content"]["body"]


async def test_private_answers_go_to_a_direct_message_room(installation: BotProcess, room: Room) -> None:
    asker, helper = room.people
    bot_id = installation.bot.user_id
    export = await say(asker, room.room_id, "!privacy export")
    dm = await direct_room(asker, bot_id)
    intro = await eventually(lambda: _containing(room, dm, asker, "Your data, everything I keep about you"), within=45)
    assert "m.relates_to" not in intro["content"]
    refused = await say(helper, room.room_id, "!kb delete kb1")  # the helper is no editor: a refusal
    helper_dm = await direct_room(helper, bot_id)
    assert helper_dm != dm
    await eventually(lambda: _containing(room, helper_dm, helper, "delete knowledge base entries"), within=45)
    experts = await say(helper, room.room_id, "!experts kafka")
    await eventually(lambda: _containing(room, helper_dm, helper, "about 'kafka'"), within=45)
    await room.command(helper, "!search marker", "Nothing in the knowledge base")
    assert [await room.replies_to(c) for c in (export, refused, experts)] == [[], [], []]
    shared = [m["content"]["body"] for m in await room.bot_messages()]
    assert not any("JSON" in body or "kafka" in body or "Sorry" in body for body in shared), shared


async def _containing(room: Room, room_id: str, reader: AsyncClient, text: str) -> dict[str, object] | None:
    return next((m for m in await room.bot_messages(room_id, reader) if text in m["content"]["body"]), None)


async def test_notices_posted_by_other_bots_get_no_answer(room: Room) -> None:
    asker, helper = room.people
    notice = await send(asker, room.room_id, "m.room.message", {"msgtype": "m.notice", "body": QUESTION})
    await room.command(helper, "!search marker", "Nothing in the knowledge base")
    assert await room.replies_to(notice) == []


async def test_a_room_removed_from_the_allow_list_is_left_after_restart(
    synapse: Synapse, installation: BotProcess, room: Room
) -> None:
    asker, helper = room.people
    kept = await shared_room(installation.bot.user_id, [helper, asker])
    await room.command(asker, "!search before", "Nothing in the knowledge base")
    assert installation.terminate() == 0
    installation.configure(allowed_rooms=[kept.room_id])
    installation.start()

    async def left() -> bool:
        response = await asker.room_get_state_event(room.room_id, "m.room.member", installation.bot.user_id)
        return isinstance(response, RoomGetStateEventResponse) and response.content.get("membership") == "leave"

    await eventually(left, within=45)
    await kept.command(helper, "!search after", "Nothing in the knowledge base")


async def test_a_refused_access_token_is_one_sentence_and_exit_code_2(
    synapse: Synapse, installation: BotProcess
) -> None:
    installation.bot = dataclasses.replace(installation.bot, access_token="syt_not_a_token")
    installation.configure()
    with pytest.raises(AssertionError, match="exited with 2"):
        installation.start()
    output = installation.output()
    assert "refused the access token" in output and "Traceback" not in output, output
