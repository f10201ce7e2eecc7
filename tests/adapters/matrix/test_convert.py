"""Unit tests for Matrix event conversion on spec-shaped events parsed by nio."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nio import Event, ReactionEvent, RedactionEvent, RoomMessageNotice, RoomMessageText

from copbot.adapters.matrix.convert import (
    ConvertContext,
    convert_event,
    convert_nio,
    strip_reply_fallback,
    timestamp,
)
from copbot.commands.parse import TextCommands
from copbot.core.events import (
    CommandInvoked,
    MessageDeleted,
    MessageEdited,
    MessagePinned,
    MessagePosted,
    MessageUnpinned,
    Place,
    ReactionAdded,
    ReactionRemoved,
)

ROOM = "!room:example.org"
CTX = ConvertContext(bots=frozenset({"@otherbot:example.org"}))
TS = 1_700_000_000_123


def event(kind: str, content: dict[str, Any], event_id: str = "$ev1", **extra: Any) -> dict[str, Any]:
    """A client-server API room event as Synapse serves it."""
    return {
        "type": kind,
        "event_id": event_id,
        "sender": "@alice:example.org",
        "origin_server_ts": TS,
        "room_id": ROOM,
        "content": content,
        "unsigned": {"age": 1234},
        **extra,
    }


def names(user_id: str) -> str | None:
    return {"@alice:example.org": "Alice"}.get(user_id)


def test_text_message_becomes_message_posted_with_aware_utc_time() -> None:
    parsed = RoomMessageText.from_dict(event("m.room.message", {"msgtype": "m.text", "body": "hello"}))
    [result] = convert_nio(parsed, ROOM, CTX, names)
    assert isinstance(result, MessagePosted)
    assert result.place == Place("matrix", ROOM)
    assert result.id == "$ev1"
    assert result.text == "hello"
    assert result.author.name == "Alice"
    assert not result.author.is_bot
    assert result.created_at == datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)
    assert timestamp(0).tzinfo is UTC


def test_formatted_notice_uses_plain_body_and_is_never_a_command() -> None:
    content = {
        "msgtype": "m.notice",
        "body": "!ask bold",
        "format": "org.matrix.custom.html",
        "formatted_body": "<b>!ask bold</b>",
    }
    parsed = Event.parse_event(event("m.room.message", content))
    assert isinstance(parsed, RoomMessageNotice)
    [result] = convert_nio(parsed, ROOM, CTX)
    assert isinstance(result, MessagePosted)
    assert result.text == "!ask bold"
    assert result.author.name == "alice"


def test_reply_strips_fallback_and_sets_reply_to() -> None:
    content = {
        "msgtype": "m.text",
        "body": "> <@bob:example.org> original\n> second line\n\nmy answer",
        "m.relates_to": {"m.in_reply_to": {"event_id": "$orig"}},
    }
    [result] = convert_nio(Event.parse_event(event("m.room.message", content)), ROOM, CTX)
    assert isinstance(result, MessagePosted)
    assert result.reply_to == "$orig"
    assert result.text == "my answer"
    assert strip_reply_fallback("> quoted but no user\n\nkeep") == "> quoted but no user\n\nkeep"


def test_thread_message_is_placed_in_thread_and_fallback_reply_is_ignored() -> None:
    relates = {
        "rel_type": "m.thread",
        "event_id": "$root",
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": "$latest"},
    }
    content = {"msgtype": "m.text", "body": "in thread", "m.relates_to": relates}
    [result] = convert_nio(Event.parse_event(event("m.room.message", content)), ROOM, CTX)
    assert isinstance(result, MessagePosted)
    assert result.place == Place("matrix", ROOM, "$root")
    assert result.reply_to is None
    assert not result.opens_thread
    relates["is_falling_back"] = False
    [real_reply] = convert_event(event("m.room.message", content), ROOM, CTX)
    assert isinstance(real_reply, MessagePosted)
    assert real_reply.reply_to == "$latest"


def test_known_thread_root_opens_thread() -> None:
    unsigned = {"m.relations": {"m.thread": {"count": 2, "current_user_participated": False}}}
    source = event("m.room.message", {"msgtype": "m.text", "body": "question"}, "$root")
    source["unsigned"] = unsigned
    [result] = convert_event(source, ROOM, CTX)
    assert isinstance(result, MessagePosted)
    assert result.place.thread == "$root"
    assert result.opens_thread


def test_commands_with_prefix_or_slash_and_known_words_only() -> None:
    source = event("m.room.message", {"msgtype": "m.text", "body": "!Ask how do I deploy?\nwith details"})
    [result] = convert_event(source, ROOM, CTX)
    assert isinstance(result, CommandInvoked)
    assert (result.name, result.args, result.id) == ("ask", "how do I deploy?\nwith details", "$ev1")
    bang, question = TextCommands("!", CTX.commands), TextCommands("?", CTX.commands)
    assert bang.recognise("/search kafka") == ("search", "kafka")
    assert bang.recognise("!solved") == ("solved", "")
    assert bang.recognise("!unknown thing") is None
    assert bang.recognise("! ask spaced") is None
    assert question.recognise("?kb list") == ("kb", "list")
    [plain] = convert_event(event("m.room.message", {"msgtype": "m.text", "body": "!nope"}), ROOM, CTX)
    assert isinstance(plain, MessagePosted)


def test_reaction_becomes_reaction_added_and_its_redaction_reaction_removed() -> None:
    relates = {"rel_type": "m.annotation", "event_id": "$target", "key": "👍"}
    parsed = Event.parse_event(event("m.reaction", {"m.relates_to": relates}, "$reaction"))
    assert isinstance(parsed, ReactionEvent)
    [added] = convert_nio(parsed, ROOM, CTX)
    assert isinstance(added, ReactionAdded)
    assert (added.message_id, added.emoji, added.member.id) == ("$target", "👍", "@alice:example.org")
    redaction = Event.parse_event(event("m.room.redaction", {}, "$red", redacts="$reaction"))
    assert isinstance(redaction, RedactionEvent)
    [removed] = convert_nio(redaction, ROOM, CTX, reactions={"$reaction": added})
    assert isinstance(removed, ReactionRemoved)
    assert (removed.message_id, removed.emoji) == ("$target", "👍")


def test_redaction_of_a_message_becomes_message_deleted_in_both_room_versions() -> None:
    old_style = Event.parse_event(event("m.room.redaction", {}, "$red", redacts="$gone"))
    [deleted] = convert_nio(old_style, ROOM, CTX)
    assert isinstance(deleted, MessageDeleted)
    assert deleted.message_id == "$gone"
    [v11] = convert_event(event("m.room.redaction", {"redacts": "$gone2"}, "$red2"), ROOM, CTX)
    assert isinstance(v11, MessageDeleted)
    assert v11.message_id == "$gone2"


def test_edit_becomes_message_edited_with_new_content() -> None:
    content = {
        "msgtype": "m.text",
        "body": "* fixed text",
        "m.new_content": {"msgtype": "m.text", "body": "fixed text"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": "$orig"},
    }
    [edited] = convert_nio(RoomMessageText.from_dict(event("m.room.message", content)), ROOM, CTX, names)
    assert isinstance(edited, MessageEdited)
    assert (edited.message_id, edited.text) == ("$orig", "fixed text")
    assert edited.author is not None and edited.author.name == "Alice"


def test_pinned_events_diff_uses_prev_content_or_known_list() -> None:
    source = event("m.room.pinned_events", {"pinned": ["$a", "$c"]}, state_key="")
    source["unsigned"] = {"prev_content": {"pinned": ["$a", "$b"]}}
    results = convert_nio(Event.parse_event(source), ROOM, CTX)
    assert [(type(r), r.message_id) for r in results if isinstance(r, MessagePinned | MessageUnpinned)] == [
        (MessagePinned, "$c"),
        (MessageUnpinned, "$b"),
    ]
    del source["unsigned"]
    again = convert_event(source, ROOM, CTX, pinned_before=["$c"])
    assert [(type(r), r.message_id) for r in again if isinstance(r, MessagePinned)] == [(MessagePinned, "$a")]
    assert len(again) == 1


def test_other_bots_are_marked_and_redacted_or_unknown_events_ignored() -> None:
    source = event("m.room.message", {"msgtype": "m.text", "body": "beep"})
    source["sender"] = "@otherbot:example.org"
    [result] = convert_event(source, ROOM, CTX)
    assert isinstance(result, MessagePosted) and result.author.is_bot
    redacted = event("m.room.message", {}, unsigned={"redacted_because": {"type": "m.room.redaction"}})
    assert convert_nio(Event.parse_event(redacted), ROOM, CTX) == []
    assert convert_event(event("m.room.topic", {"topic": "x"}, state_key=""), ROOM, CTX) == []


def test_file_message_carries_an_attachment() -> None:
    content = {
        "msgtype": "m.file",
        "body": "notes.pdf",
        "url": "mxc://example.org/abc",
        "info": {"mimetype": "application/pdf"},
    }
    [result] = convert_event(event("m.room.message", content), ROOM, CTX)
    assert isinstance(result, MessagePosted)
    assert result.attachments[0].url == "mxc://example.org/abc"
    assert result.attachments[0].content_type == "application/pdf"
