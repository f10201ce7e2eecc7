"""The ``copbot kb`` subcommands: search the knowledge base, import and export JSON Lines."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from copbot.cli.common import open_database, say
from copbot.config.settings import Settings
from copbot.core.words import counted

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from copbot.knowledge.search.filters import SearchHit
    from copbot.semantic.runtime import Understanding

HandlerArgs = Callable[[argparse.Namespace, Settings], int]


@contextlib.asynccontextmanager
async def _understood(
    settings: Settings, *, create: bool = True
) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], Understanding]]:
    """The database and the bot's own search and recogniser over it (hybrid when the semantic extra is on)."""
    from copbot.semantic.runtime import build_understanding

    async with open_database(settings, create=create) as sessions:
        understanding = await build_understanding(settings, sessions, background=False)
        try:
            yield sessions, understanding
        finally:
            await understanding.close()


def _hit_json(hit: SearchHit) -> dict[str, Any]:
    return {"id": hit.public_id, "title": hit.title, "score": round(hit.score, 4), "snippet": hit.snippet,
            "url": hit.url}  # fmt: skip


def _query_lines(path: str) -> tuple[list[tuple[str, str, tuple[str, ...] | None]], list[str]]:
    """The (id, query, entries to search within) of each JSON line of ``path``, and one sentence per bad line."""
    queries: list[tuple[str, str, tuple[str, ...] | None]] = []
    problems: list[str] = []
    with contextlib.ExitStack() as stack:
        handle = sys.stdin if path == "-" else stack.enter_context(Path(path).open(encoding="utf-8"))
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                query, within = record["query"], record.get("within")
                if not isinstance(query, str) or not (within is None or isinstance(within, list)):
                    raise TypeError
            except (ValueError, KeyError, TypeError, AttributeError):
                problems.append(f'{path}:{number}: skipped: expected {{"id", "query", "within"?: [entry ids]}}')
                continue
            queries.append((str(record.get("id", number)), query, None if within is None else tuple(map(str, within))))
    return queries, problems


def _cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from copbot.knowledge.capture import hashtags
    from copbot.knowledge.search.backend import search
    from copbot.knowledge.search.filters import SearchFilters

    if (args.query is None) == (args.queries is None):
        print("copbot kb search: give a QUERY or --queries FILE (one of them)", file=sys.stderr)
        return 2
    try:
        queries, problems = _query_lines(args.queries) if args.queries else ([("", args.query, None)], [])
    except OSError as error:
        print(f"copbot kb search: {args.queries}: {error.strerror or error}", file=sys.stderr)
        return 2

    async def run() -> list[list[dict[str, Any]]]:
        found: list[list[dict[str, Any]]] = []
        async with _understood(settings, create=False) as (sessions, _), sessions() as session:
            for _, text, within in queries:
                tags = (*(args.tag or ()), *hashtags(text))  # /search reads #tags from its text the same way
                filters = SearchFilters(tags=tags, activity=args.activity, solved_only=args.solved, public_ids=within)
                found.append([_hit_json(hit) for hit in await search(session, text, filters, limit=args.limit)])
        return found

    results = asyncio.run(run())
    for problem in problems:
        print(problem, file=sys.stderr)
    if args.queries:
        for (query_id, _, _), hits in zip(queries, results, strict=True):
            print(json.dumps({"id": query_id, "hits": hits}, ensure_ascii=False))
        return 1 if problems else 0
    hits = results[0]
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


def _lines(handle: IO[bytes]) -> Iterator[bytes]:
    yield from handle


def _count_lines(path: Path) -> int:
    """Lines of the file (an entry each), for the progress bar's total and the import's plan."""
    with path.open("rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))


def _cmd_import(args: argparse.Namespace, settings: Settings, named: str | None = None) -> int:
    from tqdm import tqdm

    from copbot.cli.reindex import embed_with_progress
    from copbot.knowledge.interchange.jsonl import import_lines
    from copbot.store import search_index

    path = Path(args.file)
    if args.file == "-":
        return _import_piped(args, settings)
    if not path.is_file():
        print(f"copbot: no such file {path}", file=sys.stderr)
        return 2

    async def run(handle: IO[bytes]) -> int:
        lines = _count_lines(path)
        async with _understood(settings) as (sessions, understanding):
            async with search_index.set_aside(sessions.kw["bind"], lines) as deferred:
                if deferred:
                    say(f"{lines:,} lines: the RUM search index is built once, after the import")
                with tqdm(total=lines, unit=" entries", desc="importing", disable=not sys.stderr.isatty(),
                          file=sys.stderr) as bar:  # fmt: skip
                    report = await import_lines(sessions, _lines(handle),
                                                on_progress=lambda done: bar.update(done) and None,
                                                replace=args.replace)  # fmt: skip
                if deferred:
                    say("building the RUM search index")
            if understanding.semantic is not None:
                embedded = await embed_with_progress(sessions, understanding.semantic.embedder)
                model = understanding.semantic.embedder.name
                print(f"embedded {counted(embedded, 'entry', 'entries')} with {model}", file=sys.stderr)
        for number, problem in report.errors:
            print(f"{named or path}:{number}: skipped: {problem}", file=sys.stderr)
        print(
            f"imported {named or path}: {report.created} new, {report.updated} updated, {report.unchanged} unchanged, "
            f"{len(report.errors)} malformed lines skipped"
        )
        if report.renamed:
            shown = ", ".join(f"{old} -> {new}" for old, new in report.renamed[:5])
            more = f" and {len(report.renamed) - 5} more" if len(report.renamed) > 5 else ""
            print(
                f"{len(report.renamed)} ids belong to entries captured here, so those lines were imported under new "
                f"ids ({shown}{more}); use --replace to overwrite the captured entries instead"
            )
        return 1 if report.errors else 0

    with path.open("rb") as handle:
        return asyncio.run(run(handle))


def _import_piped(args: argparse.Namespace, settings: Settings) -> int:
    """``kb import -``: standard input kept in a temporary file first (its lines are counted before the import
    starts, for the progress bar and the index plan), then imported from there; errors name ``<stdin>``."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="copbot-import-") as scratch:
        kept = Path(scratch) / "<stdin>"
        with kept.open("wb") as out:
            shutil.copyfileobj(sys.stdin.buffer, out, 1 << 20)
        return _cmd_import(argparse.Namespace(**{**vars(args), "file": str(kept)}), settings, named="<stdin>")


async def shown_to_operator(sessions: async_sessionmaker[AsyncSession], typed: str, *, as_json: bool) -> str | None:
    """Entry ``typed`` as the operator may see it (every room, no opted-out or deleted content): as ``/kb show``
    prints it, or as ``kb export`` writes it; None when there is no such entry or all of it is hidden."""
    from copbot.knowledge.entries import entry_tags, meant_public_id, shown_entry
    from copbot.knowledge.interchange.records import entry_records, record_json
    from copbot.knowledge.render import entry_text
    from copbot.members.visibility import Audience

    async with sessions() as session:
        shown = await shown_entry(session, await meant_public_id(session, typed), Audience.operator())
        if shown is None:
            return None
        if as_json:
            records = [record_json(record) async for record in entry_records(session, [shown[0].id])]
            return json.dumps(records[0], ensure_ascii=False, indent=2) if records else None
        return entry_text(shown[0], shown[1], await entry_tags(session, shown[0].id))


def _cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    async def run() -> str | None:
        async with open_database(settings, create=False) as sessions:
            return await shown_to_operator(sessions, args.entry, as_json=args.json)

    printed = asyncio.run(run())
    if printed is None:
        print(f"copbot kb show: there is no entry {args.entry!r} (or everything in it is hidden)", file=sys.stderr)
        return 1
    print(printed)
    return 0


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
    print(f"exported {counted(count, 'entry', 'entries')} to {args.file}", file=sys.stderr)
    return 0


def register_kb(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``copbot kb search|show|import|export``."""
    from copbot.cli.common import add_config_argument

    kb = sub.add_parser("kb", help="the knowledge base: search, show, import, export")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    search = kb_sub.add_parser("search", help="search the knowledge base")
    search.add_argument("query", nargs="?", help="any text")
    search.add_argument(
        "--queries", metavar="FILE", help='search each JSON line {"id", "query", "within"?: [entry ids]} ("-": stdin)'
    )
    search.add_argument("--limit", type=int, default=10, help="at most this many hits (default 10)")
    search.add_argument("--json", action="store_true", help="print the hits as JSON")
    search.add_argument("--tag", action="append", help="only entries with this tag (repeatable)")
    search.add_argument("--activity", help="only entries of this practice activity")
    search.add_argument("--solved", action="store_true", help="only solved entries")
    importer = kb_sub.add_parser("import", help="import entries from a JSON Lines file")
    importer.add_argument("file", help='the .jsonl file ("-" for standard input)')
    importer.add_argument(
        "--replace", action="store_true", help="let a line replace an entry captured here that has the same id"
    )
    show = kb_sub.add_parser("show", help="show one entry as /kb show does (no opted-out or deleted content)")
    show.add_argument("entry", help="the entry id (kb12, or 12)")
    show.add_argument("--json", action="store_true", help="print it as kb export writes it")
    exporter = kb_sub.add_parser("export", help="export every entry as JSON Lines")
    exporter.add_argument("file", nargs="?", help="the output file (default: standard output)")
    handlers: dict[str, tuple[argparse.ArgumentParser, HandlerArgs]] = {
        "search": (search, _cmd_search),
        "import": (importer, _cmd_import),
        "show": (show, _cmd_show),
        "export": (exporter, _cmd_export),
    }
    for parser, handler in handlers.values():
        add_config_argument(parser)
        parser.set_defaults(handler=handler)
    from copbot.cli.reindex import register_reindex
    from copbot.cli.review import register_review

    register_review(kb_sub)

    register_reindex(sub)
