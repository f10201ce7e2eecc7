"""Bounded search work per hit: how much of each column is indexed, and the snippet cut from a highlighted column.

FTS5's ``snippet()`` scores every window around every hit, so its cost grows with the square of a word's
occurrences in one document (a thread of 400 messages repeating one word took minutes). Search instead indexes at
most ``INDEXED_CHARS`` of each column, asks FTS5 for ``highlight()`` (one linear pass over that bounded column) and
cuts the snippet here, in one linear pass over the highlighted text.
"""

from __future__ import annotations

from collections.abc import Sequence

INDEXED_CHARS = 32_000
"""Characters of each searchable column (title, question, answers, tags, discussion) that are indexed: sixteen
Discord messages at their length limit, about 5,000 words. The entry itself keeps all its text; only search stops
looking past this. The figures in benchmarks/README.md ("Worst-case search") were measured with this value."""
SNIPPET_WORDS = 16
"""Words in a snippet, as FTS5's ``snippet()`` was asked for."""
WORD_CHARS = 40
"""A longer "word" (a URL, a run without spaces) is cut to this many characters in a snippet."""
LEAD_WORDS = 3
"""Words of context kept before the first highlighted word."""
ELLIPSIS = "…"


def searchable(**columns: str) -> dict[str, str]:
    """A ``search_documents`` row's text columns, each cut to the part search indexes."""
    return {name: (value or "")[:INDEXED_CHARS] for name, value in columns.items()}


def _marked(words: Sequence[str], marker: str) -> list[int]:
    return [index for index, word in enumerate(words) if marker in word]


def excerpt(highlighted: Sequence[str | None], marker: str, words: int = SNIPPET_WORDS) -> str:
    """A snippet of ``words`` words around the first highlight of the column with the most distinct highlights.

    ``highlighted`` are columns as FTS5 ``highlight()`` (or PostgreSQL ``ts_headline``) returns them, each word hit
    wrapped in ``marker``; a column without a highlight is used only when none has one.
    """
    best: tuple[int, int] | None = None
    split = [(text or "").split() for text in highlighted]
    for column, tokens in enumerate(split):
        hits = _marked(tokens, marker)
        distinct = len({tokens[index].strip(marker).lower() for index in hits})
        if distinct and (best is None or distinct > best[0]):
            best = (distinct, column)
    if best is None:
        tokens = next((tokens for tokens in split if tokens), [])
        start = 0
    else:
        tokens = split[best[1]]
        start = max(0, _marked(tokens, marker)[0] - LEAD_WORDS)
    shown = [
        token if len(token) <= WORD_CHARS else token[:WORD_CHARS] + ELLIPSIS for token in tokens[start : start + words]
    ]
    if not shown:
        return ""
    return "".join([ELLIPSIS if start > 0 else "", " ".join(shown), ELLIPSIS if start + words < len(tokens) else ""])
