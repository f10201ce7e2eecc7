"""One compiled regex that finds, at every word start, the strongest cue matching there, dispatched in C."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

_LITERAL_SPECIAL = frozenset(".^$|?*+{}()[]\\")
_SPACE = re.compile(r"\s")


class _Hard(Exception):
    """The pattern's remainder after a first character cannot be written down simply."""


def _skip_class(pattern: str, pos: int) -> int:
    """The index after the character class opening at ``pos``."""
    pos += 1
    if pattern[pos : pos + 1] == "^":
        pos += 1
    if pattern[pos : pos + 1] == "]":
        pos += 1
    while pos < len(pattern) and pattern[pos] != "]":
        pos += 2 if pattern[pos] == "\\" else 1
    if pos >= len(pattern):
        raise _Hard
    return pos + 1


def _atom_end(pattern: str, pos: int) -> int:
    """The index after the atom (character, escape, class or group) starting at ``pos``."""
    char = pattern[pos]
    if char == "\\":
        return pos + 2
    if char == "[":
        return _skip_class(pattern, pos)
    if char != "(":
        return pos + 1
    depth = 0
    while pos < len(pattern):
        char = pattern[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "[":
            pos = _skip_class(pattern, pos)
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        pos += 1
        if depth == 0:
            return pos
    raise _Hard


def split_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of ``pattern`` (split at ``|`` outside groups and classes)."""
    parts: list[str] = []
    start = pos = 0
    while pos < len(pattern):
        if pattern[pos] == "|":
            parts.append(pattern[start:pos])
            start = pos = pos + 1
        else:
            pos = _atom_end(pattern, pos)
    parts.append(pattern[start:])
    return parts


def _derive_sequence(pattern: str, char: str) -> str | None:
    """What must follow ``char`` for ``pattern`` (one alternative) to match a text starting with it; None: never."""
    if not pattern:
        raise _Hard
    end = _atom_end(pattern, 0)
    quantified = pattern[end : end + 1] == "?" and pattern[end + 1 : end + 2] not in ("?", "+")
    if pattern[end : end + 1] in ("*", "+", "{") or (pattern[end : end + 1] == "?" and not quantified):
        raise _Hard
    atom, rest = pattern[:end], pattern[end + (1 if quantified else 0) :]
    through: str | None
    if len(atom) == 1 and atom not in _LITERAL_SPECIAL:
        through = rest if atom == char else None
    elif len(atom) == 2 and atom[0] == "\\" and not atom[1].isalnum():
        through = rest if atom[1] == char else None
    elif atom.startswith("(?:"):
        inner = derive(atom[3:-1], char)
        through = None if inner is None else f"(?:{inner}){rest}"
    else:
        raise _Hard
    if not quantified:
        return through
    options = [option for option in (through, _derive_sequence(rest, char)) if option is not None]
    return f"(?:{'|'.join(options)})" if options else None


def derive(pattern: str, char: str) -> str | None:
    """A pattern ``D`` such that ``char + D`` matches exactly where ``pattern`` matches a text starting with ``char``.

    Alternatives keep their order, so the same match wins. None means ``pattern`` never starts with ``char``;
    ValueError means the remainder is not simple to write (the caller then guards the whole pattern instead).
    """
    try:
        derived = [
            d for alternative in split_alternatives(pattern) if (d := _derive_sequence(alternative, char)) is not None
        ]
    except (_Hard, IndexError):
        raise ValueError(f"cannot derive {pattern!r} by {char!r}") from None
    return "|".join(derived) if derived else None


def first_chars(pattern: str) -> set[str] | None:
    """The characters a cue pattern can start with, or None if that is not simple to tell."""
    if not pattern:
        return None
    head = pattern[0]
    if pattern.startswith("(?:"):
        depth, end = 0, -1
        alternatives, start = [], 3
        for pos in range(3, len(pattern)):
            char = pattern[pos]
            if char == "\\":
                continue
            if pattern[pos - 1] == "\\" and (pos < 2 or pattern[pos - 2] != "\\"):
                continue
            if char in "([":
                depth += 1
            elif char in ")]" and depth:
                depth -= 1
            elif char == ")":
                alternatives.append(pattern[start:pos])
                end = pos
                break
            elif char == "|" and not depth:
                alternatives.append(pattern[start:pos])
                start = pos + 1
        if end < 0:
            return None
        rest = pattern[end + 1 :]
        optional = rest[:1] in ("?", "*")
        result: set[str] = set()
        for alternative in alternatives:
            firsts = first_chars(alternative) if alternative else None
            if firsts is None:
                return None
            result |= firsts
        if optional:
            more = first_chars(rest[1:])
            return None if more is None else result | more
        return result
    if head == "\\":
        if len(pattern) > 1 and not pattern[1].isalnum():
            return {pattern[1]}
        return None
    if head in "([.^$|?*+{)":
        return None
    if pattern[1:2] in ("?", "*"):
        more = first_chars(pattern[2:])
        return None if more is None else {head} | more
    return {head}


@dataclass(frozen=True, slots=True)
class CueScanner:
    """Finds (cue index, start, end) at each word start where a cue matches, the lowest index winning there."""

    regex: re.Pattern[str]
    cue_of: dict[str, int]

    def scan(self, low: str) -> list[tuple[int, int, int]]:
        """Every word start of ``low`` where some cue matches: the winning cue's index and its span in ``low``."""
        cue_of = self.cue_of
        return [
            (cue_of[name], match.end() - 1, match.end(name) - 1)
            for match in self.regex.finditer("\n" + low)
            if (name := match.lastgroup) is not None
        ]


def compile_scanner(patterns: Sequence[str], first_chars: Callable[[str], set[str] | None]) -> CueScanner:
    """One regex over all cues: a word start (after a character that is not a word character or apostrophe),
    then per first character the cues that can start with it, strongest (lowest index) first.
    """
    members: dict[str, list[int]] = {}
    wildcard: list[int] = []
    for index, pattern in enumerate(patterns):
        chars = first_chars(pattern)
        if chars is None:
            wildcard.append(index)
        for char in chars or ():
            members.setdefault(char, []).append(index)
    cue_of: dict[str, int] = {}

    def marker(index: int) -> str:
        name = f"c{len(cue_of)}"
        cue_of[name] = index
        return f"(?P<{name}>)"

    branches: list[str] = []
    for char in sorted(members):
        if _SPACE.match(char):
            continue  # a word start is never white space
        literal = re.escape(char)
        run: list[str] = []  # consecutive derivable cues share one literal first character
        for index in sorted(members[char] + wildcard):
            try:
                rest = derive(patterns[index], char) if index not in wildcard else None
            except ValueError:
                rest = None
            if rest is not None:
                run.append(f"(?:{rest}){marker(index)}")
                continue
            if run:
                branches.append(f"{literal}(?:{'|'.join(run)})")
                run = []
            branches.append(f"(?={literal})(?:{patterns[index]}){marker(index)}")
        if run:
            branches.append(f"{literal}(?:{'|'.join(run)})")
    if wildcard:
        known = "".join(re.escape(char) for char in members)
        guard = f"(?![{known}])" if known else ""
        branches.append(guard + "(?=\\S)(?:" + "|".join(f"(?:{patterns[i]}){marker(i)}" for i in wildcard) + ")")
    body = "|".join(branches) or "(?!)"
    return CueScanner(re.compile(f"[^\\w'](?=(?:{body}))", re.MULTILINE), cue_of)
