"""``copbot run`` as a process against the Discord stand-in: scenarios and faults, through real sockets only."""

from __future__ import annotations

import asyncio
import pickle
import signal
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.adapters.discord import interaction_payloads as ip
from tests.adapters.discord import payloads as p
from tests.e2e.discord_process import BotProcess, write_config
from tests.e2e.discord_standin import gateway as g
from tests.e2e.discord_standin.members import Members
from tests.e2e.discord_standin.server import Interaction, StandIn

QUESTION = "How do I stop an asyncio task that never returns? It ignores cancel() and my service hangs."


@pytest.fixture
async def api() -> AsyncIterator[StandIn]:
    server = StandIn()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def bot(api: StandIn, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(api, write_config(tmp_path))
    try:
        await process.start()
        yield process
    finally:
        await process.ensure_stopped()


def clean(log: str) -> None:
    """Nothing in a run's log an admin would have to worry about."""
    assert "Traceback" not in log and " ERROR " not in log, log


async def test_a_help_question_gets_a_thread_with_a_reply(api: StandIn, bot: BotProcess) -> None:
    members = Members(api)
    question = await members.post(p.TEXT_ID, QUESTION)
    await api.until(lambda: question["id"] in api.channels)
    [offer] = await members.bot_posts(question["id"])
    assert "thread" in offer["content"]
    assert await bot.stop() == 0
    clean(bot.log())


async def test_ask_opens_a_thread_mentions_the_asker_and_links_it(api: StandIn, bot: BotProcess) -> None:
    members = Members(api)
    asking = await members.command("ask", [ip.option("question", QUESTION)])
    [said] = await members.answers(asking)
    [thread] = api.threads_of(p.TEXT_ID)
    assert f"/channels/{p.GUILD_ID}/{thread['id']}" in said
    [first] = await members.bot_posts(thread["id"])
    assert QUESTION in first["content"] and p.ALICE_ID in api.thread_members[thread["id"]]
    assert await bot.stop() == 0
    clean(bot.log())


async def test_a_moderators_native_pin_saves_the_answer(api: StandIn, bot: BotProcess) -> None:
    members = Members(api)
    question = await members.post(p.TEXT_ID, "Where is the holiday rota kept?")
    await api.until(lambda: question["id"] in api.channels)  # the bot offers a help thread on the question
    answer = await members.post(p.TEXT_ID, "In the shared drive, folder Rota", who=p.BOB, reply_to=question["id"])
    await members.pin(p.TEXT_ID, answer["id"])
    saved = await members.bot_posts(question["id"], count=2)  # the offer, then the confirmation where the asker is
    assert saved[-1]["content"].startswith("Saved to the knowledge base as kb1"), saved
    shown = await members.command("kb", [ip.subcommand("show", [ip.option("entry", "kb1")])])
    [entry] = await members.answers(shown)
    assert "In the shared drive, folder Rota" in entry
    assert f"/channels/{p.GUILD_ID}/{p.TEXT_ID}/{question['id']}" in entry
    clean(bot.log())


async def search(members: Members, number: int) -> Interaction:
    return await members.command("search", [ip.option("query", f"burst{number}")])


def asked(number: int) -> str:
    return f"Burst question {number}: how do I rotate the staging keys?"


async def ask(members: Members, number: int) -> Interaction:
    return await members.command("ask", [ip.option("question", asked(number))])


async def test_sigterm_in_a_burst_then_restart_answers_every_command_once(api: StandIn, bot: BotProcess) -> None:
    members = Members(api)
    tries: list[list[Interaction]] = []
    for number in range(15):
        if number == 6:
            assert bot.process is not None
            bot.process.send_signal(signal.SIGTERM)
        tries.append([await ask(members, number)])
        await asyncio.sleep(0.03)
    assert await bot.exited() == 0
    clean(bot.log())
    assert len([t for t in tries if t[0].answers]) >= 6
    assert all(t[0].answers or t[0].callback is None for t in tries), "acknowledged but never answered"
    await bot.start()
    for number, attempts in enumerate(tries):
        if not attempts[0].answers:  # Discord told the member the app did not respond; they try again
            attempts.append(await ask(members, number))
    await api.until(lambda: all(attempt[-1].answers for attempt in tries), within=30)
    await api.until(lambda: all(api.messages.get(t["id"]) for t in api.threads_of(p.TEXT_ID)))
    threads = api.threads_of(p.TEXT_ID)
    for number, attempts in enumerate(tries):
        answered = [a for a in attempts if a.answers]
        assert len(answered) == 1 and len(answered[0].answers) == 1, number
        opened = [t for t in threads if any(asked(number) in m["content"] for m in api.messages.get(t["id"], []))]
        assert len(opened) == 1 and opened[0]["id"] in answered[0].contents[0], number
    assert len(threads) == 15
    assert await bot.stop() == 0
    clean(bot.log())


async def test_a_dropped_gateway_resumes_and_the_next_command_is_answered(api: StandIn, bot: BotProcess) -> None:
    members = Members(api)
    session = api.gateway.current
    await api.gateway.drop()
    await api.gateway.wait_for(lambda: api.gateway.count(g.RESUME) == 1 and api.gateway.current is session)
    asking = await search(members, 1)
    [said] = await members.answers(asking)
    assert "burst1" in said and api.gateway.count(g.IDENTIFY) == 1
    assert await bot.stop() == 0
    clean(bot.log())


async def test_kill_9_during_a_capture_loses_nothing_acknowledged(api: StandIn, bot: BotProcess) -> None:
    members = Members(api)
    question = await members.post(p.TEXT_ID, "Which VPN profile works from the office?")
    answer = await members.post(p.TEXT_ID, "The one named office-split", who=p.BOB, reply_to=question["id"])
    await members.bot_posts(p.TEXT_ID, 0)
    await asyncio.sleep(0.5)  # the bot has stored both messages
    held = api.hold_next("GET", rf"/channels/{p.TEXT_ID}/messages")
    pinning = await members.command("pin", [ip.option("message", answer["id"])], who=p.BOB)
    await asyncio.wait_for(held.arrived.wait(), 10)
    await bot.stop(signal.SIGKILL)
    held.released.set()
    assert not pinning.answers
    await bot.start()
    again = await members.command("pin", [ip.option("message", answer["id"])], who=p.BOB)
    [saved] = await members.answers(again)
    assert saved.startswith("Saved to the knowledge base as kb1")
    await bot.stop(signal.SIGKILL)
    await bot.start()
    shown = await members.command("kb", [ip.subcommand("show", [ip.option("entry", "kb1")])])
    [entry] = await members.answers(shown)
    assert "The one named office-split" in entry
    missing = await members.command("kb", [ip.subcommand("show", [ip.option("entry", "kb2")])])
    assert "no entry" in (await members.answers(missing))[0]


@pytest.mark.parametrize(
    ("token", "content_intent", "said"),
    [("wrong-token", True, "Discord refused the bot token"), (None, False, "Message Content intent is switched off")],
    ids=["bad token", "no message content intent"],
)
async def test_a_misconfigured_bot_says_what_to_fix_before_syncing(
    tmp_path: Path, token: str | None, content_intent: bool, said: str
) -> None:
    api = StandIn(message_content_enabled=content_intent)
    await api.start()
    process = BotProcess(api, write_config(tmp_path), token=token)
    try:
        await process.start(wait=False)
        assert await process.exited() != 0
    finally:
        await process.ensure_stopped()
        await api.close()
    log = process.log()
    assert "Traceback" not in log
    [line] = [line for line in log.splitlines() if said in line]
    assert line.startswith("copbot: ")
    assert not api.requests("PUT", r"/applications/.*commands") and api.gateway.count(g.IDENTIFY) == 0


PROMPT = """
[[prompts]]
name = "learned"
kind = "question_of_the_week"
platform = "discord"
channel = "{channel}"
cron = "{minute} {hour} * * *"
texts = ["What did you learn from a colleague this week?"]
"""


def make_due(database: Path, job: str) -> None:
    """Move a stored job's next run a moment into the past, as if the bot had been down when it was due."""
    due = datetime.now(UTC) - timedelta(seconds=2)
    with sqlite3.connect(database) as connection:
        [state] = connection.execute("SELECT job_state FROM apscheduler_jobs WHERE id = ?", (job,)).fetchone()
        job_state = pickle.loads(state)
        job_state["next_run_time"] = due
        connection.execute(
            "UPDATE apscheduler_jobs SET job_state = ?, next_run_time = ? WHERE id = ?",
            (pickle.dumps(job_state, pickle.HIGHEST_PROTOCOL), due.timestamp(), job),
        )


async def test_sigterm_while_a_scheduled_post_is_on_its_way_logs_no_error(api: StandIn, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    prompt = PROMPT.format(channel=p.TEXT_ID, minute=now.minute, hour=now.hour)
    bot = BotProcess(api, write_config(tmp_path, prompt))
    try:
        await bot.start()
        await bot.wait_for_log("prompt learned scheduled")
        assert await bot.stop() == 0
        make_due(tmp_path / "copbot.sqlite3", "prompt:learned")
        held = api.hold_next("POST", rf"/channels/{p.TEXT_ID}/messages")
        await bot.start(wait=False)
        await asyncio.wait_for(held.arrived.wait(), 20)
        assert bot.process is not None
        bot.process.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.5)
        held.released.set()
        assert await bot.exited() == 0
        clean(bot.log())
    finally:
        await bot.ensure_stopped()
