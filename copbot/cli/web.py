"""``copbot web``: the web pages alone against the bot's database, or ``copbot web export DIR`` as static files."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from pathlib import Path
from typing import TYPE_CHECKING

from copbot.cli.common import CliError, SubParsers, add_config_argument, open_database, say
from copbot.core.words import counted

if TYPE_CHECKING:
    from copbot.config.settings import Settings


async def _serve(settings: Settings) -> None:
    from copbot.core.clock import SystemClock
    from copbot.semantic.runtime import build_understanding
    from copbot.web.server import WebServer
    from copbot.web.site import Site

    clock = SystemClock()
    async with open_database(settings, clock=clock, create=False) as sessions:
        understanding = await build_understanding(settings, sessions)  # the same search /search makes
        server = WebServer(Site(settings.web, sessions, clock, name=settings.bot.name, health=settings.health))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        await server.start()
        host, port = settings.web.host_port
        say(f"web pages on http://{host or '0.0.0.0'}:{port} (Ctrl-C stops)")
        try:
            await stop.wait()
        finally:
            await server.stop()
            if understanding.semantic is not None:
                await understanding.semantic.stop()


async def _export(settings: Settings, folder: Path, base_url: str | None, index: bool) -> int:
    from copbot.core.clock import SystemClock
    from copbot.web.export import export
    from copbot.web.site import Site

    clock = SystemClock()
    async with open_database(settings, clock=clock, create=False) as sessions:
        site = Site(settings.web, sessions, clock, name=settings.bot.name, health=settings.health)
        return await export(site, (base_url or settings.web.base_url).rstrip("/"), folder, index=index)


def _cmd_web(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.web.published_channels:
        say("note: [web] published_channels is empty, so no entry is published")
    if args.action == "export":
        if not (args.base_url or settings.web.base_url):
            raise CliError("the export needs the site's public URL: set [web] base_url or pass --base-url", 2)
        written = asyncio.run(_export(settings, Path(args.folder), args.base_url, not args.no_index))
        say(f"wrote {counted(written, 'entry', 'entries')} to {args.folder}")
        return 0
    asyncio.run(_serve(settings))
    return 0


def register_web(sub: SubParsers) -> None:
    """Add ``copbot web`` and ``copbot web export DIR``."""
    parser = sub.add_parser("web", help="serve the knowledge base's web pages alone, or export them as static files")
    add_config_argument(parser)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    export = actions.add_parser("export", help="write the pages as static files (with a Pagefind search index)")
    export.add_argument("folder", metavar="DIR")
    export.add_argument("--base-url", help="the public URL the files will be served at (default: [web] base_url)")
    export.add_argument("--no-index", action="store_true", help="skip the Pagefind search index")
    add_config_argument(export)
    parser.set_defaults(handler=_cmd_web, action=None)
