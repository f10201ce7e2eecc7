"""Rows in bulk: many rows into a table in few statements, and a whole copbot database copied into another."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Integer, Table, delete, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from copbot.store import migrate, search_index
from copbot.store.engine import create_engine
from copbot.store.inserts import insert_rows as insert_rows  # db_copy.py times the copy with other inserts
from copbot.store.schema import METADATA

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
SHORT_SCHEMES = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}


class CopyError(Exception):
    """The copy cannot start (or did not add up); the message says why and what to do."""


@dataclass
class CopyReport:
    """Rows copied per table, in copy order, and how long it took."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    index_set_aside: bool = False
    """PostgreSQL's RUM search index was dropped for the copy and built once after it (a large copy)."""

    @property
    def total(self) -> int:
        """Rows copied in all."""
        return sum(self.rows.values())


def normalise_url(url: str) -> str:
    """Accept ``sqlite:///`` and ``postgresql://`` too, meaning copbot's async drivers."""
    parsed = make_url(url)
    driver = SHORT_SCHEMES.get(parsed.drivername)
    if driver is not None:
        parsed = parsed.set(drivername=driver)
    if parsed.drivername not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
        raise CopyError(f"unsupported database URL {parsed.render_as_string()}: use sqlite:/// or postgresql://")
    return parsed.render_as_string(hide_password=False)


def copied_tables() -> list[Table]:
    """Every table of the models, parents before children; alembic_version and search index internals are not."""
    return list(METADATA.sorted_tables)


async def row_counts(connection: AsyncConnection) -> dict[str, int]:
    """Rows in each copied table."""
    counts: dict[str, int] = {}
    for table in copied_tables():
        counts[table.name] = int(await connection.scalar(select(func.count()).select_from(table)) or 0)
    return counts


async def reset_sequences(connection: AsyncConnection) -> None:
    """Point each PostgreSQL id sequence past the largest copied id, so new rows do not collide."""
    for table in copied_tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer) or keys[0].autoincrement is False:
            continue
        name = keys[0].name
        sequence = await connection.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": name})
        if sequence is None:
            continue
        largest = await connection.scalar(select(func.max(keys[0])))
        await connection.execute(
            text("SELECT setval(CAST(:s AS regclass), :v, :called)"),
            {"s": sequence, "v": int(largest or 1), "called": largest is not None},
        )


async def _copy_table(source: AsyncConnection, target: AsyncConnection, table: Table, batch_size: int) -> int:
    copied = 0
    result = await source.stream(select(table).order_by(*table.primary_key.columns))
    async for rows in result.partitions(batch_size):
        await insert_rows(target, table, [dict(row._mapping) for row in rows])
        copied += len(rows)
    return copied


_SEARCHED = METADATA.tables["search_documents"]
"""One row per searchable entry: how many a copy brings decides whether the RUM index is built once after it."""


async def _copy_rows(
    source: AsyncEngine,
    target: AsyncEngine,
    report: CopyReport,
    batch_size: int,
    progress: Callable[[str, int], None] | None,
) -> None:
    """Empty the target and copy every table in one target transaction; the row counts must agree after."""
    async with source.connect() as reading, target.begin() as writing:
        for table in reversed(copied_tables()):
            await writing.execute(delete(table))
        for table in copied_tables():
            report.rows[table.name] = await _copy_table(reading, writing, table, batch_size)
            if progress is not None:
                progress(table.name, report.rows[table.name])
        if writing.dialect.name == "postgresql":
            await reset_sequences(writing)
        expected, copied = await row_counts(reading), await row_counts(writing)
        if expected != copied:
            differing = {name: (expected[name], copied[name]) for name in expected if expected[name] != copied[name]}
            raise CopyError(f"row counts differ after the copy (source, target): {differing}")


def _missing_sqlite_file(url: str) -> str | None:
    database = make_url(url).database
    if url.startswith("sqlite") and (not database or not Path(database).is_file()):
        return database or ""
    return None


async def _check_source(engine: AsyncEngine, url: str) -> None:
    revision, head = await migrate.current_revision(engine), migrate.head_revision()
    if revision != head:
        raise CopyError(
            f"the source is at revision {revision or 'none'}, not {head}; run `copbot db upgrade` on it first"
        )


async def copy_database(
    source_url: str,
    target_url: str,
    *,
    force: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[str, int], None] | None = None,
) -> CopyReport:
    """Copy every row of ``source_url`` into ``target_url`` (migrated to head first) in one target transaction.

    A target holding any row is refused unless ``force``, which empties it first. The row counts are compared
    after the copy; search indexes follow by themselves (generated tsvector, FTS5 triggers), and a copy large
    enough into PostgreSQL builds the RUM index once after the rows instead of row by row (``search_index``).
    """
    source_url, target_url = normalise_url(source_url), normalise_url(target_url)
    if make_url(source_url) == make_url(target_url):
        raise CopyError("the source and the target are the same database")
    missing = _missing_sqlite_file(source_url)
    if missing is not None:
        raise CopyError(f"the source database {missing!r} does not exist")
    started = time.perf_counter()
    report = CopyReport()
    source = create_engine(source_url)
    target = create_engine(target_url)
    try:
        await _check_source(source, source_url)
        await migrate.upgrade(target)
        async with target.connect() as connection:
            present = {name: count for name, count in (await row_counts(connection)).items() if count}
        if present and not force:
            listed = ", ".join(f"{name} ({count})" for name, count in present.items())
            raise CopyError(f"the target is not empty: {listed}; pass --force to replace its contents")
        async with source.connect() as connection:
            entries = int(await connection.scalar(select(func.count()).select_from(_SEARCHED)) or 0)
        async with search_index.set_aside(target, entries) as report.index_set_aside:
            await _copy_rows(source, target, report, batch_size, progress)
    finally:
        await source.dispose()
        await target.dispose()
    report.seconds = time.perf_counter() - started
    log.info("copied %d rows in %.1fs", report.total, report.seconds)
    return report
