"""Conversion of gateway events, parsed by discord.py itself, into copbot events."""

from __future__ import annotations

import pytest

from copbot.core.events import (
    MessageDeleted,
    MessageEdited,
    MessagePinned,
    MessagePosted,
    MessageUnpinned,
    Place,
    ReactionAdded,
    ReactionRemoved,
    ThreadClosed,
)
from tests.adapters.discord import payloads as p
from tests.adapters.discord.conftest import Harness

GENERAL = Place("discord", p.TEXT_ID)
FORUM_POST = Place("discord", p.FORUM_ID, p.FORUM_POST_ID)


async def test_message_in_a_text_channel_is_posted(bot: Harness) -> None:
    payload = p.message(p.TEXT_ID, "How do I cancel an asyncio task?")
    bot.gateway("MESSAGE_CREATE", payload)
    [event] = await bot.sink.wait_for(MessagePosted)
    assert event.place == GENERAL
    assert event.id == payload["id"]
    assert event.text == "How do I cancel an asyncio task?"
    assert event.author.id == p.ALICE_ID and event.author.name == "Alice" and not event.author.is_bot
    assert event.created_at.tzinfo is not None
    assert not event.opens_thread and event.reply_to is None


async def test_reply_names_the_message_it_answers(bot: Harness) -> None:
    question = p.message(p.TEXT_ID, "Anyone used trio?")
    answer = p.message(p.TEXT_ID, "Yes, lots.", author=p.user(p.BOB_ID, "Bob"), reply_to=question["id"])
    bot.gateway("MESSAGE_CREATE", question)
    bot.gateway("MESSAGE_CREATE", answer)
    first, second = await bot.sink.wait_for(MessagePosted, 2)
    assert first.reply_to is None
    assert second.reply_to == question["id"] and second.author.name == "Bob"


async def test_forum_post_opening_message_opens_its_thread(bot: Harness) -> None:
    opening = p.message(p.FORUM_POST_ID, "My task never stops", message_id=p.FORUM_POST_ID)
    later = p.message(p.FORUM_POST_ID, "Did you await it?", author=p.user(p.BOB_ID, "Bob"))
    bot.gateway("MESSAGE_CREATE", opening)
    bot.gateway("MESSAGE_CREATE", later)
    first, second = await bot.sink.wait_for(MessagePosted, 2)
    assert first.place == FORUM_POST and first.opens_thread
    assert second.place == FORUM_POST and not second.opens_thread


async def test_reactions_on_uncached_messages_are_added_and_removed(bot: Harness) -> None:
    bot.gateway("MESSAGE_REACTION_ADD", p.reaction("1200000000000000777", p.FORUM_POST_ID, "✅"))
    bot.gateway("MESSAGE_REACTION_REMOVE", p.reaction("1200000000000000777", p.FORUM_POST_ID, "✅", add=False))
    [added] = await bot.sink.wait_for(ReactionAdded)
    [removed] = await bot.sink.wait_for(ReactionRemoved)
    assert added.place == FORUM_POST and added.message_id == "1200000000000000777"
    assert added.emoji == "✅" and added.member.id == p.ALICE_ID and added.member.name == "Alice"
    assert removed.member.id == p.ALICE_ID and removed.emoji == "✅"


async def test_edit_and_delete_of_uncached_messages(bot: Harness) -> None:
    edited = p.message(p.TEXT_ID, "Fixed the typo", message_id="1200000000000000555", edited=True)
    bot.gateway("MESSAGE_UPDATE", edited)
    bot.gateway("MESSAGE_DELETE", p.message_delete("1200000000000000555", p.TEXT_ID))
    [edit] = await bot.sink.wait_for(MessageEdited)
    [deletion] = await bot.sink.wait_for(MessageDeleted)
    assert edit.message_id == "1200000000000000555" and edit.text == "Fixed the typo" and edit.place == GENERAL
    assert deletion.message_id == "1200000000000000555" and deletion.place == GENERAL


async def test_cached_message_pin_and_unpin_transitions(bot: Harness) -> None:
    original = p.message(p.TEXT_ID, "Useful answer")
    bot.gateway("MESSAGE_CREATE", original)
    await bot.sink.wait_for(MessagePosted)
    bot.gateway("MESSAGE_UPDATE", {**original, "pinned": True})
    [pinned] = await bot.sink.wait_for(MessagePinned)
    bot.gateway("MESSAGE_UPDATE", {**original, "pinned": False})
    [unpinned] = await bot.sink.wait_for(MessageUnpinned)
    assert pinned.message_id == unpinned.message_id == original["id"]
    assert not [e for e in bot.sink.events if isinstance(e, MessageEdited)]


async def test_pin_system_message_names_who_pinned(bot: Harness) -> None:
    notice = p.message(p.TEXT_ID, "", author=p.user(p.BOB_ID, "Bob"), message_type=6)
    notice["message_reference"] = {"type": 0, "message_id": "1200000000000000444", "channel_id": p.TEXT_ID}
    bot.gateway("MESSAGE_CREATE", notice)
    [pinned] = await bot.sink.wait_for(MessagePinned)
    assert pinned.message_id == "1200000000000000444" and pinned.member is not None
    assert pinned.member.id == p.BOB_ID
    assert not [e for e in bot.sink.events if isinstance(e, MessagePosted)]


async def test_archiving_a_thread_closes_it(bot: Harness) -> None:
    bot.gateway("THREAD_UPDATE", p.thread(p.FORUM_POST_ID, p.FORUM_ID, "How do I cancel a task?", archived=True))
    [closed] = await bot.sink.wait_for(ThreadClosed)
    assert closed.place == FORUM_POST


async def test_archiving_an_uncached_thread_closes_it(bot: Harness) -> None:
    bot.gateway("THREAD_UPDATE", p.thread("1200000000000000333", p.TEXT_ID, "Old thread", archived=True))
    [closed] = await bot.sink.wait_for(ThreadClosed)
    assert closed.place == Place("discord", p.TEXT_ID, "1200000000000000333")


async def test_a_failing_sink_does_not_stop_later_events(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    bot.sink.fail_on = lambda event: isinstance(event, MessagePosted) and event.text == "boom"
    bot.gateway("MESSAGE_CREATE", p.message(p.TEXT_ID, "boom"))
    bot.gateway("MESSAGE_CREATE", p.message(p.TEXT_ID, "still here"))
    events = await bot.sink.wait_for(MessagePosted, 2)
    assert [event.text for event in events] == ["boom", "still here"]
    assert any("sink failed" in record.getMessage() for record in caplog.records)
