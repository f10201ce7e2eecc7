"""``copbot db``: upgrade the schema, show its revision, or copy a whole database to another store."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

from copbot.cli.common import SubParsers, add_config_argument, say

if TYPE_CHECKING:
    from copbot.config.settings import Settings


def _cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from copbot.store import migrate
    from copbot.store.engine import create_engine, describe_url

    async def run() -> str | None:
        engine = create_engine(settings.database_url())
        try:
            if args.db_command == "upgrade":
                return await migrate.upgrade(engine)
            return await migrate.current_revision(engine)
        finally:
            await engine.dispose()

    say(f"database: {describe_url(settings.database_url())}")
    revision = asyncio.run(run())
    print(f"database at revision {revision or 'none'} (newest: {migrate.head_revision()})")
    return 0


def register_db(sub: SubParsers) -> None:
    """Add ``copbot db upgrade|current|copy``."""
    db = sub.add_parser("db", help="database schema, and copying a whole database to another store")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    for name, text in (("upgrade", "apply every migration"), ("current", "show the schema revision")):
        cmd = db_sub.add_parser(name, help=text)
        add_config_argument(cmd)
        cmd.set_defaults(handler=_cmd_db)
    register_db_copy(db_sub)


def _cmd_db_copy(args: argparse.Namespace, settings: Settings) -> int:
    from copbot.core.words import counted
    from copbot.store.engine import is_sqlite
    from copbot.store.transfer import CopyError, copy_database, normalise_url

    source = args.source or settings.database_url()

    def progress(table: str, rows: int) -> None:
        print(f"  {table:<20} {rows:>9} rows", flush=True)

    print(f"copying {source} -> {args.target}")
    try:
        report = asyncio.run(
            copy_database(source, args.target, force=args.force, batch_size=args.batch_size, progress=progress)
        )
    except CopyError as error:
        print(f"copbot db copy: {error}", file=sys.stderr)
        return 1
    if report.index_set_aside:
        print("the RUM search index was built once, after the rows")
    target = normalise_url(args.target)
    if not is_sqlite(target):
        words = asyncio.run(_count_words(target))
        print(f"counted {counted(words, 'word', 'words')} of the copied entries for search")
    print(f"copied {report.total} rows in {report.seconds:.1f}s; point database.url at the target to use it")
    return 0


async def _count_words(url: str) -> int:
    """Count every word of the searchable text on PostgreSQL (a copy brings none of the counts search reads)."""
    from copbot.knowledge.search import pg_lexemes
    from copbot.store.engine import create_engine, session_factory

    engine = create_engine(url)
    try:
        async with session_factory(engine).begin() as session:
            return await pg_lexemes.refresh(session)
    finally:
        await engine.dispose()


def register_db_copy(db_sub: SubParsers) -> None:
    """Add ``copbot db copy --from URL --to URL [--force]``."""
    copy = db_sub.add_parser(
        "copy",
        help="copy every row into another database (migrated first), e.g. SQLite to PostgreSQL",
        description="Copy a whole copbot database. Stop the bot first. The target is migrated to the newest "
        "schema; a target that holds data is refused unless --force, which replaces it.",
    )
    copy.add_argument("--from", dest="source", metavar="URL", help="the source (default: database.url of --config)")
    copy.add_argument("--to", dest="target", metavar="URL", required=True, help="the target database URL")
    copy.add_argument("--force", action="store_true", help="empty a target that already holds data")
    copy.add_argument("--batch-size", type=int, default=1000, metavar="N", help="rows per insert (default 1000)")
    add_config_argument(copy)
    copy.set_defaults(handler=_cmd_db_copy)
