"""What every subcommand shares: the --config option (default ./config.toml), opening the database, one-line errors."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from copbot.config.settings import Settings

    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    SubParsers = argparse._SubParsersAction
Handler = Callable[[argparse.Namespace, "Settings"], int]
DEFAULT_CONFIG = Path("config.toml")
"""Used when --config is not given and the file exists in the current folder (``dev.py run`` creates it)."""


class CliError(Exception):
    """A problem the user can fix; main prints it as one line and exits non-zero."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    """The ``--config PATH`` option every subcommand takes."""
    parser.add_argument(
        "--config",
        "-c",
        metavar="PATH",
        help=f"the TOML config file (default: ./{DEFAULT_CONFIG} if it exists, else built-in defaults)",
    )


def config_path(args: argparse.Namespace) -> Path | None:
    """The config file a command reads: the one named, else ./config.toml when it exists, else none."""
    named = getattr(args, "path", None) or getattr(args, "config", None) or getattr(args, "global_config", None)
    if named:
        return Path(named)
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None


def say(message: str) -> None:
    """A status line for the person at the terminal (stderr, so piped output stays clean)."""
    print(message, file=sys.stderr, flush=True)


def _require_existing(path: Path | None) -> None:
    """A command that only reads must not create an empty SQLite file: say which file is missing instead."""
    if path is None or path.exists():
        return
    hint = "" if DEFAULT_CONFIG.is_file() else f" (no ./{DEFAULT_CONFIG} here: pass --config FILE)"
    raise CliError(f"no database at {path}{hint}; nothing to read yet", 2)


@contextlib.asynccontextmanager
async def open_database(
    settings: Settings, *, quiet: bool = False, clock: Any = None, create: bool = True
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The migrated database of ``settings`` as a session factory; says which database it is on stderr.

    With ``create=False`` (commands that only read) a SQLite file that does not exist is an error, not a new file.
    """
    from copbot.core.clock import SystemClock
    from copbot.store import migrate
    from copbot.store.engine import create_engine, describe_url, session_factory, sqlite_path
    from copbot.store.faults import StoreUnusable
    from copbot.store.guard import check_writable

    url = settings.database_url()
    if not create:
        _require_existing(sqlite_path(url))
    if not quiet:
        say(f"database: {describe_url(url)}")
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        if create:  # a command that writes finds out now, in one sentence, not half-way through
            try:
                await check_writable(engine, url, (clock or SystemClock()).now())
            except StoreUnusable as unusable:
                raise CliError(str(unusable)) from None
        yield session_factory(engine, clock)
    finally:
        await engine.dispose()


def database_problem(error: BaseException, url: str) -> str | None:
    """One sentence for an error that means the database cannot be reached or written, else None."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from copbot.store.engine import describe_url

    if isinstance(error, DBAPIError):
        reason = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else type(error.orig).__name__
    elif isinstance(error, OSError):
        database = make_url(url).database or ""
        filename = str(error.filename or "")
        if filename and not (database and database.startswith(filename)):
            return None  # a file that is not the database (an import or export file, say)
        reason = f"{error.strerror or error}" + (f": {filename}" if filename else "")
    else:
        return None
    hint = "check database.url, and that the database is reachable and writable"
    return f"cannot use the database {describe_url(url)} ({reason}); {hint}"
