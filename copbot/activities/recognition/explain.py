"""Human and JSON Lines views of the recogniser, behind `copbot activity explain` and `label`."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TextIO

from copbot.core.labels import Label

logger = logging.getLogger(__name__)


ThreadLabeller = Callable[[Sequence[str]], Awaitable[Label]]


def explain(label: Label) -> str:
    """A short, human-readable account of how one message was labelled."""
    return f"activity:   {label.activity.value}\nconfidence: {label.confidence:.3f}\nbecause:    {label.reason}"


def _parse(line: str) -> tuple[str, list[str]]:
    """The id and messages of one JSON Lines record; ValueError says what is wrong with it."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg})") from None
    if not isinstance(record, dict):
        raise ValueError("expected a JSON object")
    thread_id = record.get("id")
    messages = record.get("messages")
    if not isinstance(thread_id, str | int) or isinstance(thread_id, bool):
        raise ValueError('"id" must be a string')
    if not isinstance(messages, list) or not all(isinstance(m, str) for m in messages):
        raise ValueError('"messages" must be a list of strings')
    return str(thread_id), messages


async def label_jsonl(label_thread: ThreadLabeller, lines: Iterable[str], out: TextIO) -> list[str]:
    """Label each `{"id", "messages"}` line, writing `{"id", "activity", "confidence", "reason"}`.

    Blank lines are ignored. A malformed line is skipped and reported in the returned list of
    errors, each naming its 1-based line number; every other line is still labelled.
    """
    errors: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            thread_id, messages = _parse(line)
        except ValueError as exc:
            errors.append(f"line {number}: {exc}")
            continue
        label = await label_thread(messages)
        out.write(json.dumps({"id": thread_id, **label.as_dict()}, ensure_ascii=False) + "\n")
    if errors:
        logger.info("label_jsonl skipped %d malformed line(s)", len(errors))
    return errors
