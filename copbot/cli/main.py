"""The ``copbot`` command line: run the bot, check the config, manage the database."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence

from copbot import __version__
from copbot.config.errors import ConfigError
from copbot.config.settings import Settings, load_settings

log = logging.getLogger(__name__)

Registrar = Callable[[argparse._SubParsersAction], None]  # type: ignore[type-arg]


def configure_logging(level: str) -> None:
    """Log to stderr at ``level``; chatty libraries stay at WARNING."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("aiosqlite", "sqlalchemy.engine", "alembic", "discord", "nio", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    """The ``--config PATH`` option every subcommand takes."""
    parser.add_argument("--config", "-c", metavar="PATH", help="the TOML config file (default: built-in defaults)")


def _cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from copbot.app import Application

    asyncio.run(Application(settings).run_until_stopped())
    return 0


def _cmd_check_config(args: argparse.Namespace, settings: Settings) -> int:
    from copbot.semantic.runtime import search_mode

    platforms = [name for name in ("discord", "matrix") if getattr(settings, name).enabled]
    if settings.console_enabled:
        platforms.append("console")
    print(f"configuration OK: {args.path or args.config or '(defaults)'}")
    print(f"  database: {settings.database_url()}")
    print(f"  platforms: {', '.join(platforms) or 'none'}")
    print(f"  prompts: {len(settings.prompts)}")
    print(f"  {search_mode(settings)[1]}")
    return 0


def _cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from copbot.store import migrate
    from copbot.store.engine import create_engine

    async def run() -> str | None:
        engine = create_engine(settings.database_url())
        try:
            if args.db_command == "upgrade":
                return await migrate.upgrade(engine)
            return await migrate.current_revision(engine)
        finally:
            await engine.dispose()

    revision = asyncio.run(run())
    print(f"database at revision {revision or 'none'} (newest: {migrate.head_revision()})")
    return 0


def extra_registrars() -> list[Registrar]:
    """Subcommands contributed by the feature modules."""
    from copbot.cli.activity import register_activity
    from copbot.cli.audit import register_audit
    from copbot.cli.kb import register_kb
    from copbot.cli.prompts import register_prompts
    from copbot.cli.reindex import register_reindex
    from copbot.cli.report import register_report

    return [register_audit, register_prompts, register_activity, register_kb, register_reindex, register_report]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    from copbot.cli.db import register_db_copy

    parser = argparse.ArgumentParser(prog="copbot", description=__doc__)
    parser.add_argument("--version", action="version", version=f"copbot {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the bot")
    add_config_argument(run)
    run.set_defaults(handler=_cmd_run)

    check = sub.add_parser("check-config", help="validate a config file and say what the bot will run")
    check.add_argument("path", nargs="?", help="the TOML config file")
    add_config_argument(check)
    check.set_defaults(handler=_cmd_check_config)

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    for name, text in (("upgrade", "apply every migration"), ("current", "show the schema revision")):
        cmd = db_sub.add_parser(name, help=text)
        add_config_argument(cmd)
        cmd.set_defaults(handler=_cmd_db)
    register_db_copy(db_sub)

    for register in extra_registrars():
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``copbot`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    path = getattr(args, "path", None) or getattr(args, "config", None)
    try:
        settings = load_settings(path)
    except ConfigError as error:
        print(f"copbot: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.bot.log_level)
    try:
        code: int = args.handler(args, settings)
    except ConfigError as error:
        print(f"copbot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    raise SystemExit(main())
