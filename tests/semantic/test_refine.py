"""A cue label too weak to act on gets a second opinion (the semantic extra's embedding head), stored and acted on."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.core.clock import ManualClock
from copbot.core.labels import Activity, Label
from copbot.store.models import Message
from tests.cast import ALICE, BOB
from tests.community_harness import running_bot
from tests.conftest import SettingsFactory
from tests.semantic_support import require_semantic

WEAK = "the printer on floor two jams every morning after the update"
"""The cues find nothing here (label other, confidence 0.2)."""
UNSURE = "my app crashes with a NullPointerException when I start the server"
"""The cues say problem_solving at 0.39, too weak to act on; the embedding head is sure it is a problem."""


async def _stored(app: Application, text: str) -> Message:
    assert app.services is not None
    async with app.services.sessions() as session:
        message = await session.scalar(select(Message).where(Message.text == text))
    assert message is not None
    return message


async def test_a_weak_label_is_refined_stored_and_acted_on(make_settings: SettingsFactory, clock: ManualClock) -> None:
    seen: list[str] = []

    async def refine(text: str, label: Label) -> Label:
        seen.append(text)
        return Label(Activity.REUSING_ASSETS, 0.9, f"{label.reason}; embeddings 0.90")

    mem = MemoryAdapter(clock=clock)
    async with running_bot(Path(), settings=make_settings(""), clock=clock, mem=mem) as bot:
        app = bot.app
        assert app.services is not None
        app.services.refine_label = refine
        await mem.post(ALICE, WEAK)
        await mem.post(BOB, "Where can I find the consent form for the school trip?")
        stored = await _stored(app, WEAK)
    assert seen == [WEAK], "a confident cue label must not pay for an embedding"
    assert (stored.activity, stored.activity_confidence) == ("reusing_assets", 0.9)
    assert stored.activity_reason is not None and "embeddings" in stored.activity_reason
    assert any("/share" in said for said in mem.said())


@pytest.mark.semantic
async def test_the_real_head_makes_an_unsure_problem_a_help_thread(
    make_settings: SettingsFactory, clock: ManualClock
) -> None:
    model = require_semantic()
    mem = MemoryAdapter(clock=clock)
    async with running_bot(
        Path(), settings=make_settings(f'[semantic]\nenabled = true\nmodel = "{model}"\n'), clock=clock, mem=mem
    ) as bot:
        app = bot.app
        assert app.services is not None and app.services.refine_label is not None
        await mem.post(ALICE, UNSURE)
        stored = await _stored(app, UNSURE)
    assert stored.activity == Activity.PROBLEM_SOLVING.value
    assert stored.activity_confidence is not None and stored.activity_confidence >= 0.5
    assert stored.activity_reason is not None and "embeddings" in stored.activity_reason
    assert any("thread" in said.lower() for said in mem.said())
