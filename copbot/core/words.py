"""Words: the one tokenizer, the one stop-word list, the one rule for what topics a text names, and counts in words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

MAX_TOKENS = 40
"""At most this many distinct words are read from one text (the first ones of a long text)."""
MAX_TOKEN_LENGTH = 40
MAX_INPUT = 20_000
"""Only the start of a very long text is read."""
KEYWORDS_PER_TEXT = 3
"""A text that names no known tag is filed under at most this many of its first keywords."""
MIN_KEYWORD_LENGTH = 4
TAG_LENGTH = 64
"""A tag is at most this long once normalised."""

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
"""Function words and greetings: never searched for, never a topic."""

_GENERIC_TEXT = """
    stuck error errors problem problems issue issues help helps trying tried works working worked work idea ideas
    advice question questions missing gap gaps nobody anything something everything everyone thing things
    does doesn find found where able going seems really still already maybe sure thoughts wrong right good best
    people team group community here there today week month year time times know knows knowing using used
    keep keeps kept anyone everybody nothing
    done make needs without tips dealt deal dealing experience experiences experienced handled similar before ever
"""
GENERIC_WORDS = frozenset(_GENERIC_TEXT.split())
"""Words that say someone needs help (or shares experience), not what about: they never name a topic."""


def _fold(word: str) -> str:
    """Lower case without diacritics, so stop words match however they are written."""
    if word.isascii():  # most words: nothing to decompose, and ASCII casefold is lower
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def content_words(text: str, *, limit: int = MAX_TOKENS) -> list[str]:
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


def _keywords(words: list[str], limit: int) -> list[str]:
    return [word for word in words if len(word) >= MIN_KEYWORD_LENGTH and word not in GENERIC_WORDS][:limit]


def keywords(text: str, limit: int = KEYWORDS_PER_TEXT) -> list[str]:
    """The first ``limit`` topical words of ``text``: content words that are long enough and not generic."""
    return _keywords(content_words(text), limit)


def topics_of(text: str, tags: Collection[str]) -> list[str]:
    """The known tags ``text`` names; if none, its first few keywords: what a question is about."""
    words = content_words(text)
    return [word for word in words if word in tags] or _keywords(words, KEYWORDS_PER_TEXT)


def normalise_tag(tag: str) -> str:
    """A tag as stored: lower case, no leading '#', no spaces, at most 64 characters."""
    return "-".join(tag.strip().lstrip("#").lower().split())[:TAG_LENGTH]


def normalise_tags(tags: list[str]) -> list[str]:
    """Distinct normalised tags in their first-seen order."""
    return list(dict.fromkeys(name for name in (normalise_tag(tag) for tag in tags) if name))


def counted(count: int, one: str, many: str) -> str:
    """``count`` with the words that go with it: ``counted(1, "entry", "entries")`` is "1 entry", 2 is "2 entries"."""
    return f"{count} {one if count == 1 else many}"
