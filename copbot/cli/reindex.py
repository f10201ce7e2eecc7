"""``copbot kb reindex``: compute the missing entry embeddings with a progress bar (semantic extra)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from copbot.config.settings import Settings


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
    from tqdm import tqdm

    from copbot.cli.common import open_database
    from copbot.semantic import store
    from copbot.semantic.embedder import Embedder
    from copbot.semantic.indexer import embed_missing

    embedder = Embedder(model_location(settings))

    async def run() -> int:
        async with open_database(settings) as sessions:
            async with sessions() as session:
                total = await store.count_missing(session, embedder.name)
            with tqdm(total=total, unit=" entries", file=sys.stderr, disable=args.quiet) as bar:
                return await embed_missing(sessions, embedder, batch=args.batch, on_progress=bar.update)

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
    reindex.add_argument("--batch", type=int, default=64, help="entries embedded per batch (default 64)")
    reindex.add_argument("--force", action="store_true", help="compute them even if semantic.enabled is false")
    reindex.add_argument("--quiet", action="store_true", help="no progress bar")
    add_config_argument(reindex)
    reindex.set_defaults(handler=_cmd_reindex)
