"""``copbot check-config``: validate a config file, check what it needs from the environment, say what will run."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from copbot.cli.common import SubParsers, add_config_argument, config_path

if TYPE_CHECKING:
    from copbot.config.settings import Settings


def _cmd_check_config(args: argparse.Namespace, settings: Settings) -> int:
    from copbot.config.readiness import problems
    from copbot.semantic.runtime import search_mode
    from copbot.store.engine import describe_url

    source = config_path(args) or "(defaults)"
    found = problems(settings)
    for problem in found:
        print(f"copbot: {source}: {problem}", file=sys.stderr)
    if found:
        return 2
    platforms = [name for name in ("discord", "matrix") if getattr(settings, name).enabled]
    if settings.console_enabled:
        platforms.append("console")
    print(f"configuration OK: {source}")
    print(f"  database: {describe_url(settings.database_url())}")
    print(f"  platforms: {', '.join(platforms) or 'none'}")
    print(f"  prompts: {len(settings.prompts)}")
    print(f"  {search_mode(settings)[1]}")
    web = settings.web
    published = ", ".join(web.published_channels) or "no channel yet, so nothing"
    print(f"  web: on at {web.bind}, publishing {published}" if web.enabled else "  web: off")
    for warning in settings.warnings():
        print(f"warning: {warning}")
    return 0


def register_check(sub: SubParsers) -> None:
    """Add ``copbot check-config [PATH]``."""
    check = sub.add_parser("check-config", help="validate a config file and say what the bot will run")
    check.add_argument("path", nargs="?", help="the TOML config file")
    add_config_argument(check)
    check.set_defaults(handler=_cmd_check_config)
