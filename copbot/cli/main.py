"""The ``copbot`` command line: run the bot, check the config, manage the database and the knowledge base."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import sys
from collections.abc import Sequence

from copbot import __version__
from copbot.cli.common import CliError, SubParsers, config_path, database_problem

log = logging.getLogger(__name__)

COMMANDS: dict[str, tuple[str, str, str]] = {
    "run": ("copbot.cli.run", "register_run", "run the bot"),
    "check-config": ("copbot.cli.check", "register_check", "validate a config file and say what the bot will run"),
    "db": ("copbot.cli.db", "register_db", "database schema, and copying a whole database to another store"),
    "kb": ("copbot.cli.kb", "register_kb", "the knowledge base: search, show, import, export, reindex"),
    "activity": ("copbot.cli.activity", "register_activity", "practice-activity recognition: explain, label"),
    "prompts": ("copbot.cli.prompts", "register_prompts", "scheduled prompts and digests: list, run one now"),
    "audit": ("copbot.cli.audit", "register_audit", "show the newest moderator actions (pins, edits, deletions)"),
    "report": ("copbot.cli.report", "register_report", "community health as one HTML file (or --json)"),
    "web": ("copbot.cli.web", "register_web", "the knowledge base's web pages alone, or exported as static files"),
    "backfill": ("copbot.cli.backfill", "register_backfill", "read the past of the channels [backfill] names"),
}
"""Each subcommand's module, its registering function and its one-line help; a module is imported only when used."""


def configure_logging(level: str) -> None:
    """Log to stderr at ``level``; chatty libraries stay at WARNING."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("aiosqlite", "sqlalchemy.engine", "alembic", "discord", "nio", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))


def build_parser(only: str | None = None, *, every: bool = False) -> argparse.ArgumentParser:
    """The argument parser: subcommand ``only`` (or ``every`` one) fully described, the rest as names and help."""
    parser = argparse.ArgumentParser(prog="copbot", description=__doc__)
    parser.add_argument("--version", action="version", version=f"copbot {__version__}")
    parser.add_argument("--config", "-c", dest="global_config", metavar="PATH",
                        help="the TOML config file, for any COMMAND (as COMMAND --config PATH)")  # fmt: skip
    sub: SubParsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module, function, text) in COMMANDS.items():
        if every or only == name:
            getattr(importlib.import_module(module), function)(sub)
        else:
            sub.add_parser(name, help=text, add_help=False)
    return parser


def _chosen(argv: Sequence[str]) -> str | None:
    """The subcommand named in ``argv`` (the first word that is one), so only its module is imported."""
    return next((word for word in argv if word in COMMANDS), None)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``copbot`` console script: every failure is one line on stderr and a non-zero exit."""
    words = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(_chosen(words)).parse_args(words)
    try:
        return _run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as other command-line tools do
        _silence_stdout()
        return 141
    except CliError as error:
        print(f"copbot: {error}", file=sys.stderr)
        return error.code
    except Exception as error:  # a traceback is for developers: log it, tell the user one sentence
        log.debug("copbot %s failed", args.command, exc_info=True)
        print(f"copbot: {_sentence(error)}", file=sys.stderr)
        return 1


def _database_error(error: BaseException) -> bool:
    """Whether ``error`` is a driver error (SQLAlchemy is looked at only if something already imported it)."""
    exc = sys.modules.get("sqlalchemy.exc")
    return exc is not None and isinstance(error, exc.DBAPIError)


def _run(args: argparse.Namespace) -> int:
    from copbot.config.errors import ConfigError
    from copbot.config.settings import load_settings

    try:
        settings = load_settings(config_path(args))
    except ConfigError as error:
        raise CliError(str(error), 2) from None
    level = logging.getLevelName(settings.bot.log_level)
    chat_on_terminal = settings.console_enabled and "log_level" not in settings.bot.model_fields_set
    if args.command != "run" or chat_on_terminal:  # log lines must not land in the chat or in piped output
        level = max(logging.WARNING, level if isinstance(level, int) else logging.INFO)
    configure_logging(logging.getLevelName(level))
    try:
        code: int = args.handler(args, settings)
    except ConfigError as error:
        raise CliError(str(error), 2) from None
    except Exception as error:
        if not (isinstance(error, OSError) or _database_error(error)):
            raise
        problem = database_problem(error, settings.database_url())
        if problem is None:
            raise
        raise CliError(problem) from None
    return code


def _sentence(error: Exception) -> str:
    """One line for an unexpected failure: files and databases by name, anything else by its type."""
    if isinstance(error, OSError) and error.filename:
        return f"{error.filename}: {error.strerror or error}"
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(error, OperationalError | DBAPIError):
        reason = str(error.orig or error).strip().splitlines()[0]
        return f"the database could not be used: {reason}"
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


def _silence_stdout() -> None:
    import os

    with open(os.devnull, "w") as devnull, contextlib.suppress(OSError):
        os.dup2(devnull.fileno(), sys.stdout.fileno())


if __name__ == "__main__":
    raise SystemExit(main())
