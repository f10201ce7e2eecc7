"""``copbot run``: check that the bot can start (config, secrets), then run it until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING

from copbot.cli.common import CliError, SubParsers, add_config_argument

if TYPE_CHECKING:
    from copbot.config.settings import Settings


def _cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from copbot.app import Application
    from copbot.config.readiness import problems

    found = problems(settings)
    if found:  # before the database is touched: nothing is migrated or created for a bot that cannot start
        raise CliError(found[0] + (f" (and {len(found) - 1} more: run copbot check-config)" if len(found) > 1 else ""))
    from copbot.store.faults import StoreUnusable

    app = Application(settings)
    try:
        asyncio.run(app.run_until_stopped())
    except StoreUnusable as unusable:  # found before the bot started: a read-only database, say
        raise CliError(str(unusable)) from None
    if app.failure is not None:  # the bot stopped on its own: its database file vanished
        raise CliError(app.failure)
    return 0


def register_run(sub: SubParsers) -> None:
    """Add ``copbot run``."""
    run = sub.add_parser("run", help="run the bot")
    add_config_argument(run)
    run.set_defaults(handler=_cmd_run)
