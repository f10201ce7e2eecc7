"""End to end on Discord: gateway payloads into discord.py, the real copbot core, REST calls out to the fake API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from copbot.core.events import CommandInvoked, MessageDeleted, MessageEdited, MessagePosted, ReactionAdded
from tests.adapters.discord import interaction_payloads as ip
from tests.adapters.discord import payloads as p
from tests.adapters.discord.app_harness import Community, running_community, thread_create
from tests.adapters.discord.fake_api import FakeDiscord, Payload

BOB = p.user(p.BOB_ID, "Bob")
POST_ID = "1200000000000000040"
QUESTION = "How do I cancel an asyncio task that never returns? #asyncio"
ANSWER = "Call task.cancel() and then await the task; wrap the await in asyncio.timeout so it cannot hang."
JUMP = f"https://discord.com/channels/{p.GUILD_ID}/{POST_ID}/{POST_ID}"


@pytest.fixture
async def community(tmp_path: Path, api: FakeDiscord) -> AsyncIterator[Community]:
    async with running_community(tmp_path, api) as running:
        yield running


async def solved_forum_post(community: Community) -> Payload:
    """Alice opens a forum post, Bob answers, Alice reacts ✅ to the answer; returns the answer."""
    post = p.thread(POST_ID, p.FORUM_ID, "Cancelling a stuck task", tags=[p.PYTHON_TAG_ID])
    community.api.channels[POST_ID] = post
    community.gateway("THREAD_CREATE", thread_create(post))
    community.post(p.message(POST_ID, QUESTION, message_id=POST_ID))
    answer = community.post(p.message(POST_ID, ANSWER, author=BOB))
    await community.adapter.handled_events(MessagePosted, 2)
    community.gateway("MESSAGE_REACTION_ADD", p.reaction(answer["id"], POST_ID, "✅"))
    await community.adapter.handled_events(ReactionAdded)
    return answer


async def test_ask_in_a_text_channel_opens_a_thread_and_answers_in_it(community: Community) -> None:
    payload = ip.slash("ask", [ip.option("question", "Why does my event loop block on file reads?")])
    community.interact(payload)
    [opened] = await community.api.expect("POST", rf"/channels/{p.TEXT_ID}/threads")
    assert opened.body["name"] == "Why does my event loop block on file reads?" and opened.body["type"] == 11
    [thread] = community.api.threads_of(p.TEXT_ID)
    [answer] = await community.api.expect("POST", rf"/channels/{thread['id']}/messages")
    assert answer.body["content"].startswith(f"<@{p.ALICE_ID}> Question from Alice: Why does my event loop block")
    assert "answer in this thread" in answer.body["content"]
    # Only the asker sees where their question went.
    [linked] = await community.callbacks(payload)
    assert linked.body["type"] == 4 and linked.body["data"]["flags"] == ip.EPHEMERAL
    assert f"/channels/{p.GUILD_ID}/{thread['id']}" in linked.body["data"]["content"]


async def test_forum_post_solved_by_the_askers_reaction_is_captured_and_tagged(community: Community) -> None:
    answer = await solved_forum_post(community)
    [tagging] = await community.api.expect("PATCH", rf"/channels/{POST_ID}")
    assert set(tagging.body["applied_tags"]) == {p.SOLVED_TAG_ID, p.PYTHON_TAG_ID}
    [said] = await community.api.expect("POST", rf"/channels/{POST_ID}/messages")
    assert said.body["content"].startswith("Saved to the knowledge base as kb")
    [entry] = await community.entries()
    assert entry.question == QUESTION and entry.solved and entry.captured_via == "reaction"
    assert [m.external_id for m in entry.messages if m.role == "answer"] == [answer["id"]]
    [hit] = await community.search("cancel stuck task timeout")
    assert hit.public_id == entry.public_id and hit.url == JUMP


async def test_search_answers_privately_with_embeds_that_jump_to_the_entry(community: Community) -> None:
    await solved_forum_post(community)
    await community.api.expect("PATCH", rf"/channels/{POST_ID}")
    payload = ip.slash("search", [ip.option("query", "cancel a task")])
    community.interact(payload)
    [callback] = await community.callbacks(payload)
    assert callback.body["type"] == 4 and callback.body["data"]["flags"] == ip.EPHEMERAL
    assert "Knowledge base results" in callback.body["data"]["content"]
    [embed] = callback.body["data"]["embeds"]
    assert embed["url"] == JUMP and embed["title"] == "[kb1] " + QUESTION
    assert not community.api.requests("POST", rf"/channels/{p.TEXT_ID}/messages")


async def test_moderator_adds_a_message_with_the_context_menu(community: Community) -> None:
    question = community.post(p.message(p.TEXT_ID, "Which profiler shows where asyncio code waits?"))
    tip = community.post(p.message(p.TEXT_ID, "Try pyinstrument with async mode", author=BOB, reply_to=question["id"]))
    await community.adapter.handled_events(MessagePosted, 2)
    payload = ip.message_menu("Add to knowledge base", tip, who=p.BOB)
    community.interact(payload)
    [callback] = await community.callbacks(payload)
    assert callback.body["type"] == 4
    assert callback.body["data"]["content"].startswith("Saved to the knowledge base as kb")
    [entry] = await community.entries()
    assert entry.captured_via == "pin" and entry.question == question["content"]
    assert [m.text for m in entry.messages if m.role == "answer"] == [tip["content"]]


async def test_a_member_without_manage_messages_is_refused_privately(community: Community) -> None:
    tip = community.post(p.message(p.TEXT_ID, "Use uvloop for speed", author=BOB))
    await community.adapter.handled_events(MessagePosted)
    payload = ip.message_menu("Add to knowledge base", tip, who=p.ALICE)
    community.interact(payload)
    [refusal] = await community.callbacks(payload)
    assert refusal.body["type"] == 4 and refusal.body["data"]["flags"] == ip.EPHEMERAL
    assert refusal.body["data"]["content"] == (
        'Sorry, only moderators can pin threads into the knowledge base. Here that is decided by the Discord "Manage '
        'Messages" permission.'
    )
    await community.adapter.handled_events(CommandInvoked)
    assert await community.entries() == []


async def test_edits_and_deletions_of_a_captured_answer_reach_the_entry(community: Community) -> None:
    answer = await solved_forum_post(community)
    await community.api.expect("PATCH", rf"/channels/{POST_ID}")
    edited = "Call task.cancel(), then await it inside asyncio.shield-free code; a TaskGroup cancels siblings."
    community.gateway("MESSAGE_UPDATE", p.message(POST_ID, edited, author=BOB, message_id=answer["id"], edited=True))
    await community.adapter.handled_events(MessageEdited)
    [entry] = await community.entries()
    assert [m.text for m in entry.messages if m.role == "answer"] == [edited]
    assert [hit.public_id for hit in await community.search("TaskGroup siblings")] == [entry.public_id]

    community.gateway("MESSAGE_DELETE", p.message_delete(answer["id"], POST_ID))
    await community.adapter.handled_events(MessageDeleted)
    assert await community.search("TaskGroup siblings") == []
    [entry] = await community.entries()
    assert entry.question == QUESTION


async def test_a_failing_command_is_reported_and_the_next_one_works(community: Community) -> None:
    community.api.fail_next("POST", rf"/channels/{p.TEXT_ID}/threads")
    first = ip.slash("ask", [ip.option("question", "Why is my websocket closing?")])
    community.interact(first)
    [failed] = await community.callbacks(first)
    assert failed.body["data"]["flags"] == ip.EPHEMERAL
    assert failed.body["data"]["content"].startswith("Sorry, /ask failed")
    assert community.api.threads_of(p.TEXT_ID) == []

    second = ip.slash("ask", [ip.option("question", "Why is my websocket closing after a minute?")])
    community.interact(second)
    await community.api.expect("POST", rf"/channels/{p.TEXT_ID}/threads", count=2)
    [thread] = community.api.threads_of(p.TEXT_ID)
    [answer] = await community.api.expect("POST", rf"/channels/{thread['id']}/messages")
    assert "Why is my websocket closing after a minute?" in answer.body["content"]


async def test_asker_marks_the_forum_post_solved_with_a_public_answer(community: Community) -> None:
    post = p.thread(POST_ID, p.FORUM_ID, "Cancelling a stuck task", tags=[p.PYTHON_TAG_ID])
    community.api.channels[POST_ID] = post
    community.gateway("THREAD_CREATE", thread_create(post))
    community.post(p.message(POST_ID, QUESTION, message_id=POST_ID))
    community.post(p.message(POST_ID, ANSWER, author=BOB))
    await community.adapter.handled_events(MessagePosted, 2)
    payload = ip.slash("solved", [], channel=post)
    community.interact(payload)
    [callback] = await community.callbacks(payload)
    assert callback.body["type"] == 4 and not callback.body["data"].get("flags", 0) & ip.EPHEMERAL
    assert callback.body["data"]["content"].startswith("Saved to the knowledge base as kb")
    [tagging] = community.api.requests("PATCH", rf"/channels/{POST_ID}")
    assert p.SOLVED_TAG_ID in tagging.body["applied_tags"]
    assert not community.api.requests("POST", rf"/channels/{POST_ID}/messages")


@pytest.mark.parametrize(
    ("options", "said"),
    [([], "Your privacy settings:"), ([ip.option("action", "suggest on")], "Done: /experts may suggest you")],
)
async def test_privacy_answers_only_the_member(community: Community, options: list[Payload], said: str) -> None:
    payload = ip.slash("privacy", options)
    community.interact(payload)
    [callback] = await community.callbacks(payload)
    assert callback.body["data"]["flags"] == ip.EPHEMERAL and callback.body["data"]["content"].startswith(said)
