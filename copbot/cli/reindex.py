"""``copbot kb reindex``: compute the missing entry embeddings with a progress bar (semantic extra)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.config.settings import Settings

if TYPE_CHECKING:
    from copbot.semantic.embedder import Embedder

BATCH = 64


async def embed_with_progress(
    sessions: async_sessionmaker[AsyncSession], embedder: Embedder, *, batch: int = BATCH, quiet: bool = False
) -> int:
    """Embed every searchable entry still missing an embedding, in batches; a bar (total, ETA) on a terminal."""
    from tqdm import tqdm

    from copbot.semantic import store
    from copbot.semantic.indexer import embed_missing

    async with sessions() as session:
        total = await store.count_missing(session, embedder.name)
    if not total:
        return 0
    with tqdm(total=total, unit=" entries", desc="embedding", file=sys.stderr, disable=True if quiet else None) as bar:
        return await embed_missing(sessions, embedder, batch=batch, on_progress=bar.update)


def _cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from copbot.semantic import available
    from copbot.semantic.runtime import model_location

    ok, reason = available()
    if not ok:
        print(f"copbot: cannot compute embeddings: {reason}", file=sys.stderr)
        return 2
    if not settings.semantic.enabled and not args.force:
        print("semantic.enabled is false: nothing to do (pass --force to compute embeddings anyway)")
        return 0
    from copbot.cli.common import open_database
    from copbot.semantic.embedder import Embedder

    embedder = Embedder(model_location(settings))

    async def run() -> int:
        async with open_database(settings) as sessions:
            return await embed_with_progress(sessions, embedder, batch=args.batch, quiet=args.quiet)

    done = asyncio.run(run())
    print(f"computed {done} embeddings with {embedder.name}")
    return 0


def register_reindex(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``reindex`` under the ``kb`` subcommand (registered after ``copbot.cli.kb.register_kb``)."""
    from copbot.cli.common import add_config_argument

    kb = sub.choices.get("kb")
    if kb is None:
        kb = sub.add_parser("kb", help="the knowledge base")
        kb.add_subparsers(dest="kb_command", required=True)
    kb_sub = next(a for a in kb._actions if isinstance(a, argparse._SubParsersAction))
    reindex = kb_sub.add_parser("reindex", help="compute missing embeddings for hybrid search (semantic extra)")
    reindex.add_argument("--batch", type=int, default=BATCH, help=f"entries embedded per batch (default {BATCH})")
    reindex.add_argument("--force", action="store_true", help="compute them even if semantic.enabled is false")
    reindex.add_argument("--quiet", action="store_true", help="no progress bar")
    add_config_argument(reindex)
    reindex.set_defaults(handler=_cmd_reindex)
