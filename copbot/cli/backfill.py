"""``copbot backfill``: read the named channels' past (export files, or live) into the database; ``--remove`` undoes."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from copbot.cli.common import CliError, SubParsers, add_config_argument, open_database, say
from copbot.core.words import counted

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from copbot.backfill.run import Backfill, Outcome
    from copbot.config.settings import Settings
    from copbot.core.adapter import HistoryReader
    from copbot.store.backfill import BackfillCandidate


def backfill_job(settings: Settings, sessions: async_sessionmaker[AsyncSession], *, progress: bool = True) -> Backfill:
    """The backfill of ``settings`` over ``sessions``, accepting candidates of ``auto_accept`` channels at once."""
    from copbot.app import build_services
    from copbot.backfill.queue import Queue
    from copbot.backfill.review import accept
    from copbot.backfill.run import Backfill
    from copbot.core.clock import SystemClock

    services = build_services(settings, sessions, SystemClock())

    async def accepting(session: AsyncSession, candidate: BackfillCandidate) -> object:
        return await accept(services, session, candidate, "auto_accept")

    ignored = frozenset(settings.matrix.ignore_users)
    return Backfill(sessions, settings, Queue(sessions, settings, accepting), ignored=ignored, progress=progress)


async def live_readers(settings: Settings, stack: contextlib.AsyncExitStack) -> list[HistoryReader]:
    """The history of each enabled platform, logged in for as long as ``stack`` is open."""
    readers: list[HistoryReader] = []
    if settings.discord.enabled:
        from copbot.adapters.discord.history import discord_history

        if settings.discord.token is None:
            raise CliError('[discord] token is not set: name its environment variable, token = { env = "..." }', 2)
        token, guilds = settings.discord.token.resolve(), settings.discord.guild_ids
        marks = settings.knowledge.solved_emojis
        readers.append(
            await stack.enter_async_context(discord_history(token, guilds, settings.discord.solved_tag, marks))
        )
    if settings.matrix.enabled:
        from copbot.adapters.matrix.history import matrix_history

        readers.append(await stack.enter_async_context(matrix_history(settings)))
    return readers


def _rooms(args: argparse.Namespace, settings: Settings) -> list[str]:
    named = [channel.id for channel in settings.backfill.channels]
    if not named:
        raise CliError("no channels to backfill: name them in [backfill] channels (nothing is read by default)", 2)
    wanted = list(args.channel or named)
    unknown = [ident for ident in wanted if ident not in named]
    if unknown:
        raise CliError(f"channel {unknown[0]} is not in [backfill] channels; add it there first", 2)
    return wanted


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(
            f"--since {text!r} is not a date: write it as 2024-01-31 (or 2024-01-31T09:00+01:00)", 2
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _report(outcome: Outcome) -> None:
    stored, skipped = sum(outcome.stored.values()), sum(outcome.skipped.values())
    say(f"backfilled {counted(len(outcome.stored), 'source', 'sources')}: "
        f"{counted(stored, 'message', 'messages')} stored, {skipped} skipped "
        f"(bots, system messages, opted-out members, commands)")  # fmt: skip
    waiting = outcome.candidates - outcome.accepted
    say(f"answered threads found: {outcome.candidates} ({outcome.accepted} accepted at once, {waiting} to review "
        f"with copbot kb review or /kb review)")  # fmt: skip


def _cmd_backfill(args: argparse.Namespace, settings: Settings) -> int:
    from copbot.backfill.exports import ExportError, read_exports
    from copbot.backfill.remove import remove_backfill

    async def remove() -> None:
        async with open_database(settings) as sessions:
            counts = await remove_backfill(sessions)
        say("removed what backfills added: " + ", ".join(f"{n} {what}" for what, n in counts.items()))

    if args.remove:
        asyncio.run(remove())
        return 0
    rooms = _rooms(args, settings)
    since = _since(args.since)
    readers: list[HistoryReader] = []
    if args.sources:
        try:
            readers = list(read_exports([Path(path) for path in args.sources]))
        except ExportError as error:
            raise CliError(str(error), 2) from None
    elif not (settings.discord.enabled or settings.matrix.enabled):
        raise CliError("a live backfill reads Discord or Matrix: enable one, or give export files with --from FILE", 2)

    async def run() -> None:
        async with open_database(settings) as sessions, contextlib.AsyncExitStack() as stack:
            job = backfill_job(settings, sessions, progress=not args.quiet)
            job.since = since
            for reader in readers if args.sources else await live_readers(settings, stack):
                _report(await job.run(reader, rooms))

    asyncio.run(run())
    return 0


def register_backfill(sub: SubParsers) -> None:
    """Add ``copbot backfill``."""
    parser = sub.add_parser("backfill", help="read the past of the channels [backfill] names; --remove undoes it")
    parser.add_argument("--from", dest="sources", action="append", metavar="FILE",
                        help="a DiscordChatExporter or Element JSON export (repeatable)")  # fmt: skip
    parser.add_argument("--channel", action="append", metavar="ID", help="only this configured channel (repeatable)")
    parser.add_argument("--since", metavar="DATE", help="only messages from this date on (ISO 8601, UTC unless given)")
    parser.add_argument("--remove", "--undo", action="store_true", help="remove everything backfills added")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    add_config_argument(parser)
    parser.set_defaults(handler=_cmd_backfill)
