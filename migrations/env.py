"""Alembic environment: async engines, or a connection handed over by copbot's own upgrade call."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from copbot.store.engine import create_engine
from copbot.store.migrate import include_name
from copbot.store.schema import METADATA

config = context.config
target_metadata = METADATA


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure_and_run)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    """Run with the connection copbot passed in, or open one from the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url, or run migrations with `copbot db upgrade --config PATH`")
    asyncio.run(_run_async(url))


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported; run `copbot db upgrade`")
run_migrations_online()
