"""Reading an import file line by line: bytes decoded per line, a BOM dropped, bad and repeated lines reported."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from copbot.knowledge.interchange.records import EntryRecord, parse_line

BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class Line:
    """One line of an import file: its record, or the reason it is skipped."""

    number: int
    record: EntryRecord | None = None
    problem: str | None = None


def _decoded(raw: str | bytes) -> str:
    """A line as text; raises ValueError naming the first byte that is not UTF-8."""
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"not UTF-8: byte 0x{raw[error.start]:02x} at byte {error.start + 1} of the line (save the file as UTF-8)"
        ) from None


def read_lines(lines: Iterable[str | bytes]) -> Iterator[Line]:
    """Every non-blank line as a record or a problem; a later line repeating an earlier line's id is a problem.

    Lines may be bytes (decoded here, one line at a time, so one bad byte costs only its line) or text. A UTF-8
    byte order mark at the start of the file is dropped.
    """
    first_seen: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        try:
            line = _decoded(raw)
            if number == 1:
                line = line.removeprefix(BOM)
            if not line.strip():
                continue
            record = parse_line(line)
        except ValueError as error:
            yield Line(number, problem=str(error))
            continue
        earlier = first_seen.setdefault(record.id, number)
        if earlier != number:
            yield Line(number, problem=f"id {record.id!r} repeats line {earlier}; the first one is kept")
            continue
        yield Line(number, record=record)
