"""A large `copbot kb import` on PostgreSQL sets the RUM index aside and builds it once; a killed one is healed."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from copbot.knowledge.search.postgres import ranks_inside
from copbot.store import migrate, search_index
from copbot.store.engine import create_engine, session_factory
from tests.pg_support import SERVER

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = search_index.DEFER_AT
"""Exactly as many entries as make an import set the index aside."""
_INDEX = "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = %s"


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(f"{SERVER}/postgres", autocommit=True)


@pytest.fixture
def database() -> Iterator[str]:
    """A new database on the test server, migrated by the superuser so it has the RUM extension; its libpq URL."""
    name = f"copbot_test_setaside_{secrets.token_hex(4)}"
    with _admin() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{SERVER}/{name}"
    finally:
        with _admin() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
async def engine(database: str) -> AsyncIterator[AsyncEngine]:
    """The database migrated (RUM index present), as copbot's engine."""
    engine = create_engine("postgresql+asyncpg://" + database.split("://", 1)[1])
    await migrate.upgrade(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


def _index(database: str) -> bool | None:
    """Whether the RUM index is valid (None: absent)."""
    with psycopg.connect(database) as connection:
        row = connection.execute(_INDEX, (search_index.RUM_INDEX,)).fetchone()
    return None if row is None else bool(row[0])


def _entries(database: str) -> int:
    with psycopg.connect(database) as connection:
        row = connection.execute("SELECT count(*) FROM knowledge_entries").fetchone()
    return int(row[0]) if row else 0


def _copbot(folder: Path, *args: str) -> subprocess.Popen[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "copbot", *args, "--config", str(folder / "config.toml")],
        cwd=folder, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _file(folder: Path, database: str) -> Path:
    (folder / "config.toml").write_text(f'[database]\nurl = "postgresql+asyncpg://{database.split("://", 1)[1]}"\n')
    path = folder / "entries.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for number in range(ENTRIES):
            title = f"Seed tray {number}: damping off" if number % 100 == 0 else f"Note {number} on mulch"
            out.write(json.dumps({"id": f"n{number}", "title": title, "question": f"question {number}"}) + "\n")
    return path


def test_a_killed_import_leaves_the_index_to_the_next_start_and_a_full_one_builds_it(
    database: str, tmp_path: Path
) -> None:
    entries = _file(tmp_path, database)
    upgrade = _copbot(tmp_path, "db", "upgrade")
    assert upgrade.wait(timeout=120) == 0, upgrade.communicate()
    assert _index(database) is True

    first = _copbot(tmp_path, "kb", "import", str(entries))
    deadline = time.monotonic() + 120
    while (_index(database) is not None or _entries(database) == 0) and first.poll() is None:
        assert time.monotonic() < deadline, "the import never set the index aside"
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert _index(database) is None, "killed while importing, with the index set aside"
    assert 0 < _entries(database) < ENTRIES

    upgrade = _copbot(tmp_path, "db", "upgrade")
    out, err = upgrade.communicate(timeout=300)
    assert upgrade.returncode == 0, err
    assert _index(database) is True, "the next start builds the missing index"

    again = _copbot(tmp_path, "kb", "import", str(entries))
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert "built once, after the import" in err and "building the RUM search index" in err, err
    assert _entries(database) == ENTRIES
    assert _index(database) is True

    found = _copbot(tmp_path, "kb", "search", "damping off seed tray", "--json")
    out, err = found.communicate(timeout=120)
    assert found.returncode == 0, err
    assert json.loads(out)[0]["title"].startswith("Seed tray"), out


async def test_a_small_import_keeps_the_index_and_a_held_lock_defers_the_rebuild(
    engine: AsyncEngine, database: str
) -> None:
    async with search_index.set_aside(engine, ENTRIES - 1) as deferred:
        assert not deferred
        assert await asyncio.to_thread(_index, database) is True
    async with engine.connect() as holder:  # another import that set the index aside is still running
        await holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": search_index.BUILD_LOCK})
        await holder.commit()
        await asyncio.to_thread(_drop_index, database)
        assert not await search_index.restore(engine)
        assert await asyncio.to_thread(_index, database) is None
        async with search_index.set_aside(engine, 10 * ENTRIES) as deferred:
            assert not deferred, "nothing to set aside, and the other import holds the lock"
        await holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": search_index.BUILD_LOCK})
        await holder.commit()
    sessions = session_factory(engine)
    async with sessions() as session:
        assert not await ranks_inside(session), "without the index, search takes the GIN path"
    assert await search_index.restore(engine)
    assert await asyncio.to_thread(_index, database) is True
    assert not await search_index.restore(engine), "nothing to do once it is there"


def _drop_index(database: str) -> None:
    with psycopg.connect(database, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(search_index.RUM_INDEX)))


async def test_a_starting_bot_builds_a_missing_index_while_it_runs(engine: AsyncEngine, database: str) -> None:
    from copbot.adapters.memory import MemoryAdapter
    from copbot.app import Application
    from copbot.config.settings import parse_settings

    await asyncio.to_thread(_drop_index, database)
    url = "postgresql+asyncpg://" + database.split("://", 1)[1]
    app = Application(parse_settings(f'[database]\nurl = "{url}"\n', source="t.toml"), adapters=[MemoryAdapter()])
    await app.start()
    try:
        deadline = time.monotonic() + 120
        while await asyncio.to_thread(_index, database) is not True:
            assert time.monotonic() < deadline, "the running bot never built the index"
            await asyncio.sleep(0.05)
    finally:
        await app.stop()
