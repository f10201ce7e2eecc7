"""Issue 15 on Discord: native pins in any order, source links to messages, /ask threads, quiet searches."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from copbot.core.events import CommandInvoked, MessagePinned, MessagePosted
from tests.adapters.discord import interaction_payloads as ip
from tests.adapters.discord import payloads as p
from tests.adapters.discord.app_harness import Community, running_community
from tests.adapters.discord.fake_api import FakeDiscord, Payload

BOB = p.user(p.BOB_ID, "Bob")
LONG_QUESTION = (
    "My asyncio service reads a config file at startup, then opens a websocket to an upstream feed and fans "
    "messages out to forty subscribers; after about an hour every subscriber stalls at once while the feed keeps "
    "sending. Where should I start looking, and which tools show what each task is waiting on?"
)


@pytest.fixture
async def community(tmp_path: Path, api: FakeDiscord) -> AsyncIterator[Community]:
    async with running_community(tmp_path, api) as running:
        yield running


def link(channel_id: str, message_id: str) -> str:
    return f"https://discord.com/channels/{p.GUILD_ID}/{channel_id}/{message_id}"


def pin_notice(channel_id: str, pinned: Payload) -> Payload:
    """The "Bob pinned a message" system message (type 6) Discord posts after a native pin."""
    notice = p.message(channel_id, "", author=BOB, message_type=6)
    notice["message_reference"] = {"type": 0, "message_id": pinned["id"], "channel_id": channel_id,
                                   "guild_id": p.GUILD_ID}  # fmt: skip
    return notice


@pytest.mark.parametrize("update_first", [True, False])
async def test_a_moderators_native_pin_is_captured_whatever_the_order(community: Community, update_first: bool) -> None:
    tip = community.post(p.message(p.TEXT_ID, "Set PYTHONASYNCIODEBUG=1 to see slow callbacks", author=BOB))
    await community.adapter.handled_events(MessagePosted)
    update = {**tip, "pinned": True}
    for name, payload in [("MESSAGE_UPDATE", update), ("MESSAGE_CREATE", pin_notice(p.TEXT_ID, tip))][
        :: 1 if update_first else -1
    ]:
        community.gateway(name, payload)
    [said] = await community.api.expect("POST", rf"/channels/{p.TEXT_ID}/messages")
    assert said.body["content"].startswith("Saved to the knowledge base as kb1")
    [entry] = await community.entries()
    assert entry.captured_via == "pin" and entry.question == tip["content"]
    assert entry.source_url == link(p.TEXT_ID, tip["id"])
    pins = [e for e in community.adapter.handled if isinstance(e, MessagePinned) and e.member is not None]
    assert len(pins) == 1


async def test_a_reply_chain_pinned_by_the_context_menu_links_to_its_question(community: Community) -> None:
    question = community.post(p.message(p.TEXT_ID, "Which profiler shows where asyncio code waits?"))
    tip = community.post(p.message(p.TEXT_ID, "Try pyinstrument with async mode", author=BOB, reply_to=question["id"]))
    await community.adapter.handled_events(MessagePosted, 2)
    payload = ip.message_menu("Add to knowledge base", tip, who=p.BOB)
    community.interact(payload)
    await community.callbacks(payload)
    [entry] = await community.entries()
    assert entry.source_url == link(p.TEXT_ID, question["id"])


async def test_share_links_to_the_message_the_channel_sees(community: Community) -> None:
    payload = ip.slash("share", [ip.option("text", "The asyncio docs on debug mode https://docs.python.org/3/")])
    community.interact(payload)
    [callback] = await community.callbacks(payload)
    assert callback.body["data"]["content"].startswith("Thanks, Alice! Shared as kb1")
    await community.adapter.handled_events(CommandInvoked)
    [entry] = await community.entries()
    assert entry.source_url is not None and payload["id"] not in entry.source_url
    assert entry.source_url.startswith(link(p.TEXT_ID, ""))


async def test_a_long_ask_is_shown_whole_mentions_the_asker_and_links_the_thread(community: Community) -> None:
    payload = ip.slash("ask", [ip.option("question", LONG_QUESTION)])
    community.interact(payload)
    [opened] = await community.api.expect("POST", rf"/channels/{p.TEXT_ID}/threads")
    name = opened.body["name"]
    head = name.removesuffix("…")
    assert len(name) <= 100 and name.endswith("…") and LONG_QUESTION.startswith(head)
    assert not LONG_QUESTION[len(head)].isalnum(), "cut inside a word"
    [thread] = community.api.threads_of(p.TEXT_ID)
    [first] = await community.api.expect("POST", rf"/channels/{thread['id']}/messages")
    assert LONG_QUESTION in first.body["content"] and f"<@{p.ALICE_ID}>" in first.body["content"]
    [answer] = await community.callbacks(payload)
    assert answer.body["type"] == 4 and answer.body["data"]["flags"] == ip.EPHEMERAL
    assert f"https://discord.com/channels/{p.GUILD_ID}/{thread['id']}" in answer.body["data"]["content"]
    await community.adapter.handled_events(CommandInvoked)
    asked = community.api.messages[thread["id"]][0]
    community.post(p.message(thread["id"], "py-spy dump shows every task's stack", author=BOB))
    await community.adapter.handled_events(MessagePosted)
    solved = ip.slash("solved", [], channel=thread)
    community.interact(solved)
    await community.callbacks(solved)
    [entry] = await community.entries()
    assert entry.question == LONG_QUESTION and entry.source_url == link(thread["id"], asked["id"])


async def test_saved_replies_have_no_doubled_punctuation(community: Community) -> None:
    question = community.post(p.message(p.TEXT_ID, "Is there a holiday rota?"))
    tip = community.post(p.message(p.TEXT_ID, "Yes, pinned in #rota", author=BOB, reply_to=question["id"]))
    await community.adapter.handled_events(MessagePosted, 2)
    payload = ip.message_menu("Add to knowledge base", tip, who=p.BOB)
    community.interact(payload)
    [callback] = await community.callbacks(payload)
    said = callback.body["data"]["content"]
    assert "rota?" in said and "?." not in said


@pytest.mark.parametrize(
    "options",
    [[ip.option("query", "holiday rota")], [ip.subcommand("show", [ip.option("entry", "kb1")])]],
    ids=["search", "kb show"],
)
async def test_search_and_kb_show_answer_privately_with_a_button_to_post(
    community: Community, options: list[Payload]
) -> None:
    question = community.post(p.message(p.TEXT_ID, "Is there a holiday rota?"))
    tip = community.post(p.message(p.TEXT_ID, "Yes, pinned in #rota", author=BOB, reply_to=question["id"]))
    await community.adapter.handled_events(MessagePosted, 2)
    pinning = ip.message_menu("Add to knowledge base", tip, who=p.BOB)
    community.interact(pinning)
    await community.callbacks(pinning)
    payload = ip.slash("kb" if options[0]["type"] == 1 else "search", options)
    community.interact(payload)
    [callback] = await community.callbacks(payload)
    data = callback.body["data"]
    assert callback.body["type"] == 4 and data["flags"] == ip.EPHEMERAL
    [row] = data["components"]
    [button] = row["components"]
    assert button["label"] == "Post to channel"
    assert not community.api.requests("POST", rf"/channels/{p.TEXT_ID}/messages")

    await community.adapter.handled_events(CommandInvoked, 2)
    shown = community.api.callback_messages[payload["id"]]
    click = ip.button_click({**shown, "components": data["components"]}, button["custom_id"])
    community.interact(click)
    [posted] = await community.callbacks(click)
    assert posted.body["type"] == 4 and not posted.body["data"].get("flags", 0) & ip.EPHEMERAL
    assert posted.body["data"]["content"] == data["content"]


async def test_a_channel_configured_for_public_results_gets_them_in_the_channel(
    tmp_path: Path, api: FakeDiscord
) -> None:
    extra = f'[activity.channels."{p.TEXT_ID}"]\nprivate_results = false\n'
    async with running_community(tmp_path, api, extra=extra) as community:
        payload = ip.slash("kb", [ip.subcommand("show", [ip.option("entry", "kb1")])])
        community.interact(payload)
        [callback] = await community.callbacks(payload)
        assert callback.body["type"] == 4 and callback.body["data"]["flags"] == ip.EPHEMERAL
        assert "There is no entry" in callback.body["data"]["content"]
        share = ip.slash("share", [ip.option("text", "Rota template https://example.org/rota")])
        community.interact(share)
        await community.callbacks(share)
        shown = ip.slash("kb", [ip.subcommand("show", [ip.option("entry", "kb1")])])
        community.interact(shown)
        [public] = await community.callbacks(shown)
        assert public.body["type"] == 4 and not public.body["data"].get("flags", 0) & ip.EPHEMERAL
        assert public.body["data"]["content"].startswith("[kb1] Rota template")


async def test_stopping_lets_a_command_being_handled_finish(tmp_path: Path, api: FakeDiscord) -> None:
    async with running_community(tmp_path, api) as community:
        held = api.hold_next("POST", rf"/channels/{p.TEXT_ID}/threads")
        payload = ip.slash("ask", [ip.option("question", "Why does my event loop block on file reads?")])
        community.interact(payload)
        await asyncio.wait_for(held.arrived.wait(), 5)
        stopping = asyncio.ensure_future(community.app.stop())
        await asyncio.sleep(0.2)
        held.released.set()
        await asyncio.wait_for(stopping, 10)
    [thread] = api.threads_of(p.TEXT_ID)
    [asked] = api.requests("POST", rf"/channels/{thread['id']}/messages")
    assert "Why does my event loop block on file reads?" in asked.body["content"]
    [linked] = api.requests("POST", rf"/interactions/{payload['id']}/[^/]+/callback")
    assert thread["id"] in linked.body["data"]["content"]


async def test_solved_in_a_thread_started_on_a_reply_chain_answers_in_that_thread(community: Community) -> None:
    question = community.post(p.message(p.TEXT_ID, "How do I rotate the staging keys?"))
    community.post(p.message(p.TEXT_ID, "Run make rotate-keys on the bastion", author=BOB, reply_to=question["id"]))
    await community.adapter.handled_events(MessagePosted, 2)
    thread = p.thread(question["id"], p.TEXT_ID, "How do I rotate the staging keys?")
    community.api.channels[thread["id"]] = thread
    community.gateway("THREAD_CREATE", {**thread, "newly_created": True})
    payload = ip.slash("solved", [], channel=thread)
    community.interact(payload)
    [callback] = await community.callbacks(payload)
    await community.adapter.handled_events(CommandInvoked)
    assert callback.body["data"]["content"].startswith("Saved to the knowledge base as kb1")
    assert not community.api.requests("POST", rf"/channels/{p.TEXT_ID}/messages")
