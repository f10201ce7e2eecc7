"""Turn any user text into a safe full-text query: word tokens, stop words dropped, each quoted, joined with OR."""

from __future__ import annotations

import re
import unicodedata

MAX_TOKENS = 40
"""At most this many distinct words go into one query (the first ones of a long text)."""
MAX_TOKEN_LENGTH = 40
MAX_INPUT = 20_000
"""Only the start of a very long text is read."""

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)?")

_STOP_WORD_TEXT = """
    a about above after again against all also am an and any are aren as at be because been before being below
    between both but by can cannot could couldn did didn do does doesn doing don down during each else etc even
    ever every few for from further get gets getting got had hadn has hasn have haven having he her here hers
    herself him himself his how however i if in into is isn it its itself just ll let me might more most much
    must mustn my myself need no nor not now of off on once one only or other ought our ours ourselves out over
    own please re same shall shan she should shouldn so some such than that the their theirs them themselves
    then there these they this those through to too under until up upon us ve very via want was wasn we were
    weren what when where whether which while who whom whose why will with won would wouldn yet you your yours
    yourself yourselves hi hello hey thanks thank regards anyone anybody someone somebody know like tell
"""
STOP_WORDS = frozenset(_STOP_WORD_TEXT.split())


def _fold(word: str) -> str:
    """Lower case without diacritics, so stop words match however they are written."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def query_tokens(text: str, *, limit: int = MAX_TOKENS) -> list[str]:
    """The distinct content words of ``text`` in order of first appearance, lower case, at most ``limit``."""
    tokens: list[str] = []
    seen: set[str] = set()
    for match in _WORD.finditer(text[:MAX_INPUT]):
        word = _fold(match.group()).replace("\u2019", "'")
        base = word.split("'", 1)[0]
        if not base or base in STOP_WORDS or len(base) > MAX_TOKEN_LENGTH:
            continue
        if len(base) == 1 and not base.isdigit():
            continue
        if base in seen:
            continue
        seen.add(base)
        tokens.append(base)
        if len(tokens) >= limit:
            break
    return tokens


def quote(token: str) -> str:
    """One token as an FTS5 string: double quotes, inner quotes doubled (tokens have none, but be safe)."""
    return '"' + token.replace('"', '""') + '"'


def fts_query(text: str, *, limit: int = MAX_TOKENS) -> str | None:
    """An FTS5 MATCH expression for ``text`` (quoted words joined with OR), or None when it has no words."""
    tokens = query_tokens(text, limit=limit)
    if not tokens:
        return None
    return " OR ".join(quote(token) for token in tokens)


def tsquery_terms(text: str, *, limit: int = MAX_TOKENS) -> list[str]:
    """The same words, for a PostgreSQL backend to pass to plainto_tsquery one by one."""
    return query_tokens(text, limit=limit)
