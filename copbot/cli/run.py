"""``copbot run``: check that the bot can start (config, secrets), then run it until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING

from copbot.cli.common import CliError, SubParsers, add_config_argument

if TYPE_CHECKING:
    from copbot.config.settings import Settings


def _cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from copbot.config.readiness import problems

    found = problems(settings)
    if found:  # before the database is touched: nothing is migrated or created for a bot that cannot start
        raise CliError(found[0] + (f" (and {len(found) - 1} more: run copbot check-config)" if len(found) > 1 else ""))
    if settings.console_enabled:
        # The console's first line before the bot loads (about a second of imports and migrations): what is typed
        # meanwhile waits in stdin's buffer and is read once the bot has started, so nothing typed is lost.
        from copbot.adapters.banner import console_banner

        print(console_banner(settings.console.room, settings.console.user), flush=True)
    from copbot.app import Application

    asyncio.run(Application(settings, console_announced=settings.console_enabled).run_until_stopped())
    return 0


def register_run(sub: SubParsers) -> None:
    """Add ``copbot run``."""
    run = sub.add_parser("run", help="run the bot")
    add_config_argument(run)
    run.set_defaults(handler=_cmd_run)
