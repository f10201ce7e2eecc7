"""Turn any user text into a safe full-text query: its content words (core.words), each quoted, joined with OR."""

from __future__ import annotations

from copbot.core.words import MAX_TOKENS, content_words


def quote(token: str) -> str:
    """One token as an FTS5 string: double quotes, inner quotes doubled (tokens have none, but be safe)."""
    return '"' + token.replace('"', '""') + '"'


def fts_query(text: str, *, limit: int = MAX_TOKENS) -> str | None:
    """An FTS5 MATCH expression for ``text`` (quoted words joined with OR), or None when it has no words."""
    tokens = content_words(text, limit=limit)
    if not tokens:
        return None
    return " OR ".join(quote(token) for token in tokens)


def tsquery_terms(text: str, *, limit: int = MAX_TOKENS) -> list[str]:
    """The same words, for a PostgreSQL backend to pass to plainto_tsquery one by one."""
    return content_words(text, limit=limit)
