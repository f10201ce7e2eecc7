"""Turn pydantic validation errors into messages that name the key path, the line and a fix."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import ValidationError

_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_ARRAY_TABLE = re.compile(r"^\s*\[\[\s*([^\[\]]+?)\s*\]\]\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""")

_HINTS = {
    "extra_forbidden": "this key is not known here; check its spelling against config.example.toml",
    "missing": "this key is required",
    "bool_type": "write true or false (no quotes)",
    "int_type": "write a whole number (no quotes)",
    "int_parsing": "write a whole number (no quotes)",
    "float_type": "write a number (no quotes)",
    "float_parsing": "write a number (no quotes)",
    "string_type": 'write a string in quotes, for example "text"',
    "list_type": 'write a list, for example ["a", "b"]',
    "dict_type": "write a table",
    "model_type": "write a table, for example { key = value }",
    "literal_error": "use one of the allowed values",
    "string_pattern_mismatch": "the value does not have the expected form",
}


class ConfigError(Exception):
    """The configuration is wrong; the message says where and how to fix it."""


def _split_dotted(key: str) -> list[str]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([^.\s]+)', key)
    return [a or b or c for a, b, c in parts]


def find_line(text: str, path: Sequence[str | int]) -> int | None:
    """The 1-based line where the key at ``path`` is written in TOML ``text``, or of its nearest table."""
    want = [str(part) for part in path]
    table: list[str] = []
    array_counts: dict[tuple[str, ...], int] = {}
    best: tuple[int, int] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if match := _ARRAY_TABLE.match(line):
            name = tuple(_split_dotted(match.group(1)))
            index = array_counts.get(name, -1) + 1
            array_counts[name] = index
            table = [*name, str(index)]
            candidate = table
        elif match := _TABLE.match(line):
            table = _split_dotted(match.group(1))
            candidate = table
        elif match := _KEY.match(line):
            candidate = table + _split_dotted(match.group(1))
        else:
            continue
        depth = _common_prefix(candidate, want)
        if depth == len(candidate) and (best is None or depth > best[0]):
            best = (depth, number)
    return best[1] if best else None


def _common_prefix(a: Sequence[str], b: Sequence[str]) -> int:
    count = 0
    for left, right in zip(a, b, strict=False):
        if left != right:
            break
        count += 1
    return count


def _dotted(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def describe_validation_error(error: ValidationError, text: str, source: str) -> str:
    """One line per problem: ``file:line: key.path: message (hint)``."""
    lines = []
    for problem in error.errors():
        path = [part for part in problem["loc"] if not (isinstance(part, str) and part.startswith("function-"))]
        line = find_line(text, path)
        where = f"{source}:{line}" if line else source
        message = str(problem["msg"]).removeprefix("Value error, ")
        hint = _HINTS.get(str(problem["type"]))
        suffix = f" (hint: {hint})" if hint and hint not in message else ""
        lines.append(f"{where}: {_dotted(path)}: {message}{suffix}")
    return "invalid configuration:\n  " + "\n  ".join(lines)
