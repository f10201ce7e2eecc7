"""Typed commands on a real Synapse: typos get a suggestion, replies and /help say "!", messages go by link."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.adapters.matrix.helpers import say
from tests.adapters.matrix.scenario import Community, community
from tests.adapters.matrix.synapse import Synapse


@pytest.fixture
async def world(synapse: Synapse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Community]:
    async with community(synapse, tmp_path, monkeypatch) as running:
        yield running


async def test_a_typo_is_answered_with_the_closest_command(world: Community) -> None:
    typo = await say(world.asker, world.room, "!serch kafka retention")
    reply = await world.private_reply(world.asker, "I don't know the command")
    assert reply["content"]["body"] == (
        "I don't know the command !serch. Did you mean !search? Type !help to see them all."
    )
    assert await world.replies_to(typo) == [], "a private answer is not posted in the shared room"


async def test_help_and_replies_name_commands_with_the_bang(world: Community) -> None:
    await say(world.asker, world.room, "!help")
    help_reply = await world.private_reply(world.asker, "Commands")
    body = help_reply["content"]["body"]
    assert "!solved [MESSAGE]" in body and "!kb edit ID [title:...] [tags:a,b] [summary:...] (editors)" in body
    assert "/solved" not in body and "/ask" not in body
    _, asked = await world.command(world.asker, "!ask How do we rotate the broker logs? tags:kafka", "Question from")
    assert "mark it with !solved" in asked["content"]["body"]
    assert "/solved" not in asked["content"]["body"]


async def test_pin_takes_a_matrix_to_link(world: Community) -> None:
    tip = await say(world.helper, world.room, "Tip: kafka-log-dirs --describe shows which broker disk is full.")
    link = f"https://matrix.to/#/{world.room}/{tip}?via={world.synapse.server_name}"
    command = await say(world.admin, world.room, f"!pin {link}")
    saved = await world.reply_to(command, "Saved to the knowledge base as")
    assert saved["content"]["body"].endswith("Find it with !kb show kb1.")
    [entry] = await world.entries()
    assert entry.captured_via == "pin" and entry.question.startswith("Tip: kafka-log-dirs")
