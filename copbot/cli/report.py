"""`copbot report [--since 90d] [--channel ID] --out report.html | --json`: the community-health report."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from copbot.config.settings import Settings
from copbot.core.clock import Clock, SystemClock

log = logging.getLogger(__name__)


async def report_output(settings: Settings, args: argparse.Namespace, clock: Clock) -> str:
    """The report's text (JSON or HTML) for the parsed arguments, reading the database of ``settings``."""
    from copbot.health.window import Window, parse_since
    from copbot.prompts.health_page import health_report_text
    from copbot.store import migrate
    from copbot.store.engine import create_engine, session_factory

    now = clock.now()
    window = Window(parse_since(args.since, now), now, args.channel)
    engine = create_engine(settings.database_url())
    try:
        revision = await migrate.current_revision(engine)
        if revision != migrate.head_revision():
            raise ValueError(f"the database is at revision {revision or 'none'}; run: copbot db upgrade")
        async with session_factory(engine)() as session:
            return await health_report_text(session, window, settings.health, now, as_json=args.json)
    finally:
        await engine.dispose()


def run_report(args: argparse.Namespace, settings: Settings, clock: Clock | None = None) -> int:
    """Write the report where ``--out`` says (stdout for JSON without ``--out``); one sentence on any problem."""
    if not args.json and not args.out:
        print("copbot report: give --out report.html (or --json for the figures as data)", file=sys.stderr)
        return 2
    try:
        text = asyncio.run(report_output(settings, args, clock or SystemClock()))
    except ValueError as error:
        print(f"copbot report: {error}", file=sys.stderr)
        return 2
    if args.out in (None, "-"):
        sys.stdout.write(text)
        return 0
    try:
        Path(args.out).write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"copbot report: cannot write {args.out}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}")
    return 0


def _cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    return run_report(args, settings)


def register_report(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `copbot report`."""
    from copbot.cli.common import add_config_argument

    parser = sub.add_parser("report", help="community health: a printable HTML report with charts, or --json")
    parser.add_argument(
        "--since", default="90d", metavar="SPAN", help="90d, 12w or a date like 2026-01-31 (default 90d)"
    )
    parser.add_argument("--channel", metavar="ID", help="only this channel or room (default: the whole community)")
    parser.add_argument("--out", "-o", metavar="FILE", help="where to write (JSON goes to stdout without it)")
    parser.add_argument("--json", action="store_true", help="the same figures as JSON data instead of HTML")
    add_config_argument(parser)
    parser.set_defaults(handler=_cmd_report)
