"""The slash tree is generated from the command declarations, and what members type in it reaches the core."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from copbot.commands.catalog import builtin_registry
from copbot.commands.spec import Kind
from copbot.core.events import CommandInvoked, MessagePosted
from copbot.knowledge.entries import entry_tags
from copbot.store.models import Message
from tests.adapters.discord import interaction_payloads as ip
from tests.adapters.discord import payloads as p
from tests.adapters.discord.app_harness import Community, running_community, thread_create
from tests.adapters.discord.fake_api import FakeDiscord, Payload

COMMANDS = r"/applications/\d+/guilds/\d+/commands"
POST_ID = "1200000000000000040"
BOB = p.user(p.BOB_ID, "Bob")


@pytest.fixture
async def community(tmp_path: Path, api: FakeDiscord) -> AsyncIterator[Community]:
    async with running_community(tmp_path, api) as running:
        yield running


def synced(community: Community) -> dict[str, Payload]:
    [sync] = community.api.requests("PUT", COMMANDS)
    return {command["name"]: command for command in sync.body}


def options_of(command: Payload) -> dict[str, Payload]:
    return {option["name"]: option for option in command.get("options", [])}


async def test_the_synced_tree_is_the_declarations(community: Community) -> None:
    commands = synced(community)
    registry = builtin_registry()
    assert set(commands) == {*registry.names(), "Add to knowledge base"}
    for spec in registry.specs():
        if spec.subcommands:
            subs = options_of(commands[spec.name])
            assert set(subs) == {sub.name for sub in spec.subcommands}
            declared = {f"{sub.name} {o.name}": o for sub in spec.subcommands for o in sub.options}
            offered = {f"{s} {o['name']}": o for s, sub in subs.items() for o in sub.get("options", [])}
        else:
            declared = {o.name: o for o in spec.options}
            offered = options_of(commands[spec.name])
        assert set(offered) == set(declared), spec.name
        for key, option in declared.items():
            assert bool(offered[key].get("required")) is option.required, key
            assert bool(offered[key].get("autocomplete")) is (option.completes_tags and option.kind is not Kind.CHOICE)
            assert [c["value"] for c in offered[key].get("choices", [])] == [c.value for c in option.choices]


async def test_moderator_commands_are_hidden_from_members_by_default(community: Community) -> None:
    commands = synced(community)
    for name in ("pin", "unpin", "Add to knowledge base"):
        assert int(commands[name]["default_member_permissions"]) == p.MANAGE_MESSAGES, name
    for name in ("ask", "search", "share", "solved", "kb", "privacy", "help", "experts"):
        assert commands[name]["default_member_permissions"] is None, name


async def test_kb_edit_offers_the_fields_the_core_accepts(community: Community) -> None:
    edit = options_of(options_of(synced(community)["kb"])["edit"])
    assert set(edit) == {"entry", "title", "tags", "summary"}
    assert [name for name, option in edit.items() if option.get("required")] == ["entry"]


async def test_solved_names_an_answer_and_unpin_needs_nothing(community: Community) -> None:
    commands = synced(community)
    assert [(o["name"], bool(o.get("required"))) for o in commands["solved"]["options"]] == [("answer", False)]
    assert [(o["name"], bool(o.get("required"))) for o in commands["unpin"]["options"]] == [("target", False)]
    assert [(o["name"], bool(o.get("required"))) for o in commands["pin"]["options"]] == [("message", False)]


async def answered(community: Community, payload: Payload) -> dict[str, Any]:
    community.interact(payload)
    [callback] = await community.callbacks(payload)
    data: dict[str, Any] = callback.body["data"]
    return data


async def test_share_with_the_tags_option_stores_the_tags(community: Community) -> None:
    options = [ip.option("text", "Lockout checklist https://example.org/lockout"), ip.option("tags", "safety, ppe")]
    data = await answered(community, ip.slash("share", options))
    assert data["content"].startswith("Thanks, Alice! Shared as kb1")
    [entry] = await community.entries()
    assert entry.resource_url == "https://example.org/lockout"
    async with community.services.sessions() as session:
        assert sorted(await entry_tags(session, entry.id)) == ["ppe", "safety"]


async def test_search_with_the_tags_option_narrows_the_results(community: Community) -> None:
    await answered(community, ip.slash("share", [ip.option("text", "Tomato blight spray"), ip.option("tags", "pests")]))
    await answered(community, ip.slash("share", [ip.option("text", "Tomato staking guide")]))
    narrowed = await answered(community, ip.slash("search", [ip.option("query", "tomato"), ip.option("tags", "pests")]))
    assert [embed["title"] for embed in narrowed["embeds"]] == ["[kb1] Tomato blight spray"]
    everything = await answered(community, ip.slash("search", [ip.option("query", "tomato")]))
    assert len(everything["embeds"]) == 2


async def test_ask_with_the_tags_option_records_them_with_the_question(community: Community) -> None:
    payload = ip.slash("ask", [ip.option("question", "Which gloves for solvents?"), ip.option("tags", "ppe")])
    community.interact(payload)
    [thread] = await community.api.expect("POST", rf"/channels/{p.TEXT_ID}/threads")
    assert thread.body["name"] == "Which gloves for solvents?"
    [command] = await community.adapter.handled_events(CommandInvoked)
    assert command.options == {"question": "Which gloves for solvents?", "tags": "ppe"}
    async with community.services.sessions() as session:
        [stored] = list(await session.scalars(select(Message.text)))
    assert stored == "Which gloves for solvents? #ppe"


async def test_pin_takes_a_message_link(community: Community) -> None:
    tip = community.post(p.message(p.TEXT_ID, "Torque the wheel nuts in a star pattern", author=BOB))
    await community.adapter.handled_events(MessagePosted)
    link = f"https://discord.com/channels/{p.GUILD_ID}/{p.TEXT_ID}/{tip['id']}"
    data = await answered(community, ip.slash("pin", [ip.option("message", link)], who=p.BOB))
    assert data["content"].startswith("Saved to the knowledge base as kb1")
    [entry] = await community.entries()
    assert entry.captured_via == "pin" and entry.question == tip["content"]


async def test_kb_edit_changes_title_and_tags(community: Community) -> None:
    await answered(community, ip.slash("share", [ip.option("text", "Rota template")]))
    fields = [ip.option("entry", "kb1"), ip.option("title", "Weekly rota template"), ip.option("tags", "rota")]
    data = await answered(community, ip.slash("kb", [ip.subcommand("edit", fields)], who=p.BOB))
    assert data["content"] == "Updated entry kb1: tags, title."
    [entry] = await community.entries()
    assert entry.title == "Weekly rota template"
    async with community.services.sessions() as session:
        assert await entry_tags(session, entry.id) == ["rota"]


async def test_a_member_may_not_kb_edit(community: Community) -> None:
    await answered(community, ip.slash("share", [ip.option("text", "Rota template")]))
    fields = [ip.option("entry", "kb1"), ip.option("title", "Mine now")]
    data = await answered(community, ip.slash("kb", [ip.subcommand("edit", fields)], who=p.ALICE))
    assert data["flags"] == ip.EPHEMERAL
    assert data["content"].startswith("Sorry, only knowledge editors and moderators can edit knowledge base entries.")
    [entry] = await community.entries()
    assert entry.title == "Rota template"


async def forum_question(community: Community) -> tuple[Payload, Payload, Payload]:
    """Alice asks in a forum post; Bob answers, then chats; returns the post and Bob's two messages."""
    post = p.thread(POST_ID, p.FORUM_ID, "Wheel nuts", tags=[])
    community.api.channels[POST_ID] = post
    community.gateway("THREAD_CREATE", thread_create(post))
    community.post(p.message(POST_ID, "In which order do I torque wheel nuts?", message_id=POST_ID))
    answer = community.post(p.message(POST_ID, "In a star pattern, in two passes.", author=BOB))
    chatter = community.post(p.message(POST_ID, "Good luck with the rally!", author=BOB))
    await community.adapter.handled_events(MessagePosted, 3)
    return post, answer, chatter


async def test_solved_names_the_answer_by_its_link(community: Community) -> None:
    post, answer, _ = await forum_question(community)
    link = f"https://discord.com/channels/{p.GUILD_ID}/{POST_ID}/{answer['id']}"
    data = await answered(community, ip.slash("solved", [ip.option("answer", link)], channel=post))
    assert data["content"].startswith("Saved to the knowledge base as kb1")
    [entry] = await community.entries()
    assert [m.text for m in entry.messages if m.role == "answer"] == [answer["content"]]


async def test_unpin_without_arguments_takes_back_this_threads_pin(community: Community) -> None:
    post, _, _ = await forum_question(community)
    pinned = await answered(community, ip.slash("pin", [], channel=post, who=p.BOB))
    assert pinned["content"].startswith("Saved to the knowledge base as kb1")
    data = await answered(community, ip.slash("unpin", [], channel=post, who=p.BOB))
    assert data["content"] == "Unpinned: entry kb1 is removed from the knowledge base."
    assert await community.entries() == []


async def test_privacy_export_arrives_privately_as_one_json_file(community: Community) -> None:
    await answered(community, ip.slash("share", [ip.option("text", "Grafting knife care, oil after each use")]))
    payload = ip.slash("privacy", [ip.option("action", "export")])
    community.interact(payload)
    [callback] = await community.callbacks(payload)
    assert callback.body["data"]["flags"] & 64, "ephemeral: only the member sees it"
    [(name, data)] = callback.body["files"].items()
    assert name == "copbot-my-data.json"
    exported = json.loads(data)
    assert "Grafting knife care" in json.dumps(exported), "the whole export, in one piece"
