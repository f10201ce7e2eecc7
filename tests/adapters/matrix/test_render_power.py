"""Unit tests for outgoing content, power levels, room servers and sync backoff."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from copbot.adapters.matrix.adapter import MatrixAdapter
from copbot.adapters.matrix.power import CREATOR_LEVEL, creators_are_privileged, power_level
from copbot.adapters.matrix.render import message_content, reaction_content, render_html
from copbot.adapters.matrix.rooms import room_server
from copbot.adapters.matrix.sync import backoff_delay, parse_position
from copbot.core.adapter import Card, Outgoing
from copbot.core.events import Place
from tests.adapters.matrix.conftest import JsonFileState


def test_plain_text_has_no_html_and_cards_render_as_escaped_links() -> None:
    assert message_content(Outgoing("hi"), msgtype="m.text") == {"msgtype": "m.text", "body": "hi"}
    cards = (
        Card("A <b>guide</b>", "https://example.org/a?x=1&y=2", "desc", "by Bo"),
        Card("Bad link", "javascript:alert(1)"),
    )
    html = render_html(Outgoing.of("Results\nbelow", cards))
    assert html is not None
    assert html.startswith("Results<br/>below<ol>")
    assert '<a href="https://example.org/a?x=1&amp;y=2">A &lt;b&gt;guide&lt;/b&gt;</a>' in html
    assert "<em>by Bo</em>" in html
    assert "javascript" not in html and "<b>Bad link</b>" in html


def test_thread_and_reply_relations() -> None:
    fallback = message_content(Outgoing("x"), thread_root="$root", thread_latest="$last")
    assert fallback["m.relates_to"] == {
        "rel_type": "m.thread",
        "event_id": "$root",
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": "$last"},
    }
    real = message_content(Outgoing("x", html="<i>x</i>"), thread_root="$root", reply_to="$q")
    assert real["m.relates_to"]["is_falling_back"] is False
    assert real["m.relates_to"]["m.in_reply_to"] == {"event_id": "$q"}
    assert real["formatted_body"] == "<i>x</i>" and real["format"] == "org.matrix.custom.html"
    plain_reply = message_content(Outgoing("x"), reply_to="$q")
    assert plain_reply["m.relates_to"] == {"m.in_reply_to": {"event_id": "$q"}}
    assert reaction_content("$m", "👍")["m.relates_to"]["key"] == "👍"


def test_power_levels_with_and_without_privileged_creators() -> None:
    levels = {
        "type": "m.room.power_levels",
        "state_key": "",
        "content": {"users": {"@mod:x": 50, "@old:x": 100}, "users_default": 10},
    }

    def create(version: str) -> dict[str, object]:
        content = {"room_version": version, "additional_creators": ["@co:x"]}
        return {"type": "m.room.create", "state_key": "", "sender": "@old:x", "content": content}

    assert power_level([create("12"), levels], "@old:x") == CREATOR_LEVEL
    assert power_level([create("12"), levels], "@co:x") == CREATOR_LEVEL
    assert power_level([create("10"), levels], "@old:x") == 100
    assert power_level([create("10"), levels], "@mod:x") == 50
    assert power_level([create("10"), levels], "@someone:x") == 10
    assert power_level([create("10")], "@old:x") == 100
    assert creators_are_privileged("13") and not creators_are_privileged("11")


def test_room_server_from_id_creator_or_inviter() -> None:
    assert room_server("!abc:example.org") == "example.org"
    creator = SimpleNamespace(source={"type": "m.room.create", "sender": "@a:creator.org"})
    assert room_server("!abc", [creator]) == "creator.org"
    invite = SimpleNamespace(
        source={"type": "m.room.member"}, membership="invite", state_key="@bot:x", sender="@b:inviter.org"
    )
    assert room_server("!abc", [invite], "@bot:x") == "inviter.org"
    assert room_server("!abc", [invite], "@other:x") is None


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff_delay(n, 0.5, 3.0) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_the_stored_position_is_a_token_with_the_events_handled_after_it() -> None:
    assert parse_position(None) == (None, set())
    assert parse_position("s72_1_0_4") == ("s72_1_0_4", set()), "a token stored by an earlier version"
    assert parse_position('{"since": "s9_2", "done": ["$a", "$b"]}') == ("s9_2", {"$a", "$b"})


def test_search_highlights_are_bold_in_html_and_plain_in_the_body() -> None:
    hit = Card("[kb1] Rotating **kafka** logs", "https://matrix.to/#/!r/$e", "Set **retention** to 48h; a*b*c stays")
    content = message_content(Outgoing.of("Knowledge base results for “kafka”:", [hit]))
    assert "**" not in content["body"]
    assert "Rotating kafka logs" in content["body"] and "Set retention to 48h; a*b*c stays" in content["body"]
    assert "Rotating <b>kafka</b> logs" in content["formatted_body"]
    assert "Set <b>retention</b> to 48h; a*b*c stays" in content["formatted_body"]
    assert "**" not in content["formatted_body"]
    bold_text = message_content(Outgoing("found **it** <here>"))
    assert bold_text["body"] == "found it <here>"
    assert bold_text["formatted_body"] == "found <b>it</b> &lt;here&gt;"


def test_control_and_bidi_characters_are_never_echoed() -> None:
    query = "kafka\u202egol\u2066x\u2069\x1b[31m\x00\u200f"
    content = message_content(Outgoing.of(f"Nothing matches “{query}”.\nTry\tagain", [Card(query, None, query)]))
    for text in (content["body"], content["formatted_body"]):
        assert not any(ch in text for ch in "\u202e\u2066\u2069\x1b\x00\u200f"), repr(text)
    assert content["body"].startswith("Nothing matches “kafkagolx[31m”.\nTry\tagain")
    assert message_content(Outgoing("שלום 👩‍👩‍👧 ok"))["body"] == "שלום 👩‍👩‍👧 ok"


def test_message_links_name_a_server_to_join_through(tmp_path: Path) -> None:
    adapter = MatrixAdapter(
        "http://127.0.0.1:1", "@copbot:bot.example", state=JsonFileState(tmp_path / "s.json"), access_token="t"
    )
    assert adapter.message_url(Place("matrix", "!AbC-_d"), "$Ev-1_x") == (
        "https://matrix.to/#/!AbC-_d/$Ev-1_x?via=bot.example"
    )
    assert adapter.message_url(Place("matrix", "!old:rooms.example"), "$e") == (
        "https://matrix.to/#/!old:rooms.example/$e?via=bot.example&via=rooms.example"
    )
