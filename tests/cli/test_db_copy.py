"""``copbot db copy``: a SQLite database built through the app moves whole into PostgreSQL, searchable and usable."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select, text

from copbot.cli.main import main
from copbot.knowledge.entries import DraftMessage, EntryDraft, save_entry
from copbot.knowledge.interchange.jsonl import import_lines
from copbot.knowledge.search.backend import search
from copbot.knowledge.search.pg_lexemes import COUNTED_KEY
from copbot.store import search_index
from copbot.store.engine import create_engine, session_factory
from copbot.store.models import KnowledgeEntry
from copbot.store.operations import PromptRun
from copbot.store.transfer import CopyError, copy_database, normalise_url, row_counts
from tests.cast import ALICE, BOB, CAROL, DAVE
from tests.community_harness import running_bot
from tests.pg_support import TestDatabase

PROMPT = """
[[prompts]]
name = "weekly"
platform = "memory"
channel = "general"
weekly = { day = "mon", time = "09:30" }
texts = ["What did you learn this week?"]
"""
IMPORTED = [
    {"id": "imp-1", "title": "Pip behind a proxy", "question": "How do I use pip behind a proxy?",
     "answers": ["Set HTTPS_PROXY"], "tags": ["python"], "created_at": "2024-03-01T09:00:00Z"},
    {"id": "imp-2", "title": "Rotate nginx logs", "question": "How to rotate nginx logs?", "tags": ["ops"]},
]  # fmt: skip


async def build_sqlite(tmp_path: Path) -> str:
    """A SQLite database with messages, threads, entries (captured and imported), tags and a prompt run."""
    async with running_bot(tmp_path, extra_toml=PROMPT) as bot:
        ask = await bot.mem.command(ALICE, "/ask How do I calibrate the spectrometer before a run?")
        await bot.mem.post(BOB, "Take a dark-frame first, then check against the neon lamp.", thread=ask.id)
        await bot.mem.command(ALICE, "/solved", thread=ask.id)
        opener = await bot.mem.post(CAROL, "Where do we book the electron microscope?")
        await bot.mem.post(DAVE, "The booking sheet on the lab wiki.", thread=opener.id)
        await import_lines(bot.services.sessions, [json.dumps(record) for record in IMPORTED])
        assert bot.app.prompt_scheduler is not None
        result = await bot.app.prompt_scheduler.runner.run_now("weekly")
        assert result.status == "posted"
    return f"sqlite+aiosqlite:///{tmp_path}/t.sqlite3"


async def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await row_counts(connection)
    finally:
        await engine.dispose()


async def check_copied(url: str) -> None:
    """Search finds the copied entries; timestamps come back aware and unchanged (on either store)."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            found = {hit.public_id for hit in await search(session, "spectrometer calibration")}
            proxy = [hit.public_id for hit in await search(session, "pip proxy")]
            imported = await session.scalar(select(KnowledgeEntry).where(KnowledgeEntry.public_id == "imp-1"))
            run = await session.scalar(select(PromptRun))
        assert len(found) == 1 and proxy[:1] == ["imp-1"]
        assert imported is not None and imported.created_at.isoformat() == "2024-03-01T09:00:00+00:00"
        assert run is not None and run.status == "posted" and run.scheduled_for.tzinfo is not None
    finally:
        await engine.dispose()


async def add_entry(url: str) -> None:
    """Save one more entry (new ids for the entry, its messages and a new tag) on the copied database."""
    engine = create_engine(url)
    try:
        async with session_factory(engine).begin() as session:
            draft = EntryDraft("Centrifuge time", "How long should the centrifuge run?",
                               [DraftMessage("dave", "Ten minutes at 3000 rpm.")], [], ["biology"])  # fmt: skip
            await save_entry(session, draft)
    finally:
        await engine.dispose()


async def search_state(url: str) -> tuple[int, int, bool | None]:
    """(lexemes counted for search, the entries they were counted over, whether the RUM index is valid)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            lexemes = await connection.scalar(text("SELECT count(*) FROM search_fts_lexemes"))
            over = await connection.scalar(text("SELECT value FROM kv_state WHERE key = :k"), {"k": COUNTED_KEY})
            valid = await connection.scalar(search_index.VALID, {"name": search_index.RUM_INDEX})
        return int(lexemes or 0), int(over or -1), valid
    finally:
        await engine.dispose()


def words_in(out: str) -> int:
    """The number in the copy's "counted N words" line."""
    found = re.search(r"counted (\d+) words? of the copied entries for search", out)
    assert found is not None, out
    return int(found.group(1))


def test_copy_sqlite_into_postgresql_then_use_it(
    tmp_path: Path, postgres_database: TestDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    postgres_database.empty()
    target = postgres_database.url
    source = asyncio.run(build_sqlite(tmp_path))
    before = asyncio.run(counts(source))
    for table in ("messages", "threads", "knowledge_entries", "search_documents", "prompt_runs", "members", "tags"):
        assert before[table] > 0, table

    assert main(["db", "copy", "--from", source, "--to", target]) == 0
    out = capsys.readouterr().out
    assert f"copied {sum(before.values())} rows" in out
    assert "built once" not in out, "a small copy keeps the RUM index up to date row by row"
    assert asyncio.run(counts(target)) == {**before, "kv_state": before["kv_state"] + 1}, "and when words were counted"
    asyncio.run(check_copied(target))
    assert asyncio.run(search_state(target)) == (words_in(out), before["search_documents"], True)

    # The sequences continue after the copied ids: the bot on PostgreSQL adds rows without collisions.
    asyncio.run(add_entry(target))
    after = asyncio.run(counts(target))
    assert after["knowledge_entries"] == before["knowledge_entries"] + 1
    assert after["entry_messages"] == before["entry_messages"] + 2 and after["tags"] == before["tags"] + 1

    # A target holding data is refused, and --force replaces it with the source again.
    assert main(["db", "copy", "--from", source, "--to", target]) == 1
    assert "not empty" in capsys.readouterr().err
    assert main(["db", "copy", "--from", source, "--to", target, "--force"]) == 0
    assert asyncio.run(counts(target)) == {**before, "kv_state": before["kv_state"] + 1}

    # And back: PostgreSQL into a new SQLite file, every row and its types intact, searchable there.
    back = f"sqlite+aiosqlite:///{tmp_path}/back.sqlite3"
    assert main(["db", "copy", "--from", target, "--to", back]) == 0
    assert asyncio.run(counts(back)) == asyncio.run(counts(target))
    asyncio.run(check_copied(back))


async def test_copy_refuses_a_missing_source_or_the_same_database(tmp_path: Path) -> None:
    with pytest.raises(CopyError, match="does not exist"):
        await copy_database(f"sqlite:///{tmp_path}/none.sqlite3", f"sqlite:///{tmp_path}/to.sqlite3")
    with pytest.raises(CopyError, match="same database"):
        await copy_database(f"sqlite:///{tmp_path}/a.sqlite3", f"sqlite+aiosqlite:///{tmp_path}/a.sqlite3")
    with pytest.raises(CopyError, match="unsupported"):
        normalise_url("mysql://root@localhost/copbot")
    assert normalise_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"


def test_a_large_copy_builds_the_rum_index_once_after_the_rows(
    tmp_path: Path, postgres_database: TestDatabase, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    postgres_database.empty()
    source = asyncio.run(build_sqlite(tmp_path))
    entries = asyncio.run(counts(source))["search_documents"]
    monkeypatch.setattr(search_index, "DEFER_AT", entries)  # "large" is 20,000 entries; the rule is what is tested

    assert main(["db", "copy", "--from", source, "--to", postgres_database.url]) == 0
    out = capsys.readouterr().out
    assert "the RUM search index was built once, after the rows" in out
    assert asyncio.run(search_state(postgres_database.url)) == (words_in(out), entries, True)
    asyncio.run(check_copied(postgres_database.url))
