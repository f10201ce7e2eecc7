"""Migrations build the schema on an empty SQLite file, match the ORM models, and go down and up again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from copbot.store import migrate
from copbot.store.engine import create_engine
from copbot.store.schema import METADATA


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"include_name": migrate.include_name, "compare_type": True})
    return list(compare_metadata(context, METADATA))


async def test_upgrade_empty_file_reaches_head_and_matches_models(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}")
    try:
        assert await migrate.current_revision(engine) is None
        assert await migrate.upgrade(engine) == migrate.head_revision()
        async with engine.connect() as connection:
            assert await connection.run_sync(_diff) == []
            tables = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
        assert {"knowledge_entries", "messages", "threads", "prompt_runs", "search_fts", "apscheduler_jobs"} <= tables
    finally:
        await engine.dispose()


async def test_upgrade_is_repeatable_and_downgrade_empties(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'cycle.sqlite3'}")
    try:
        await migrate.upgrade(engine)
        assert await migrate.upgrade(engine) == migrate.head_revision()
        assert await migrate.downgrade(engine, "base") is None
        async with engine.connect() as connection:
            tables = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
        assert tables <= {"alembic_version"}
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            count = await connection.scalar(text("SELECT count(*) FROM search_fts"))
        assert count == 0
    finally:
        await engine.dispose()


async def test_search_index_follows_documents_through_triggers(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'fts.sqlite3'}")
    try:
        await migrate.upgrade(engine)
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO knowledge_entries (public_id, kind, title, question, summary, solved, captured_via,"
                    " source_platform, created_at, updated_at) VALUES ('k1', 'question', 't', 'q', '', 1, 'import',"
                    " '', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO search_documents (entry_id, title, question, answers, discussion, tags)"
                    " VALUES (1, 'Pruning tomatoes', 'how far back', '', '', '')"
                )
            )
            hits = await connection.scalar(text("SELECT count(*) FROM search_fts WHERE search_fts MATCH 'tomato'"))
            await connection.execute(text("DELETE FROM search_documents WHERE entry_id = 1"))
            after = await connection.scalar(text("SELECT count(*) FROM search_fts WHERE search_fts MATCH 'tomato'"))
        assert (hits, after) == (1, 0)
    finally:
        await engine.dispose()
