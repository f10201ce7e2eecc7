"""The ``copbot kb`` subcommands: search the knowledge base, import and export JSON Lines."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from copbot.cli.common import open_database
from copbot.config.settings import Settings

HandlerArgs = Callable[[argparse.Namespace, Settings], int]


def _cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from copbot.knowledge.search.backend import search
    from copbot.knowledge.search.filters import SearchFilters

    filters = SearchFilters(tags=tuple(args.tag or ()), activity=args.activity, solved_only=args.solved)

    async def run() -> list[dict[str, Any]]:
        async with open_database(settings, create=False) as sessions, sessions() as session:
            hits = await search(session, args.query, filters, limit=args.limit)
        return [
            {"id": h.public_id, "title": h.title, "score": round(h.score, 4), "snippet": h.snippet, "url": h.url}
            for h in hits
        ]

    hits = asyncio.run(run())
    if args.json:
        print(json.dumps(hits, ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print("no matches")
    for number, hit in enumerate(hits, start=1):
        print(f"{number}. [{hit['id']}] {hit['title']}  (score {hit['score']:.2f})")
        print(f"   {hit['snippet']}")
        if hit["url"]:
            print(f"   {hit['url']}")
    return 0


def _lines(handle: IO[str]) -> Iterator[str]:
    yield from handle


def _cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from copbot.knowledge.interchange.jsonl import import_lines

    path = Path(args.file)
    if not path.is_file():
        print(f"copbot: no such file {path}", file=sys.stderr)
        return 2

    async def run(handle: IO[str]) -> int:
        with tqdm(unit=" entries", disable=not sys.stderr.isatty(), file=sys.stderr) as bar:
            async with open_database(settings) as sessions:
                report = await import_lines(
                    sessions, _lines(handle), on_progress=lambda done: bar.update(done) and None
                )
        for number, problem in report.errors:
            print(f"{path}:{number}: skipped: {problem}", file=sys.stderr)
        print(
            f"imported {path}: {report.created} new, {report.updated} updated, {report.unchanged} unchanged, "
            f"{len(report.errors)} malformed lines skipped"
        )
        return 1 if report.errors else 0

    with path.open(encoding="utf-8") as handle:
        return asyncio.run(run(handle))


def _cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from copbot.knowledge.interchange.jsonl import export_lines

    async def run(out: IO[str]) -> int:
        count = 0
        async with open_database(settings, create=False) as sessions:
            async for line in export_lines(sessions):
                out.write(line + "\n")
                count += 1
        return count

    if args.file in (None, "-"):
        asyncio.run(run(sys.stdout))
        return 0
    with Path(args.file).open("w", encoding="utf-8") as handle:
        count = asyncio.run(run(handle))
    print(f"exported {count} entries to {args.file}", file=sys.stderr)
    return 0


def register_kb(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``copbot kb search|import|export``."""
    from copbot.cli.common import add_config_argument

    kb = sub.add_parser("kb", help="the knowledge base: search, import, export")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    search = kb_sub.add_parser("search", help="search the knowledge base")
    search.add_argument("query", help="any text")
    search.add_argument("--limit", type=int, default=10, help="at most this many hits (default 10)")
    search.add_argument("--json", action="store_true", help="print the hits as JSON")
    search.add_argument("--tag", action="append", help="only entries with this tag (repeatable)")
    search.add_argument("--activity", help="only entries of this practice activity")
    search.add_argument("--solved", action="store_true", help="only solved entries")
    importer = kb_sub.add_parser("import", help="import entries from a JSON Lines file")
    importer.add_argument("file", help="the .jsonl file")
    exporter = kb_sub.add_parser("export", help="export every entry as JSON Lines")
    exporter.add_argument("file", nargs="?", help="the output file (default: standard output)")
    handlers: dict[str, tuple[argparse.ArgumentParser, HandlerArgs]] = {
        "search": (search, _cmd_search),
        "import": (importer, _cmd_import),
        "export": (exporter, _cmd_export),
    }
    for parser, handler in handlers.values():
        add_config_argument(parser)
        parser.set_defaults(handler=handler)
    from copbot.cli.reindex import register_reindex

    register_reindex(sub)
