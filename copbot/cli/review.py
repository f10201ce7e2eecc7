"""``copbot kb review``: the backfill's review queue on the command line: list, accept, reject."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import TYPE_CHECKING

from copbot.cli.common import CliError, add_config_argument, open_database
from copbot.core.words import counted

if TYPE_CHECKING:
    from copbot.config.settings import Settings


def _cmd_review(args: argparse.Namespace, settings: Settings) -> int:
    from copbot.app import build_services
    from copbot.backfill.review import SIGNALS, ReviewError, decide, pending
    from copbot.core.clock import SystemClock
    from copbot.members.visibility import Audience

    async def run() -> None:
        async with open_database(settings, quiet=args.json) as sessions:
            if args.action == "list":
                async with sessions() as session:
                    shown, total = await pending(session, Audience.operator(), limit=args.limit)
                if args.json:
                    keys = ("id", "title", "signal", "question", "answer", "url")
                    listed = [{key: getattr(item, key) for key in keys} for item in shown]
                    print(json.dumps(listed, ensure_ascii=False))
                    return
                print(f"{counted(total, 'candidate', 'candidates')} waiting for review" + (":" if shown else "."))
                for item in shown:
                    print(f"  {item.id}: {item.title} ({SIGNALS.get(item.signal, item.signal)}) {item.url or ''}")
                    if item.answer:
                        print(f"      answer: {item.answer[:200]}")
                return
            if args.id is None:
                raise CliError(f"copbot kb review {args.action} needs a candidate id", 2)
            services = build_services(settings, sessions, SystemClock())
            try:
                async with sessions.begin() as session:
                    print(await decide(services, session, args.id, args.action, "cli"))
            except ReviewError as error:
                raise CliError(str(error)) from None

    asyncio.run(run())
    return 0


def register_review(kb_sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``copbot kb review list|accept ID|reject ID``."""
    review = kb_sub.add_parser("review", help="the backfill's answered threads waiting for review")
    review.add_argument("action", choices=("list", "accept", "reject"), nargs="?", default="list")
    review.add_argument("id", type=int, nargs="?", help="the candidate id (accept, reject)")
    review.add_argument("--limit", type=int, default=20, help="list at most this many (default 20)")
    review.add_argument("--json", action="store_true", help="list as JSON")
    add_config_argument(review)
    review.set_defaults(handler=_cmd_review)
