"""PostgreSQL: migrations build the same schema on an empty database, the tsvector follows rows, one leader."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from copbot.knowledge.search.backend import backend_for
from copbot.knowledge.search.postgres import PostgresSearch, websearch_text
from copbot.prompts.leader import SchedulerLeadership
from copbot.store import migrate
from copbot.store.engine import create_engine
from tests.pg_support import TestDatabase
from tests.store.test_migrations import _diff


def _schema(connection: Connection) -> tuple[set[str], set[str], set[str]]:
    inspector = inspect(connection)
    columns = {column["name"] for column in inspector.get_columns("search_documents")}
    indexes = {index["name"] or "" for index in inspector.get_indexes("search_documents")}
    return set(inspector.get_table_names()), columns, indexes


async def test_migrations_on_an_empty_postgresql_database_match_the_models(fresh_postgres: TestDatabase) -> None:
    engine = create_engine(fresh_postgres.url)
    try:
        assert await migrate.current_revision(engine) is None
        assert await migrate.upgrade(engine) == migrate.head_revision()
        async with engine.connect() as connection:
            assert await connection.run_sync(_diff) == []
            tables, columns, indexes = await connection.run_sync(_schema)
            method = await connection.scalar(
                text(
                    "SELECT am.amname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                    " JOIN pg_am am ON am.oid = c.relam WHERE c.relname = 'ix_search_documents_search_vector'"
                )
            )
        assert {"knowledge_entries", "messages", "threads", "prompt_runs", "apscheduler_jobs"} <= tables
        assert "search_vector" in columns and "ix_search_documents_search_vector" in indexes and method == "gin"
        assert await migrate.downgrade(engine, "base") is None
        async with engine.connect() as connection:
            left = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
        assert left <= {"alembic_version"}
        assert await migrate.upgrade(engine) == migrate.head_revision()
    finally:
        await engine.dispose()


async def test_the_generated_tsvector_follows_inserts_updates_and_deletes(fresh_postgres: TestDatabase) -> None:
    engine = create_engine(fresh_postgres.url)
    match = text("SELECT count(*) FROM search_documents WHERE search_vector @@ websearch_to_tsquery('english', :q)")
    try:
        await migrate.upgrade(engine)
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO knowledge_entries (public_id, kind, title, question, summary, solved, captured_via,"
                    " source_platform, created_at, updated_at) VALUES ('k1', 'question', 't', 'q', '', true,"
                    " 'import', '', now(), now())"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO search_documents (entry_id, title, question, answers, discussion, tags)"
                    " VALUES (1, 'Pruning tomatoes', 'how far back', '', '', '')"
                )
            )
            found = await connection.scalar(match, {"q": "tomato"})
            await connection.execute(text("UPDATE search_documents SET title = 'Pruning roses' WHERE entry_id = 1"))
            updated = (await connection.scalar(match, {"q": "tomato"}), await connection.scalar(match, {"q": "rose"}))
            await connection.execute(text("DELETE FROM search_documents"))
            deleted = await connection.scalar(match, {"q": "rose"})
        assert (found, updated, deleted) == (1, (0, 1), 0)
    finally:
        await engine.dispose()


def test_backend_for_picks_postgresql_and_the_query_is_or_of_safe_words() -> None:
    assert isinstance(backend_for("postgresql"), PostgresSearch)
    assert websearch_text('How do I use "pip" AND -the proxy?') == "use or pip or proxy"
    assert websearch_text("the and of !!!") is None


async def test_one_leader_per_database_and_the_standby_takes_over(postgres_database: TestDatabase) -> None:
    events: list[str] = []

    def steps(name: str) -> tuple[Any, Any]:
        async def lead() -> None:
            events.append(f"{name} leads")

        async def step_down() -> None:
            events.append(f"{name} steps down")

        return lead, step_down

    first = SchedulerLeadership(postgres_database.url, *steps("a"), retry_seconds=0.2)
    second = SchedulerLeadership(postgres_database.url, *steps("b"), retry_seconds=0.2)
    await first.start()
    await second.start()
    try:
        await asyncio.sleep(0.6)
        assert (first.leading, second.leading, events) == (True, False, ["a leads"])
        await first.stop()
        for _ in range(50):
            if second.leading:
                break
            await asyncio.sleep(0.1)
        assert events == ["a leads", "a steps down", "b leads"] and second.leading
    finally:
        await first.stop()
        await second.stop()
    assert events[-1] == "b steps down"
