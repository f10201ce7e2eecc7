"""PostgreSQL's RUM search index: set aside for a large import and built once after it, never left missing."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

RUM_INDEX = "ix_search_documents_rum"
"""The RUM index of migration 0012 (created only where the server has the extension)."""
CREATE = f"CREATE INDEX CONCURRENTLY {RUM_INDEX} ON search_documents USING rum (search_vector rum_tsvector_ops)"
"""Built without blocking the bot's reads and writes; until it is valid, search takes the GIN path."""
DEFER_AT = 20_000
"""An import of at least this many entries builds the index once at the end ..."""
DEFER_SHARE = 0.25
"""... when it also brings at least this share of the entries already there: keeping the index up to date costs
about 4 ms an entry, building it anew a small fraction of that per entry stored (benchmarks/README.md)."""
BUILD_LOCK = 0x636F70626F75
"""Advisory lock held by the import that set the index aside: while it is held, nobody else rebuilds it."""
VALID = text(
    "SELECT i.indisvalid AND i.indisready FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
    " WHERE c.relname = :name"
)
"""Whether the index ``:name`` can be used (NULL: there is none); search reads it to choose its candidate path."""
_STATE = text(
    "SELECT (SELECT extversion FROM pg_extension WHERE extname = 'rum') AS rum,"
    f" ({VALID.text}) AS valid,"
    " (SELECT reltuples FROM pg_class WHERE oid = 'search_documents'::regclass) AS rows"
)


async def _state(connection: AsyncConnection) -> tuple[bool, bool | None, float]:
    """(the RUM extension is in this database, the index is valid (None: absent), estimated rows)."""
    row = (await connection.execute(_STATE, {"name": RUM_INDEX})).one()
    return row.rum is not None, row.valid, max(0.0, float(row.rows or 0))


async def _build(connection: AsyncConnection) -> bool:
    """Create the index (dropping a half-built one a killed build left invalid); ``connection`` autocommits."""
    started = time.monotonic()
    try:
        await connection.exec_driver_sql(f"DROP INDEX CONCURRENTLY IF EXISTS {RUM_INDEX}")
        await connection.exec_driver_sql(CREATE)
    except DBAPIError as error:
        log.warning("the RUM search index was not built (%s): search keeps the GIN index", error.orig)
        return False
    log.info("the RUM search index was built in %.0f s", time.monotonic() - started)
    return True


async def restore(engine: AsyncEngine) -> bool:
    """Build the index if the extension is here and the index is not (an import that set it aside was killed);
    returns whether it built one. An import still holding ``BUILD_LOCK`` builds it itself."""
    if engine.dialect.name != "postgresql":
        return False
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            rum, valid, _ = await _state(connection)
            if not rum or valid:
                return False
            if not await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": BUILD_LOCK}):
                return False
            try:
                log.warning("the RUM search index is missing (an import was interrupted): building it now")
                return await _build(connection)
            finally:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": BUILD_LOCK})
    except DBAPIError as error:
        log.warning("could not look at the RUM search index (%s)", error.orig)
        return False


@contextlib.asynccontextmanager
async def set_aside(engine: AsyncEngine, incoming: int) -> AsyncIterator[bool]:
    """For an import of ``incoming`` entries: drop the index first and build it once after, when that is cheaper
    (``DEFER_AT``, ``DEFER_SHARE``); yields whether it did. The index is built again however the import ends,
    and if the process is killed, by the next start (``restore``)."""
    if engine.dialect.name != "postgresql" or incoming < DEFER_AT:
        yield False
        return
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        rum, valid, rows = await _state(connection)
        if not rum or not valid or incoming < DEFER_SHARE * rows:
            yield False
            return
        if not await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": BUILD_LOCK}):
            yield False
            return
        try:
            try:
                await connection.exec_driver_sql("SET lock_timeout = '5s'")
                await connection.exec_driver_sql(f"DROP INDEX IF EXISTS {RUM_INDEX}")
                await connection.exec_driver_sql("RESET lock_timeout")
            except DBAPIError as error:  # a long search holds the table: keep the index and import as usual
                log.info("the RUM search index stays during the import (%s)", error.orig)
                await connection.exec_driver_sql("RESET lock_timeout")
                yield False
                return
            log.info("importing %d entries: the RUM search index is built once after the import", incoming)
            try:
                yield True
            finally:
                await _build(connection)
        finally:
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": BUILD_LOCK})
