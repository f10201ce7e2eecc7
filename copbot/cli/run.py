"""``copbot run``: check that the bot can start (config, secrets), then run it until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path
from typing import TYPE_CHECKING

from copbot.cli.common import CliError, SubParsers, add_config_argument

if TYPE_CHECKING:
    from copbot.config.settings import Settings


def _cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from copbot.config.readiness import problems

    found = problems(settings)
    if found:  # before the database is touched: nothing is migrated or created for a bot that cannot start
        raise CliError(found[0] + (f" (and {len(found) - 1} more: run copbot check-config)" if len(found) > 1 else ""))
    announced = settings.console_enabled and _writable_at_a_glance(settings.database.url)
    if announced:
        # The console's first line before the bot loads (about a second of imports and migrations): what is typed
        # meanwhile waits in stdin's buffer and is read once the bot has started, so nothing typed is lost.
        from copbot.adapters.banner import console_banner

        print(console_banner(settings.console.room, settings.console.user), flush=True)
    from copbot.app import Application
    from copbot.store.faults import StoreUnusable

    app = Application(settings, console_announced=announced)
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


def _writable_at_a_glance(url: str) -> bool:
    """Whether the console may greet before the bot loads: only for a SQLite file (and folder) plainly writable, so a
    read-only database or one on a server is refused by the real write check before any banner. A glance without
    SQLAlchemy, which ``copbot run`` imports only after the banner."""
    scheme, _, rest = url.partition(":///")
    if not scheme.startswith("sqlite") or not rest or rest.startswith(":memory:"):
        return False
    path = Path(rest.split("?", 1)[0])
    return os.access(path.parent, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))
