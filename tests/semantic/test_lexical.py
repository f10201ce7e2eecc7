"""Without the semantic extra (or with it switched off) copbot searches lexically, exactly as before."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from copbot import semantic
from copbot.cli.main import main
from copbot.config.settings import parse_settings
from copbot.knowledge import hooks
from copbot.knowledge.interchange.jsonl import import_lines
from copbot.knowledge.search.backend import search
from copbot.semantic import runtime
from copbot.semantic.hybrid import fuse
from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory
from tests.community_harness import running_bot

ENTRIES = [
    {"id": "visa", "title": "Visa rejected: what now?", "question": "My visa application was rejected.",
     "answers": ["Appeal within 30 days at the immigration office."]},
    {"id": "tomato", "title": "Pruning tomatoes", "question": "How far back should I prune tomato plants?",
     "answers": ["Take off the side shoots below the first truss."]},
]  # fmt: skip


def _missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "available", lambda: (False, "the semantic extra is not installed (test)"))


def test_available_names_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    ok, reason = semantic.available()
    assert not ok
    assert "sentence_transformers" in reason and "pip install" in reason


def test_check_config_says_lexical_when_disabled(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config"]) == 0
    assert "search: lexical (semantic.enabled is false)" in capsys.readouterr().out


def test_check_config_says_lexical_and_why_when_extra_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _missing_extra(monkeypatch)
    config = tmp_path / "copbot.toml"
    config.write_text("[semantic]\nenabled = true\n", encoding="utf-8")
    assert main(["check-config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "search: lexical (semantic.enabled is true, but the semantic extra is not installed (test))" in out


def test_check_config_says_hybrid_with_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(runtime, "available", lambda: (True, "installed"))
    config = tmp_path / "copbot.toml"
    config.write_text('[semantic]\nenabled = true\nmodel = "my-model"\nfusion_weight = 0.7\n', encoding="utf-8")
    assert main(["check-config", str(config)]) == 0
    assert "search: hybrid (model my-model, fusion weight 0.7)" in capsys.readouterr().out


async def test_enabled_without_extra_warns_once_and_searches_lexically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _missing_extra(monkeypatch)
    monkeypatch.setattr(runtime._Warned, "missing_extra", False)
    caplog.set_level(logging.WARNING, logger="copbot.semantic.runtime")
    for _ in range(2):
        async with running_bot(tmp_path, extra_toml="[semantic]\nenabled = true\n") as bot:
            assert bot.app.semantic is None
            await import_lines(bot.services.sessions, [json.dumps(entry) for entry in ENTRIES])
            async with bot.services.sessions() as session:
                assert hooks.reranker(session) is None
                hits = await search(session, "tomato pruning")
                assert [hit.public_id for hit in hits] == ["tomato"]
                assert await search(session, "my residence permit was refused") == []
                stored = await session.scalar(text("SELECT count(*) FROM entry_embeddings"))
            assert stored == 0
    warnings = [r.getMessage() for r in caplog.records if "running lexical search only" in r.getMessage()]
    assert len(warnings) == 1 and "semantic extra is not installed" in warnings[0]


def test_fuse_weights_cosine_against_min_max_lexical() -> None:
    assert fuse(0.5, [0.2, 0.8, 0.5], [10.0, 5.0, 0.0]) == pytest.approx([0.6, 0.65, 0.25])
    assert fuse(0.0, [0.9, 0.1], [3.0, 1.0]) == pytest.approx([1.0, 0.0])
    assert fuse(1.0, [0.9, 0.1], [3.0, 1.0]) == pytest.approx([0.9, 0.1])
    assert fuse(0.5, [0.4], [7.0]) == pytest.approx([0.7])
    assert fuse(0.5, [], []) == []


async def test_change_listener_hears_committed_entries_only(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'hooks.sqlite3'}")
    heard: list[list[int]] = []
    try:
        await migrate.upgrade(engine)
        sessions = session_factory(engine)
        hooks.install(sessions, None, heard.append)
        async with sessions() as session:
            await session.execute(text("SELECT 1"))
            hooks.note_changed(session, [3, 1])
            await session.rollback()
            hooks.note_changed(session, [5])
            await session.commit()
        await import_lines(sessions, [json.dumps(entry) for entry in ENTRIES])
    finally:
        await engine.dispose()
    assert heard == [[5], [1, 2]]


async def test_embeddings_go_with_their_entry(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'cascade.sqlite3'}")
    try:
        await migrate.upgrade(engine)
        await import_lines(session_factory(engine), [json.dumps(ENTRIES[0])])
        async with engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO entry_embeddings (entry_id, model, dim, vector) VALUES (1, 'm', 1, x'0000803f')")
            )
            await connection.execute(text("DELETE FROM knowledge_entries WHERE id = 1"))
            left = await connection.scalar(text("SELECT count(*) FROM entry_embeddings"))
        assert left == 0
    finally:
        await engine.dispose()


def test_copbot_imports_no_heavy_library_without_the_extra() -> None:
    code = (
        "import sys, copbot.app, copbot.cli.main, copbot.semantic.runtime, copbot.semantic.hybrid, "
        "copbot.semantic.indexer, copbot.semantic.activity, copbot.cli.reindex\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_settings_default_is_lexical() -> None:
    settings = parse_settings("", source="t.toml")
    assert runtime.search_mode(settings) == (False, "search: lexical (semantic.enabled is false)")
