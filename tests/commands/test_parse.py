"""Typed text is bound to a command's declared options the same way on every text platform."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from copbot.commands.catalog import builtin_registry
from copbot.commands.parse import TextCommands, bind, message_id, tag_list
from copbot.commands.spec import SUBCOMMAND, UsageError
from copbot.core.events import CommandInvoked, Member, Place

REGISTRY = builtin_registry()
NAMES = frozenset(REGISTRY.names())


def typed(line: str, prefix: str = "!") -> CommandInvoked:
    """The command a member typed, recognised and bound as the dispatcher binds it."""
    recognised = TextCommands(prefix, NAMES).recognise(line)
    assert recognised is not None, line
    name, args = recognised
    spec = REGISTRY.get(name)
    assert spec is not None
    event = CommandInvoked(
        id="m1", place=Place("matrix", "!r"), author=Member("@a:x", "A"), created_at=datetime.now(UTC),
        name=name, args=args,
    )  # fmt: skip
    return bind(spec, event, prefix)


def test_search_words_and_a_tags_option() -> None:
    command = typed("!search tomato blight tags:safety,pests")
    assert command.options == {"query": "tomato blight", "tags": "safety,pests"}
    assert typed("!search tags=safety tomato").options == {"query": "tomato", "tags": "safety"}
    assert typed("!search tomato tags: safety, ppe more words").options == {
        "query": "tomato more words",
        "tags": "safety,ppe",
    }


def test_kb_edit_takes_title_tags_and_summary_as_key_value() -> None:
    command = typed('!kb edit kb7 title="Rotating Kafka logs" tags=kafka,ops summary=Set retention, then restart')
    assert command.options == {
        SUBCOMMAND: "edit",
        "entry": "kb7",
        "title": "Rotating Kafka logs",
        "tags": "kafka,ops",
        "summary": "Set retention, then restart",
    }
    assert typed("/kb show kb3", "/").options == {SUBCOMMAND: "show", "entry": "kb3"}
    for written in ("[kb3]", "KB3", "#kb3", "kb3.", "`kb3`"):
        assert typed(f"/kb show {written}", "/").options == {SUBCOMMAND: "show", "entry": "kb3"}, written
    assert typed("/kb show Kb-Intro", "/").options["entry"] == "Kb-Intro"  # an imported id is kept as written


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("https://discord.com/channels/11/22/33", "33"),
        ("<https://ptb.discord.com/channels/11/22/33>", "33"),
        ("https://matrix.to/#/!room:example.org/$ev-1?via=example.org", "$ev-1"),
        ("https://matrix.to/#/%21room%3Aexample.org/%24ev-1", "$ev-1"),
        ("matrix:roomid/room:example.org/e/ev-1?via=example.org", "$ev-1"),
        ("console://general/c3", "c3"),
        ("1200000000000000061", "1200000000000000061"),
        ("$ev-1", "$ev-1"),
    ],
)
def test_message_references(reference: str, expected: str) -> None:
    assert message_id(reference) == expected
    assert typed(f"!pin {reference}").options == {"message": expected}


def test_a_link_to_something_else_is_refused_in_one_sentence() -> None:
    with pytest.raises(UsageError, match="does not point to a message"):
        message_id("https://example.org/page")


def test_choices_with_spaces_and_wrong_choices() -> None:
    assert typed("!privacy suggest on").options == {"action": "suggest on"}
    assert typed("!privacy").options == {}
    with pytest.raises(UsageError, match="!privacy stop, !privacy resume"):
        typed("!privacy maybe")


def test_extra_words_after_a_message_are_an_error() -> None:
    with pytest.raises(UsageError, match="'and more'"):
        typed("!solved $ev1 and more")


def test_tags_are_split_and_deduplicated() -> None:
    assert tag_list("#safety, ppe safety") == ["safety", "ppe"]


def test_usage_lines_come_from_the_declarations() -> None:
    ask, kb = REGISTRY.get("ask"), REGISTRY.get("kb")
    assert ask is not None and kb is not None
    assert ask.usage("!") == "!ask QUESTION [tags:a,b]"
    assert kb.usage_forms("/") == [
        "/kb show ID",
        "/kb edit ID [title:...] [tags:a,b] [summary:...]",
        "/kb delete ID",
        "/kb review [accept|reject|edit] [N] [title:...]",
    ]


def test_recognising_commands_in_chat() -> None:
    bang = TextCommands("!", NAMES)
    assert bang.recognise("!serch tomato") == ("serch", "tomato")
    assert bang.recognise("!important: the shed is locked") is None
    assert TextCommands("/", NAMES, also=(), claim_unknown=True).recognise("/nonsense") == ("nonsense", "")
