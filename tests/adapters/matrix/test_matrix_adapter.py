"""MatrixAdapter against a real Synapse: events in, messages out, threads, pins and power levels."""

from __future__ import annotations

from nio import AsyncClient, JoinResponse

from copbot.adapters.matrix.power import CREATOR_LEVEL
from copbot.core.adapter import Card, Outgoing
from copbot.core.events import (
    CommandInvoked,
    Member,
    MessageDeleted,
    MessageEdited,
    MessagePinned,
    MessagePosted,
    MessageUnpinned,
    Place,
    ReactionAdded,
    ReactionRemoved,
)
from tests.adapters.matrix.conftest import StartAdapter
from tests.adapters.matrix.helpers import get_event, messages_from, room_with_bot, say, send
from tests.adapters.matrix.synapse import RegisteredUser, Synapse


async def test_message_in_and_thread_reply_out(
    synapse: Synapse,
    start_adapter: StartAdapter,
    member: AsyncClient,
    member_user: RegisteredUser,
    bot_user: RegisteredUser,
) -> None:
    adapter, sink = await start_adapter()
    room = await room_with_bot(member, bot_user.user_id)
    question = await say(member, room, "How do we review designs?")
    posted = await sink.wait_for(MessagePosted, lambda e: e.id == question)
    assert posted.place == Place("matrix", room)
    assert posted.author.id == member_user.user_id
    assert posted.created_at.tzinfo is not None

    thread = await adapter.open_thread(posted, "Design reviews")
    assert thread == Place("matrix", room, question)
    cards = (Card("Review guide", "https://example.org/guide", "How we review"),)
    sent = await adapter.send(thread, Outgoing.of("Try these:", cards))
    seen = await get_event(member, room, sent.id)
    assert seen["sender"] == bot_user.user_id
    relates = seen["content"]["m.relates_to"]
    assert relates["rel_type"] == "m.thread"
    assert relates["event_id"] == question
    assert relates["is_falling_back"] is True
    assert seen["content"]["msgtype"] == "m.notice"
    assert seen["content"]["format"] == "org.matrix.custom.html"
    assert '<a href="https://example.org/guide">Review guide</a>' in seen["content"]["formatted_body"]
    assert "1. Review guide <https://example.org/guide>" in seen["content"]["body"]
    assert sent.url == f"https://matrix.to/#/{room}/{sent.id}?via={synapse.server_name}"
    assert not [e for e in sink.events if getattr(e, "id", None) == sent.id], "own message was delivered"


async def test_private_answers_go_to_one_direct_message_room_not_the_shared_room(
    synapse: Synapse, start_adapter: StartAdapter, member: AsyncClient, bot_user: RegisteredUser
) -> None:
    adapter, sink = await start_adapter(command_prefix="?")
    room = await room_with_bot(member, bot_user.user_id)
    command_id = await say(member, room, "?privacy export")
    command = await sink.wait_for(CommandInvoked, lambda e: e.id == command_id)
    assert (command.name, command.args) == ("privacy", "export")
    answer = await adapter.respond_privately(command, Outgoing("Your data as JSON follows."))
    assert answer is not None and answer.place.room != room
    again = await adapter.respond_privately(command, Outgoing("{}"))
    assert again is not None and again.place.room == answer.place.room, "the direct-message room is reused"

    assert isinstance(await member.join(answer.place.room), JoinResponse)
    seen = await get_event(member, answer.place.room, answer.id)
    assert seen["content"]["body"] == "Your data as JSON follows."
    assert "m.relates_to" not in seen["content"]
    assert [m["content"]["body"] for m in await messages_from(member, room, bot_user.user_id)] == []
    direct = await synapse.admin_request(
        bot_user.access_token, "GET", f"/_matrix/client/v3/user/{bot_user.user_id}/account_data/m.direct"
    )
    assert direct == {member.user_id: [answer.place.room]}

    await adapter.stop()
    restarted, sink = await start_adapter(command_prefix="?")
    second = await say(member, room, "?experts kafka")
    command = await sink.wait_for(CommandInvoked, lambda e: e.id == second)
    later = await restarted.respond_privately(command, Outgoing("Nobody yet."))
    assert later is not None and later.place.room == answer.place.room, "found again through m.direct"
    in_dm = await say(member, answer.place.room, "?privacy")
    command = await sink.wait_for(CommandInvoked, lambda e: e.id == in_dm)
    reply = await restarted.respond_privately(command, Outgoing("Your privacy settings"))
    assert reply is not None and reply.place.room == answer.place.room


async def test_notices_from_other_bots_are_not_delivered(
    start_adapter: StartAdapter, member: AsyncClient, bot_user: RegisteredUser
) -> None:
    _, sink = await start_adapter()
    room = await room_with_bot(member, bot_user.user_id)
    await send(member, room, "m.room.message", {"msgtype": "m.notice", "body": "How do I rotate logs? !search logs"})
    marker = await say(member, room, "a person writes")
    await sink.wait_for(MessagePosted, lambda e: e.id == marker)
    assert [e.text for e in sink.of(MessagePosted)] == ["a person writes"]
    assert sink.of(CommandInvoked) == []


async def test_reaction_edit_redaction_in(
    start_adapter: StartAdapter, member: AsyncClient, bot_user: RegisteredUser
) -> None:
    _, sink = await start_adapter()
    room = await room_with_bot(member, bot_user.user_id)
    message = await say(member, room, "first draft")
    annotation = {"m.relates_to": {"rel_type": "m.annotation", "event_id": message, "key": "🎉"}}
    reaction = await send(member, room, "m.reaction", annotation)
    added = await sink.wait_for(ReactionAdded, lambda e: e.message_id == message)
    assert added.emoji == "🎉"
    await member.room_redact(room, reaction)
    removed = await sink.wait_for(ReactionRemoved, lambda e: e.message_id == message)
    assert removed.emoji == "🎉"

    edit = {
        "msgtype": "m.text",
        "body": "* final text",
        "m.new_content": {"msgtype": "m.text", "body": "final text"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": message},
    }
    await send(member, room, "m.room.message", edit)
    edited = await sink.wait_for(MessageEdited, lambda e: e.message_id == message)
    assert edited.text == "final text"
    await member.room_redact(room, message, reason="oops")
    deleted = await sink.wait_for(MessageDeleted, lambda e: e.message_id == message)
    assert deleted.place == Place("matrix", room)


async def test_pin_state_changes_in(start_adapter: StartAdapter, member: AsyncClient, bot_user: RegisteredUser) -> None:
    _, sink = await start_adapter()
    room = await room_with_bot(member, bot_user.user_id)
    first = await say(member, room, "pin me")
    second = await say(member, room, "pin me too")
    await member.room_put_state(room, "m.room.pinned_events", {"pinned": [first]})
    await sink.wait_for(MessagePinned, lambda e: e.message_id == first)
    await member.room_put_state(room, "m.room.pinned_events", {"pinned": [second]})
    await sink.wait_for(MessagePinned, lambda e: e.message_id == second)
    unpinned = await sink.wait_for(MessageUnpinned, lambda e: e.message_id == first)
    assert unpinned.member is not None and unpinned.member.id == member.user_id
    assert [e.message_id for e in sink.of(MessagePinned)] == [first, second]


async def test_fetch_thread_returns_root_and_replies_oldest_first(
    start_adapter: StartAdapter, member: AsyncClient, bot_user: RegisteredUser
) -> None:
    adapter, sink = await start_adapter()
    room = await room_with_bot(member, bot_user.user_id)
    root = await say(member, room, "Which CI do you use?")
    in_thread = {
        "rel_type": "m.thread",
        "event_id": root,
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": root},
    }
    replies = [await say(member, room, f"answer {n}", **{"m.relates_to": in_thread}) for n in range(3)]
    last = await sink.wait_for(MessagePosted, lambda e: e.id == replies[-1])
    assert last.place == Place("matrix", room, root)
    bot_reply = await adapter.send(Place("matrix", room, root), Outgoing("noted"))

    thread = await adapter.fetch_thread(Place("matrix", room, root))
    assert [m.id for m in thread] == [root, *replies, bot_reply.id]
    assert thread[0].opens_thread and thread[0].place.thread == root
    assert [m.text for m in thread[1:4]] == ["answer 0", "answer 1", "answer 2"]
    assert await adapter.fetch_thread(Place("matrix", room)) == []


async def test_member_info_reads_power_levels(
    synapse: Synapse, start_adapter: StartAdapter, member: AsyncClient, bot_user: RegisteredUser
) -> None:
    adapter, _ = await start_adapter()
    helper = await synapse.register("helper" + bot_user.user_id.split(":")[0].lstrip("@"))
    room = await room_with_bot(member, bot_user.user_id)
    place = Place("matrix", room)
    owner = await adapter.member_info(place, Member(member.user_id, "owner"))
    assert (owner.power_level, owner.platform_moderator) == (CREATOR_LEVEL, True), "v12 creator"
    bot = await adapter.member_info(place, Member(bot_user.user_id, "bot"))
    assert (bot.power_level, bot.platform_moderator) == (0, False)
    levels = await synapse.admin_request(
        member.access_token, "GET", f"/_matrix/client/v3/rooms/{room}/state/m.room.power_levels"
    )
    levels["users"][helper.user_id] = 50
    await member.room_put_state(room, "m.room.power_levels", levels)
    moderator = await adapter.member_info(place, Member(helper.user_id, "helper"))
    assert (moderator.power_level, moderator.platform_moderator) == (50, True)
