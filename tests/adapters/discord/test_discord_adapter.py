"""The Discord adapter's actions and slash commands, recorded by the fake REST API."""

from __future__ import annotations

import asyncio

import pytest

from copbot.core.adapter import Card, Outgoing
from copbot.core.events import CommandInvoked, Member, MessagePosted, Place
from tests.adapters.discord import interaction_payloads as ip
from tests.adapters.discord import payloads as p
from tests.adapters.discord.conftest import Harness, make_harness
from tests.adapters.discord.fake_api import FakeDiscord

GENERAL = Place("discord", p.TEXT_ID)
FORUM_POST = Place("discord", p.FORUM_ID, p.FORUM_POST_ID)
COMMANDS = r"/applications/\d+/guilds/\d+/commands"


async def test_login_syncs_every_command_to_the_configured_guild(bot: Harness) -> None:
    [sync] = bot.api.requests("PUT", COMMANDS)
    assert sync.path == f"/applications/{p.APP_ID}/guilds/{p.GUILD_ID}/commands"
    names = {command["name"] for command in sync.body}
    assert names == {
        "ask", "share", "search", "solved", "pin", "unpin", "kb", "experts", "privacy", "help", "health",
        "Add to knowledge base",
    }  # fmt: skip
    menu = next(command for command in sync.body if command["name"] == "Add to knowledge base")
    assert menu["type"] == 3
    kb = next(command for command in sync.body if command["name"] == "kb")
    assert {option["name"] for option in kb["options"]} == {"show", "edit", "delete", "review"}
    assert all(command.get("description") or command["type"] == 3 for command in sync.body)
    privacy = next(command for command in sync.body if command["name"] == "privacy")
    [action] = privacy["options"]
    assert not action.get("required")
    assert [choice["value"] for choice in action["choices"]] == [
        "stop", "resume", "delete", "export", "suggest on", "suggest off", "web off", "web on",
    ]  # fmt: skip
    assert bot.adapter.bot_member == Member(p.BOT_ID, "copbot", is_bot=True)


async def test_slash_command_becomes_command_invoked_and_answers_privately(bot: Harness) -> None:
    payload = ip.slash("ask", [ip.option("question", "How do I profile?"), ip.option("tags", "python")])
    bot.gateway("INTERACTION_CREATE", payload)
    [command] = await bot.sink.wait_for(CommandInvoked)
    assert command.name == "ask" and command.interactive and command.id == payload["id"]
    assert command.options == {"question": "How do I profile?", "tags": "python"}
    assert command.args == ""  # typed options are bound by name in the core, as typed text is
    assert command.place == GENERAL and command.author.id == p.ALICE_ID

    sent = await bot.adapter.respond_privately(command, Outgoing.of("Only you can see this"))
    [callback] = bot.api.requests("POST", rf"/interactions/{payload['id']}/[^/]+/callback")
    assert callback.body["type"] == 4
    assert callback.body["data"]["flags"] == ip.EPHEMERAL
    assert callback.body["data"]["content"] == "Only you can see this"
    assert sent is not None and sent.place == GENERAL

    await bot.adapter.respond_privately(command, Outgoing.of("And this too"))
    [followup] = bot.api.requests("POST", rf"/webhooks/{p.APP_ID}/[^/]+")
    assert followup.body["flags"] == ip.EPHEMERAL and followup.body["content"] == "And this too"


async def test_unanswered_command_is_acknowledged_privately(bot: Harness) -> None:
    payload = ip.slash("help", [])
    bot.gateway("INTERACTION_CREATE", payload)
    await bot.sink.wait_for(CommandInvoked)
    pattern = rf"/interactions/{payload['id']}/[^/]+/callback"
    [callback] = await bot.api.expect("POST", pattern)
    assert callback.body["type"] == 4 and callback.body["data"]["flags"] == ip.EPHEMERAL


@pytest.mark.parametrize("answered", [True, False])
async def test_slow_core_gets_a_deferred_answer(api: FakeDiscord, answered: bool) -> None:
    harness = await make_harness(api, defer_after=0.05)
    gate = harness.sink.gate = asyncio.Event()
    try:
        payload = ip.slash("search", [ip.option("query", "cancellation")])
        harness.gateway("INTERACTION_CREATE", payload)
        [command] = await harness.sink.wait_for(CommandInvoked)
        pattern = rf"/interactions/{payload['id']}/[^/]+/callback"
        [deferred] = await api.expect("POST", pattern)
        assert deferred.body["type"] == 5 and deferred.body["data"]["flags"] == ip.EPHEMERAL
        if answered:
            await harness.adapter.respond_privately(command, Outgoing.of("3 results"))
            [followup] = api.requests("POST", rf"/webhooks/{p.APP_ID}/[^/]+")
            assert followup.body["content"] == "3 results" and followup.body["flags"] == ip.EPHEMERAL
        completed = asyncio.ensure_future(harness.adapter.client.wait_for("app_command_completion", timeout=5))
        gate.set()
        await completed
        original = rf"/webhooks/{p.APP_ID}/[^/]+/messages/@original"
        assert bool(api.requests("DELETE", original)) is not answered
        assert len(api.requests("POST", pattern)) == 1
    finally:
        await harness.adapter.stop()


async def test_kb_subcommand_and_privacy_choice(bot: Harness) -> None:
    bot.gateway("INTERACTION_CREATE", ip.slash("kb", [ip.subcommand("show", [ip.option("entry", "42")])]))
    bot.gateway("INTERACTION_CREATE", ip.slash("privacy", [ip.option("action", "export")]))
    kb, privacy = await bot.sink.wait_for(CommandInvoked, 2)
    assert kb.name == "kb" and kb.args == ""
    assert kb.options == {"subcommand": "show", "entry": "42"}
    assert privacy.name == "privacy" and privacy.options == {"action": "export"}
    acknowledged = await bot.api.expect("POST", r"/interactions/\d+/[^/]+/callback", count=2)
    assert all(callback.body["data"]["flags"] == ip.EPHEMERAL for callback in acknowledged)


async def test_context_menu_maps_to_pin_with_its_target(bot: Harness) -> None:
    target = p.message(p.TEXT_ID, "Use asyncio.timeout", author=p.user(p.BOB_ID, "Bob"))
    bot.gateway("INTERACTION_CREATE", ip.message_menu("Add to knowledge base", target))
    [command] = await bot.sink.wait_for(CommandInvoked)
    assert command.name == "pin" and command.target_message_id == target["id"] and command.interactive
    await bot.api.expect("POST", r"/interactions/\d+/[^/]+/callback")


async def test_send_renders_cards_as_embeds_and_replies(bot: Harness) -> None:
    card = Card(
        "Cancelling tasks", url="https://discord.com/channels/1/2/3", description="Use cancel()", footer="#python"
    )
    sent = await bot.adapter.send(GENERAL, Outgoing.of("Related answers:", [card]), reply_to="1200000000000000222")
    [request] = bot.api.requests("POST", rf"/channels/{p.TEXT_ID}/messages")
    assert request.body["content"] == "Related answers:"
    [embed] = request.body["embeds"]
    assert embed["title"] == "Cancelling tasks" and embed["url"] == card.url
    assert embed["description"] == "Use cancel()" and embed["footer"]["text"] == "#python"
    assert str(request.body["message_reference"]["message_id"]) == "1200000000000000222"
    assert request.body["allowed_mentions"] == {"parse": [], "replied_user": True}
    assert sent.url == f"https://discord.com/channels/{p.GUILD_ID}/{p.TEXT_ID}/{sent.id}"


async def test_send_into_a_thread_posts_to_the_thread(bot: Harness) -> None:
    await bot.adapter.send(FORUM_POST, Outgoing.of("Welcome!"))
    assert bot.api.requests("POST", rf"/channels/{p.FORUM_POST_ID}/messages")


async def test_open_thread_starts_a_thread_on_the_message(bot: Harness) -> None:
    question = p.message(p.TEXT_ID, "Why is my loop blocked?")
    bot.gateway("MESSAGE_CREATE", question)
    [posted] = await bot.sink.wait_for(MessagePosted)
    place = await bot.adapter.open_thread(posted, "Why is my loop blocked?")
    [request] = bot.api.requests("POST", rf"/channels/{p.TEXT_ID}/messages/{question['id']}/threads")
    assert request.body["name"] == "Why is my loop blocked?"
    assert place == GENERAL.in_thread(question["id"])


async def test_react_adds_the_bots_reaction(bot: Harness) -> None:
    await bot.adapter.react(GENERAL, "1200000000000000222", "👀")
    assert bot.api.requests("PUT", rf"/channels/{p.TEXT_ID}/messages/1200000000000000222/reactions/👀/@me")


async def test_mark_thread_solved_applies_the_forums_solved_tag(bot: Harness) -> None:
    await bot.adapter.mark_thread_solved(FORUM_POST)
    [edit] = bot.api.requests("PATCH", rf"/channels/{p.FORUM_POST_ID}")
    assert set(edit.body["applied_tags"]) == {p.SOLVED_TAG_ID, p.PYTHON_TAG_ID}


async def test_mark_thread_solved_outside_a_forum_changes_nothing(bot: Harness) -> None:
    await bot.adapter.mark_thread_solved(GENERAL)
    assert not bot.api.requests("PATCH", r"/channels/\d+")


@pytest.mark.parametrize(
    ("member_id", "moderator", "role"),
    [(p.BOB_ID, True, "moderators"), (p.ALICE_ID, False, "member")],
)
async def test_member_info_gives_roles_and_manage_messages(
    bot: Harness, member_id: str, moderator: bool, role: str
) -> None:
    info = await bot.adapter.member_info(FORUM_POST, Member(member_id, "x"))
    assert info.platform_moderator is moderator
    assert role in info.roles and p.MEMBER_ROLE_ID in info.roles
    assert (p.MODERATOR_ROLE_ID in info.roles) is moderator
    assert bot.api.requests("GET", rf"/guilds/{p.GUILD_ID}/members/{member_id}")


async def test_fetch_thread_reads_history_oldest_first(bot: Harness) -> None:
    opening = p.message(p.FORUM_POST_ID, "My task never stops", message_id=p.FORUM_POST_ID)
    answer = p.message(p.FORUM_POST_ID, "Call cancel()", author=p.user(p.BOB_ID, "Bob"))
    bot.api.add_message(answer)
    bot.api.add_message(opening)
    messages = await bot.adapter.fetch_thread(FORUM_POST)
    assert [m.text for m in messages] == ["My task never stops", "Call cancel()"]
    assert messages[0].opens_thread and messages[1].author.id == p.BOB_ID


async def test_fetch_thread_follows_a_reply_chain_in_a_channel(bot: Harness) -> None:
    root = p.message(p.TEXT_ID, "Question?")
    unrelated = p.message(p.TEXT_ID, "Lunch?")
    reply = p.message(p.TEXT_ID, "Answer.", author=p.user(p.BOB_ID, "Bob"), reply_to=root["id"])
    for message in (root, unrelated, reply):
        bot.api.add_message(message)
    messages = await bot.adapter.fetch_thread(GENERAL.in_thread(root["id"]))
    assert [m.text for m in messages] == ["Question?", "Answer."]


async def test_tags_autocomplete_completes_the_last_tag(bot: Harness) -> None:
    payload = ip.slash("ask", [ip.option("question", "Why?"), {**ip.option("tags", "django, py"), "focused": True}])
    payload["type"] = 4
    bot.gateway("INTERACTION_CREATE", payload)
    [callback] = await bot.api.expect("POST", rf"/interactions/{payload['id']}/[^/]+/callback")
    assert callback.body["type"] == 8
    choices = callback.body["data"]["choices"]
    assert choices == [{"name": f"django, {t}", "value": f"django, {t}"} for t in ("python", "pytest")]
    assert not bot.sink.events


async def test_long_text_is_sent_in_parts_with_the_embeds_on_the_last(bot: Harness) -> None:
    text = "\n".join(f"line {number:04d} " + "x" * 90 for number in range(60))
    card = Card("Entry", url="https://discord.com/channels/1/2/3")
    sent = await bot.adapter.send(GENERAL, Outgoing.of(text, [card]))
    posts = bot.api.requests("POST", rf"/channels/{p.TEXT_ID}/messages")
    assert len(posts) == 4 and all(len(post.body["content"]) <= 2000 for post in posts)
    assert "\n".join(post.body["content"] for post in posts) == text
    assert [len(post.body.get("embeds") or []) for post in posts] == [0, 0, 0, 1]
    assert sent.id == bot.api.messages[p.TEXT_ID][0]["id"]


async def test_long_private_answer_comes_in_parts(bot: Harness) -> None:
    bot.sink.gate = asyncio.Event()
    payload = ip.slash("privacy", [ip.option("action", "export")])
    bot.gateway("INTERACTION_CREATE", payload)
    [command] = await bot.sink.wait_for(CommandInvoked)
    await bot.adapter.respond_privately(command, Outgoing.of("a" * 1500 + " " + "b" * 1500))
    bot.sink.gate.set()
    [callback] = bot.api.requests("POST", rf"/interactions/{payload['id']}/[^/]+/callback")
    [followup] = bot.api.requests("POST", rf"/webhooks/{p.APP_ID}/[^/]+")
    assert callback.body["data"]["content"] == "a" * 1500 and callback.body["data"]["flags"] == ip.EPHEMERAL
    assert followup.body["content"] == "b" * 1500 and followup.body["flags"] == ip.EPHEMERAL
