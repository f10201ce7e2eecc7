"""Leave the most common words out of a SQLite full-text query, so its cost stays bounded as the knowledge base grows.

An FTS5 ``OR`` query ranks every entry holding any of its words: a word found in half of a million entries makes it
read half a million postings, while adding little to the ranking (bm25 weighs a word by how rare it is). The words
are taken rarest first until their postings reach ``POSTINGS_BUDGET``; the ``MIN_WORDS`` rarest words that any
entry holds always stay.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.core.words import content_words
from copbot.knowledge.search.query import quote
from copbot.knowledge.search.scratch import ScratchTable
from copbot.store.scope import scope_of

POSTINGS_BUDGET = 50_000
"""Words whose entries add up to more than this are left out of a query (the rarest words count first)."""
MIN_WORDS = 2
"""The rarest words of a query are kept however common they are."""
TOKENIZE = "porter unicode61 remove_diacritics 2"
"""The tokenizer of ``search_fts`` (migration 0002): the stems it indexes are the stems looked up here."""

_TERMS = text("SELECT term, doc FROM search_fts_terms WHERE term IN :terms").bindparams(
    bindparam("terms", expanding=True)
)


STEMS_KEPT = 50_000
"""Stems remembered per application (a word's stem never changes; a bot is asked about the same subjects)."""


class _Stemmer:
    """FTS5's own tokenizer in a private in-memory table, to stem query words (each word's stem remembered)."""

    def __init__(self) -> None:
        self._table = ScratchTable(["word"], TOKENIZE)
        self._known: dict[str, str | None] = {}

    def stems(self, words: Sequence[str]) -> list[str | None]:
        """The indexed stem of each word (None when the tokenizer makes no single term of it)."""
        known = self._known
        # "" marks a word not yet known (no stem is empty); a lookup never fails while another thread clears.
        looked = {word: known.get(word, "") for word in words}
        new = [word for word, stem in looked.items() if stem == ""]
        if new:
            found: dict[int, list[str]] = {}
            with self._table.holding(enumerate(new)) as db:
                for doc, term in db.execute("SELECT doc, term FROM terms"):
                    found.setdefault(doc, []).append(term)
            fresh = {
                word: terms[0] if len(terms := found.get(index, [])) == 1 else None for index, word in enumerate(new)
            }
            if len(known) + len(fresh) > STEMS_KEPT:
                known.clear()
            known.update(fresh)
            looked.update(fresh)
        return [looked[word] for word in words]

    def held(self, documents: Sequence[tuple[int, str]], wanted: Sequence[str]) -> dict[int, set[str]]:
        """Which of the ``wanted`` stems each (id, text) document holds, tokenized as ``search_fts`` does."""
        marks = ", ".join("?" for _ in wanted)
        found: dict[int, set[str]] = {}
        with self._table.holding(documents) as db:
            for doc, term in db.execute(f"SELECT DISTINCT doc, term FROM terms WHERE term IN ({marks})", wanted):
                found.setdefault(doc, set()).add(term)
        return found


class _Remembered:
    """(database, stem) -> (entries holding it, when counted), per application: every word counted, rare ones too
    (each statement is a round trip, and a question's words recur in later questions)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: OrderedDict[tuple[str, str], tuple[int, float]] = OrderedDict()


def _remembered(session: AsyncSession) -> _Remembered:
    return scope_of(session).slot("search.word_counts", _Remembered)


CACHE_SIZE = 20_000
CACHE_SECONDS = 600.0
"""A remembered count is used for this long; it only steers which words are left out, so a stale one is harmless."""


def _stemmer(session: AsyncSession) -> _Stemmer:
    """The application's stemmer: a tokenizer with no data of its own, made on first use (it compiles FTS5's)."""
    return scope_of(session).slot("search.stemmer", _Stemmer)


def stems(session: AsyncSession, words: Sequence[str]) -> list[str | None]:
    """The stem ``search_fts`` indexes for each word."""
    return _stemmer(session).stems(words)


def held_stems(
    session: AsyncSession, documents: Sequence[tuple[int, str]], wanted: Sequence[str]
) -> dict[int, set[str]]:
    """Which of the ``wanted`` stems each (id, text) document holds."""
    return _stemmer(session).held(documents, wanted) if wanted and documents else {}


def keep_rarest(costs: Sequence[int], *, budget: int = POSTINGS_BUDGET, at_least: int = MIN_WORDS) -> list[int]:
    """Indexes of the words to keep, in query order: rarest first while the postings stay within ``budget``.

    A word with no postings (cost 0) is kept, as it costs nothing, but does not count toward ``at_least``: two
    words no entry holds must not push out the one word that finds something.
    """
    kept: list[int] = []
    counted = spent = 0
    for index in sorted(range(len(costs)), key=lambda i: (costs[i], i)):
        if costs[index] > 0 and counted >= at_least and spent + costs[index] > budget:
            break
        kept.append(index)
        counted += costs[index] > 0
        spent += costs[index]
    return sorted(kept)


async def _counts(session: AsyncSession, stems_: list[str]) -> dict[str, int]:
    """How many entries hold each stem: remembered counts of common words, the rest from ``search_fts_terms``."""
    database = str(session.get_bind().engine.url)
    now = time.monotonic()
    counts: dict[str, int] = {}
    remembered = _remembered(session)
    with remembered.lock:
        for stem in stems_:
            known = remembered.counts.get((database, stem))
            if known is not None and now - known[1] < CACHE_SECONDS:
                counts[stem] = known[0]
    missing = [stem for stem in stems_ if stem not in counts]
    if not missing:
        return counts
    fresh = dict.fromkeys(missing, 0)
    fresh.update({str(row[0]): int(row[1]) for row in await session.execute(_TERMS, {"terms": missing})})
    counts.update(fresh)
    with remembered.lock:
        for stem, count in fresh.items():
            remembered.counts[(database, stem)] = (count, now)
            remembered.counts.move_to_end((database, stem))
        while len(remembered.counts) > CACHE_SIZE:
            remembered.counts.popitem(last=False)
    return counts


async def selective_words(session: AsyncSession, text_: str) -> list[str]:
    """The words of ``text_`` a full-text query keeps (its too-common words left out), in order."""
    words = content_words(text_)
    if not words:
        return []
    stemmed = stems(session, words)
    counts = await _counts(session, sorted({stem for stem in stemmed if stem}))
    costs = [counts.get(stem, 0) if stem else 0 for stem in stemmed]
    return [words[index] for index in keep_rarest(costs, budget=POSTINGS_BUDGET)]


async def selective_query(session: AsyncSession, text_: str) -> str | None:
    """An FTS5 MATCH expression for ``text_`` without its too-common words, or None when it has no words."""
    words = await selective_words(session, text_)
    return " OR ".join(quote(word) for word in words) if words else None
