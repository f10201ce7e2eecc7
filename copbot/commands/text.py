"""Typed commands (``!search tomato tags:safety``): which messages are commands, for Matrix and the console alike."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass

COMMAND_WORD = re.compile(r"([^\W\d_][\w-]*)(?=\s|$)")
SUGGESTION_CUTOFF = 0.6


def closest(name: str, names: Collection[str]) -> str | None:
    """The command in ``names`` most like ``name``, to suggest after a typo."""
    matches = difflib.get_close_matches(name.lower(), sorted(names), n=1, cutoff=SUGGESTION_CUTOFF)
    return matches[0] if matches else None


@dataclass(frozen=True, slots=True)
class TextCommands:
    """How commands are typed on one platform: the prefix (also "/" unless told otherwise) and the names."""

    prefix: str
    names: frozenset[str]
    also: tuple[str, ...] = ("/",)
    claim_unknown: bool = False
    """Every prefixed word is a command (the console, where such lines are meant for the bot). Otherwise only known
    names and close typos of them are, so "!important" stays chat while "!serch" gets a suggestion."""

    def recognise(self, text: str) -> tuple[str, str] | None:
        """``(name, arguments)`` when ``text`` is a command, the name in lower case; None for chat."""
        stripped = text.strip()
        for lead in dict.fromkeys((self.prefix, *self.also)):
            if not lead or not stripped.startswith(lead):
                continue
            rest = stripped[len(lead) :]
            word = COMMAND_WORD.match(rest)
            if word is None:
                continue
            name = word.group(1).lower()
            if name in self.names or self.claim_unknown or closest(name, self.names) is not None:
                return name, rest[word.end() :].strip()
        return None
