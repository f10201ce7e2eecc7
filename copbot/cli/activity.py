"""`copbot activity explain TEXT` and `copbot activity label FILE`: the recogniser from the command line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TextIO

from copbot.activities.labelling import ActivityLabeller
from copbot.activities.recognition.explain import explain, label_jsonl
from copbot.cli.common import add_config_argument
from copbot.config.settings import Settings
from copbot.semantic.runtime import build_understanding


@contextlib.asynccontextmanager
async def _labeller(settings: Settings) -> AsyncIterator[ActivityLabeller]:
    """The bot's own labeller (cues, and the embedding head when the semantic extra is on); no database."""
    understanding = await build_understanding(settings, background=False)
    try:
        yield understanding.labeller
    finally:
        await understanding.close()


def _cmd_explain(args: argparse.Namespace, settings: Settings) -> int:
    text = " ".join(args.text)
    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        print("copbot activity explain: give the text of a message", file=sys.stderr)
        return 2

    async def run() -> str:
        async with _labeller(settings) as labeller:
            return explain(await labeller.label_message(text))

    print(asyncio.run(run()))
    return 0


@contextlib.contextmanager
def _opened(path: str, mode: str) -> Iterator[TextIO]:
    """``path`` opened as UTF-8 text, or stdin/stdout for "-"."""
    if path == "-":
        yield sys.stdin if "r" in mode else sys.stdout
        return
    if "r" in mode:
        with Path(path).open("r", encoding="utf-8") as reader:
            yield reader
        return
    with Path(path).open("w", encoding="utf-8") as writer:
        yield writer


def _cmd_label(args: argparse.Namespace, settings: Settings) -> int:
    async def run(source: TextIO, out: TextIO) -> list[str]:
        async with _labeller(settings) as labeller:
            return await label_jsonl(labeller.label_thread, source, out)

    try:
        with _opened(args.file, "r") as source, _opened(args.out, "w") as out:
            errors = asyncio.run(run(source, out))
    except OSError as error:
        hint = "" if Path(args.file).suffix else " (to label one message: copbot activity explain TEXT)"
        print(f"copbot activity label: {error.filename or args.file}: {error.strerror or error}{hint}", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(f"copbot activity label: {args.file}: not UTF-8 text", file=sys.stderr)
        return 2
    for problem in errors:
        print(f"{args.file}: {problem}", file=sys.stderr)
    if errors:
        print(f"copbot activity label: {len(errors)} malformed line(s) skipped", file=sys.stderr)
        return 1
    return 0


def register_activity(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `copbot activity explain|label`."""
    activity = sub.add_parser("activity", help="practice-activity recognition: explain a label, label threads")
    commands = activity.add_subparsers(dest="activity_command", required=True)

    explain_cmd = commands.add_parser("explain", help="show the activity, confidence and cue for one message")
    explain_cmd.add_argument("text", nargs="+", metavar="TEXT", help='the message ("-" reads it from stdin)')
    add_config_argument(explain_cmd)
    explain_cmd.set_defaults(handler=_cmd_explain)

    label_cmd = commands.add_parser(
        "label", help='label JSON Lines threads {"id", "messages"} as {"id", "activity", "confidence", "reason"}'
    )
    label_cmd.add_argument("file", metavar="FILE", help='JSON Lines input ("-" for stdin)')
    label_cmd.add_argument("--out", "-o", default="-", metavar="FILE", help="where to write (default: stdout)")
    add_config_argument(label_cmd)
    label_cmd.set_defaults(handler=_cmd_label)
