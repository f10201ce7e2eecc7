"""Start-up and running checks on the store: a write is tried before the bot starts; a SQLite file is watched.

A read-only database used to be found by the first message after the banner (435 lines of tracebacks, then exit);
a SQLite file deleted under a running bot took every later write into an unlinked file no one could open again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, delete, event, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from copbot.store.engine import describe_url, sqlite_path
from copbot.store.faults import StoreUnusable, is_write_failure, reason
from copbot.store.operations import KeyValue

PROBE_KEY = "copbot.write_check"
"""The ``kv_state`` row the start-up check writes and deletes in one transaction (nothing is left behind)."""


async def check_writable(engine: AsyncEngine, url: str, now: datetime) -> None:
    """Raise ``StoreUnusable`` with one sentence when a write to the database cannot be committed."""
    table = cast(Table, KeyValue.__table__)
    try:
        async with engine.begin() as connection:
            await connection.execute(delete(table).where(table.c.key == PROBE_KEY))
            await connection.execute(insert(table).values(key=PROBE_KEY, value=now.isoformat(), updated_at=now))
            await connection.execute(delete(table).where(table.c.key == PROBE_KEY))
    except Exception as error:
        if not is_write_failure(error):
            raise
        raise StoreUnusable(unwritable(url, reason(error))) from None


def unwritable(url: str, why: str) -> str:
    """The sentence for a database copbot cannot write."""
    if sqlite_path(url) is not None:
        fix = "make the file and its folder writable for the user copbot runs as"
    else:
        fix = "check that the database user may write there (not a read-only role, replica or transaction)"
    return f"cannot write to the database {describe_url(url)} ({why}); {fix}"


@dataclass
class DatabaseFile:
    """The SQLite file an engine opened, checked before each transaction and by the application's watch."""

    path: Path
    identity: tuple[int, int] | None = None
    """Device and inode of the file when the first connection opened it."""

    def problem(self) -> str | None:
        """One sentence when the file was deleted or replaced since it was opened, else None."""
        if self.identity is None:
            return None
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            return (
                f"the database file {self.path} was deleted while copbot was running, so copbot stopped: nothing "
                "more goes into a file no one can open again"
            )
        if (found.st_dev, found.st_ino) != self.identity:
            return (
                f"the database file {self.path} was deleted or replaced while copbot was running, so copbot stopped: "
                "nothing more goes into the old file (start copbot again to use the new one)"
            )
        return None

    def _opened(self, _dbapi: Any, _record: Any) -> None:
        if self.identity is None:
            found = os.stat(self.path)
            self.identity = (found.st_dev, found.st_ino)
            return
        self._check()

    def _check(self, *_: Any) -> None:
        problem = self.problem()
        if problem is not None:
            raise StoreUnusable(problem)


def watch_database_file(engine: AsyncEngine, url: str) -> DatabaseFile | None:
    """Refuse every transaction on ``engine`` once its SQLite file is gone or replaced (None for other stores)."""
    path = sqlite_path(url)
    if path is None:
        return None
    watched = DatabaseFile(path.resolve())
    event.listen(engine.sync_engine, "connect", watched._opened)
    event.listen(engine.sync_engine, "begin", watched._check)
    event.listen(engine.sync_engine, "commit", watched._check)
    return watched
