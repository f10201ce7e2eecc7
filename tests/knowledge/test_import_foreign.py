"""Importing another instance's export never overwrites an entry captured here unless asked (both stores)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.cli.main import main
from copbot.knowledge.interchange.jsonl import FOREIGN_PREFIX, import_lines
from copbot.store.models import KnowledgeEntry
from tests.cast import ALICE, BOB


async def captured_entry(app: Application, mem: MemoryAdapter) -> KnowledgeEntry:
    ask = await mem.command(ALICE, "/ask How do I configure the proxy for pip behind the corporate firewall?")
    await mem.post(BOB, "Set HTTPS_PROXY in the environment before running pip install.", thread=ask.id)
    await mem.command(ALICE, "/solved", thread=ask.id)
    assert app.services is not None
    async with app.services.sessions() as session:
        [entry] = list(await session.scalars(select(KnowledgeEntry)))
    assert entry.thread_id is not None and entry.captured_via == "solved"
    return entry


async def stored(app: Application) -> dict[str, tuple[str, int | None]]:
    assert app.services is not None
    async with app.services.sessions() as session:
        rows = await session.execute(select(KnowledgeEntry.public_id, KnowledgeEntry.title, KnowledgeEntry.thread_id))
        return {row[0]: (row[1], row[2]) for row in rows}


async def test_a_foreign_kb_id_is_imported_under_a_new_id(running: tuple[Application, MemoryAdapter]) -> None:
    app, mem = running
    entry = await captured_entry(app, mem)
    assert app.services is not None
    foreign = json.dumps({"id": entry.public_id, "title": "Someone else's entry", "question": "about gradle"})
    report = await import_lines(app.services.sessions, [foreign])
    new_id = FOREIGN_PREFIX + entry.public_id
    assert report.renamed == [(entry.public_id, new_id)] and report.created == 1 and report.updated == 0
    expected = {entry.public_id: (entry.title, entry.thread_id), new_id: ("Someone else's entry", None)}
    assert await stored(app) == expected
    again = await import_lines(app.services.sessions, [foreign])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


async def test_replace_overwrites_the_captured_entry_and_keeps_its_thread(
    running: tuple[Application, MemoryAdapter],
) -> None:
    app, mem = running
    entry = await captured_entry(app, mem)
    assert app.services is not None
    foreign = json.dumps({"id": entry.public_id, "title": "Replaced on purpose", "question": "about gradle"})
    report = await import_lines(app.services.sessions, [foreign], replace=True)
    assert report.renamed == [] and report.updated == 1
    assert await stored(app) == {entry.public_id: ("Replaced on purpose", entry.thread_id)}


async def test_kb_import_says_which_ids_were_given_new_ones(
    running: tuple[Application, MemoryAdapter], database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app, mem = running
    entry = await captured_entry(app, mem)
    config = tmp_path / "kb.toml"
    config.write_text(f'[database]\nurl = "{database_url}"\n', encoding="utf-8")
    foreign = tmp_path / "other.jsonl"
    foreign.write_text(json.dumps({"id": entry.public_id, "title": "Theirs", "question": "gradle"}) + "\n")
    code = await asyncio.to_thread(main, ["kb", "import", str(foreign), "--config", str(config)])
    out = capsys.readouterr().out
    assert code == 0 and "1 new, 0 updated" in out
    assert f"({entry.public_id} -> {FOREIGN_PREFIX}{entry.public_id})" in out and "--replace" in out
    assert (await stored(app))[entry.public_id] == (entry.title, entry.thread_id)
