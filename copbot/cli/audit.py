"""The ``copbot audit`` subcommand: print the newest moderator actions from the audit log as a table."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from copbot.config.settings import Settings
from copbot.store.models import AuditLog

DEFAULT_LIMIT = 50
DETAIL_WIDTH = 60
HEADERS = ("time", "platform", "actor", "action", "target", "detail")


def _one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def audit_rows(entries: Sequence[AuditLog]) -> list[tuple[str, ...]]:
    """The table cells of each audit entry, in the order of ``HEADERS``."""
    rows: list[tuple[str, ...]] = []
    for entry in entries:
        actor = f"{entry.actor_name} ({entry.actor_id})" if entry.actor_name else entry.actor_id
        rows.append(
            (
                entry.at.strftime("%Y-%m-%d %H:%M:%S %Z"),
                entry.platform,
                actor,
                entry.action,
                _one_line(entry.target, DETAIL_WIDTH),
                _one_line(entry.detail, DETAIL_WIDTH),
            )
        )
    return rows


def format_table(rows: Sequence[tuple[str, ...]], headers: Sequence[str] = HEADERS) -> str:
    """Left-aligned columns separated by two spaces, with a rule under the header."""
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=False)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * width for width in widths]), *(line(row) for row in rows)])


async def load_entries(settings: Settings, limit: int) -> list[AuditLog] | None:
    """The newest ``limit`` audit entries, or None when the database has no schema yet."""
    from copbot.members import audit
    from copbot.store import migrate
    from copbot.store.engine import create_engine, session_factory

    engine = create_engine(settings.database_url())
    try:
        if await migrate.current_revision(engine) is None:
            return None
        return await audit.recent(session_factory(engine), limit)
    finally:
        await engine.dispose()


def _cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    from copbot.store.engine import describe_url

    entries = asyncio.run(load_entries(settings, args.limit))
    if entries is None:
        print(f"the database ({describe_url(settings.database_url())}) has no schema yet; run: copbot db upgrade")
        return 1
    if not entries:
        print("the audit log is empty: no moderator actions yet")
        return 0
    print(format_table(audit_rows(entries)))
    return 0


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def register_audit(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``copbot audit [--limit N] [--config PATH]``."""
    from copbot.cli.common import add_config_argument

    parser = sub.add_parser("audit", help="show the newest moderator actions (pins, edits, deletions)")
    parser.add_argument(
        "--limit", "-n", type=_positive, default=DEFAULT_LIMIT, help=f"how many, newest first (default {DEFAULT_LIMIT})"
    )
    add_config_argument(parser)
    parser.set_defaults(handler=_cmd_audit)
