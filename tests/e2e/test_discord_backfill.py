"""``copbot backfill`` live against the Discord stand-in: channel history, an archived thread, a solved forum post."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.adapters.discord import payloads as p
from tests.e2e.discord_process import REPO, write_config
from tests.e2e.discord_standin.history import REACTED
from tests.e2e.discord_standin.server import StandIn

THREAD_ID = "1200000000000000400"
BACKFILL = f'[backfill]\nchannels = [{{ id = "{p.TEXT_ID}" }}, {{ id = "{p.FORUM_ID}" }}]\nnotice = true\n'


@pytest.fixture
async def api() -> AsyncIterator[StandIn]:
    server = StandIn()
    await server.start()
    yield server
    await server.close()


def seed(api: StandIn) -> None:
    """History written before copbot came: a ✅-answered reply, a bot's line, an archived thread, a solved post."""
    alice, bob = p.user(p.ALICE_ID, "Alice"), p.user(p.BOB_ID, "Bob")
    question = p.message(p.TEXT_ID, "How deep do I plant garlic?", author=alice, message_id="1200000000000000301")
    answer = p.message(p.TEXT_ID, "Two inches, pointy end up.", author=bob, message_id="1200000000000000302",
                       reply_to=question["id"])  # fmt: skip
    counts = {"count_details": {"burst": 0, "normal": 1}, "burst_colors": [], "me_burst": False}
    answer["reactions"] = [{"emoji": {"id": None, "name": "✅"}, "count": 1, "me": False, **counts}]
    answer[REACTED] = {"✅": [alice]}
    noise = p.message(p.TEXT_ID, "Beep.", author=p.user("1200000000000000399", "otherbot", bot=True),
                      message_id="1200000000000000303")  # fmt: skip
    for message in (question, answer, noise):
        api.add_message(message)
    api.channels[THREAD_ID] = p.thread(THREAD_ID, p.TEXT_ID, "Compost for tomatoes", archived=True)
    for ident, who, text in (("1200000000000000401", alice, "Which compost for tomatoes?"),
                             ("1200000000000000402", bob, "Well-rotted manure, mulched on top."),
                             ("1200000000000000403", alice, "Thanks Bob, that worked!")):  # fmt: skip
        api.add_message(p.message(THREAD_ID, text, author=who, message_id=ident))
    api.channels[p.FORUM_POST_ID] = p.thread(p.FORUM_POST_ID, p.FORUM_ID, "Cancel a task", tags=[p.SOLVED_TAG_ID])
    api.add_message(p.message(p.FORUM_POST_ID, "How do I cancel a task?", author=alice, message_id=p.FORUM_POST_ID))
    api.add_message(p.message(p.FORUM_POST_ID, "task.cancel(), then await it.", author=bob,
                              message_id="1200000000000000501"))  # fmt: skip


async def backfill(api: StandIn, config: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.e2e.discord_launch", "--api", api.base, "--gateway", api.gateway_url,
        "--config", str(config), "backfill", "--quiet", cwd=REPO, env={**os.environ, "DISCORD_TOKEN": api.token},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, err.decode()


async def test_a_live_backfill_reads_history_archived_threads_and_forum_posts(api: StandIn, tmp_path: Path) -> None:
    seed(api)
    config = write_config(tmp_path, BACKFILL)

    code, err = await backfill(api, config)

    assert code == 0, err
    with sqlite3.connect(tmp_path / "copbot.sqlite3") as db:
        stored = {row[0] for row in db.execute("SELECT external_id FROM messages")}
        signals = dict(db.execute("SELECT t.thread_key, c.signal FROM backfill_candidates c JOIN threads t "
                                  "ON t.id = c.thread_id"))  # fmt: skip
    assert stored == {"1200000000000000301", "1200000000000000302", "1200000000000000401", "1200000000000000402",
                      "1200000000000000403", p.FORUM_POST_ID, "1200000000000000501"}  # fmt: skip
    assert signals == {"1200000000000000301": "reaction", THREAD_ID: "thanks", p.FORUM_POST_ID: "solved_tag"}
    notices = [m for m in api.messages[p.TEXT_ID] if m["author"]["id"] == p.BOT_ID]
    assert len(notices) == 1 and "/privacy stop" in notices[0]["content"]

    code, err = await backfill(api, config)  # a second run adds nothing and says nothing again
    assert code == 0, err
    assert "0 messages stored" in err
    assert len([m for m in api.messages[p.TEXT_ID] if m["author"]["id"] == p.BOT_ID]) == 1
